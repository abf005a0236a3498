/* SPDX-License-Identifier: Apache-2.0 */
/* CRC-32 (IEEE 802.3, reflected, RELO_CRC32_POLY), the same value as zlib.crc32. */
#ifndef RELO_CRC32_H
#define RELO_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continues a CRC: relo_crc32_update(relo_crc32_update(0, a), b) == CRC of a || b. */
uint32_t relo_crc32_update(uint32_t crc, const uint8_t *data, size_t length);

static inline uint32_t relo_crc32_compute(const uint8_t *data, size_t length)
{
    return relo_crc32_update(0, data, length);
}

#endif /* RELO_CRC32_H */
