/* SPDX-License-Identifier: Apache-2.0 */
/* CRC-32, bitwise: frames are at most a few KiB and the journal records 32 bytes, so a
 * 1 KiB table would cost more flash than the time it saves. */
#include "relo/relo_crc32.h"
#include "relo/relo_format.h"

uint32_t relo_crc32_update(uint32_t crc, const uint8_t *data, size_t length)
{
    crc = ~crc;
    for (size_t i = 0; i < length; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc >> 1) ^ (RELO_CRC32_POLY & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}
