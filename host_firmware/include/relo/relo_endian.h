/* SPDX-License-Identifier: Apache-2.0 */
/* Explicit little-endian loads and stores: every record of relo_format.h is read through
 * these, at the offsets the generated header gives. Never memcpy a struct to or from the
 * wire or flash. */
#ifndef RELO_ENDIAN_H
#define RELO_ENDIAN_H

#include <stdint.h>

static inline uint16_t relo_load16_le(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

static inline uint32_t relo_load32_le(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t relo_load64_le(const uint8_t *p)
{
    return (uint64_t)relo_load32_le(p) | ((uint64_t)relo_load32_le(p + 4) << 32);
}

static inline void relo_store16_le(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void relo_store32_le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void relo_store64_le(uint8_t *p, uint64_t v)
{
    relo_store32_le(p, (uint32_t)v);
    relo_store32_le(p + 4, (uint32_t)(v >> 32));
}

#endif /* RELO_ENDIAN_H */
