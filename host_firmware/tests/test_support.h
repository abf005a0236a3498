/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the tests. */
#ifndef RELO_TEST_SUPPORT_H
#define RELO_TEST_SUPPORT_H

#include <stdint.h>

#include "relo/relo_verify.h"

#define SUPPORT_SLOT0 0x40000u
#define SUPPORT_SLOT1 0x140000u

/* Erases what is needed and programs data at flash offset (padded to the write unit). */
int support_store(uint32_t flash_offset, const uint8_t *data, uint32_t size);
relo_trusted_key_t support_trusted_key(void);

#endif /* RELO_TEST_SUPPORT_H */
