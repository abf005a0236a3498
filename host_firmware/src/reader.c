/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded reads from a RAM buffer or from flash. */
#include <string.h>

#include "relo/port_flash.h"
#include "relo/relo_reader.h"

relo_reader_t relo_reader_from_buffer(const uint8_t *buffer, uint32_t size)
{
    relo_reader_t reader = {buffer, 0, buffer != 0 ? size : 0};
    return reader;
}

relo_reader_t relo_reader_from_flash(uint32_t flash_offset, uint32_t size)
{
    relo_reader_t reader = {0, flash_offset, size};
    return reader;
}

int relo_reader_read(const relo_reader_t *reader, uint32_t offset, void *out, uint32_t length)
{
    if (reader == 0 || out == 0 || (uint64_t)offset + length > reader->size) {
        return -1;
    }
    if (reader->buffer != 0) {
        memcpy(out, reader->buffer + offset, length);
        return 0;
    }
    if ((uint64_t)reader->flash_offset + offset > UINT32_MAX) {
        return -1;
    }
    return relo_flash_read(reader->flash_offset + offset, out, length);
}
