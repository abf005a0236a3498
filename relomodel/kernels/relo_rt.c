/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memcpy/memset/memmove for blobs, which link without newlib. GCC may emit calls to these
 * for struct copies and simple loops, so they must exist. The optimize attribute stops GCC
 * from turning these very loops back into calls to themselves.
 */
#include <stddef.h>
#include <stdint.h>

#define RELO_RT_NO_LOOP_TO_CALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

RELO_RT_NO_LOOP_TO_CALL void *memcpy(void *dest, const void *src, size_t count)
{
    uint8_t *d = (uint8_t *)dest;
    const uint8_t *s = (const uint8_t *)src;
    for (size_t i = 0; i < count; ++i) {
        d[i] = s[i];
    }
    return dest;
}

RELO_RT_NO_LOOP_TO_CALL void *memset(void *dest, int value, size_t count)
{
    uint8_t *d = (uint8_t *)dest;
    for (size_t i = 0; i < count; ++i) {
        d[i] = (uint8_t)value;
    }
    return dest;
}

RELO_RT_NO_LOOP_TO_CALL void *memmove(void *dest, const void *src, size_t count)
{
    uint8_t *d = (uint8_t *)dest;
    const uint8_t *s = (const uint8_t *)src;
    if (d < s) {
        for (size_t i = 0; i < count; ++i) {
            d[i] = s[i];
        }
    } else {
        for (size_t i = count; i > 0; --i) {
            d[i - 1] = s[i - 1];
        }
    }
    return dest;
}
