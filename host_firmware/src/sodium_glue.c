/* SPDX-License-Identifier: Apache-2.0 */
/* The one libsodium utility its SHA-2 code calls. The volatile pointer keeps the compiler
 * from dropping the wipe of hash state that is about to go out of scope. */
#include <stddef.h>

void sodium_memzero(void *const pnt, const size_t len);

void sodium_memzero(void *const pnt, const size_t len)
{
    volatile unsigned char *p = (volatile unsigned char *)pnt;
    for (size_t i = 0; i < len; i++) {
        p[i] = 0;
    }
}
