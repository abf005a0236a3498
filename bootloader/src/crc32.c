/* SPDX-License-Identifier: Apache-2.0 */
/* CRC-32 (IEEE 802.3, reflected, as zlib.crc32). Bitwise: the bootloader checks one image
 * once per boot, so a 1 KiB table would cost more flash than it saves time. */
#include "relo_boot/image_info.h"

#define CRC32_POLY_REFLECTED 0xEDB88320u

/* `crc` is a previous result (0 to start); chaining calls equals one call over the
 * concatenation, like zlib.crc32(data, crc). */
uint32_t relo_crc32_update(uint32_t crc, const uint8_t *data, uint32_t length)
{
    crc = ~crc;
    for (uint32_t i = 0; i < length; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc >> 1) ^ (CRC32_POLY_REFLECTED & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}
