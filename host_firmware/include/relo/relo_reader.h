/* SPDX-License-Identifier: Apache-2.0 */
/* A bounded view of package bytes, either in RAM (an INSTALL_BEGIN head) or in a flash
 * slot, so hashing and relocation run the same code on both. */
#ifndef RELO_READER_H
#define RELO_READER_H

#include <stdint.h>

typedef struct {
    const uint8_t *buffer; /* RAM view when not 0, else flash */
    uint32_t flash_offset; /* flash view: where byte 0 lives */
    uint32_t size;         /* bytes readable */
} relo_reader_t;

relo_reader_t relo_reader_from_buffer(const uint8_t *buffer, uint32_t size);
relo_reader_t relo_reader_from_flash(uint32_t flash_offset, uint32_t size);

/* Copies [offset, offset + length) into out; 0 on success, -1 if out of the view or the
 * flash read failed. */
int relo_reader_read(const relo_reader_t *reader, uint32_t offset, void *out, uint32_t length);

#endif /* RELO_READER_H */
