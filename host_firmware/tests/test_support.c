/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "flash_sim.h"
#include "relo/port_flash.h"
#include "relo/relo_trusted_key.h"
#include "test_support.h"

int support_store(uint32_t flash_offset, const uint8_t *data, uint32_t size)
{
    const relo_flash_geometry_t *geometry = relo_flash_geometry();
    uint32_t padded = (size + geometry->write_size - 1u) / geometry->write_size * geometry->write_size;
    for (uint32_t at = 0; at < padded; at += geometry->sector_size) {
        if (relo_flash_erase_sector(flash_offset + at) != 0) {
            return -1;
        }
    }
    uint8_t *copy = malloc(padded);
    if (copy == NULL) {
        return -1;
    }
    memset(copy, 0xFF, padded);
    memcpy(copy, data, size);
    int result = relo_flash_program(flash_offset, copy, padded);
    free(copy);
    return result;
}

relo_trusted_key_t support_trusted_key(void)
{
    relo_trusted_key_t key = {relo_trusted_public_key, relo_trusted_key_id};
    return key;
}
