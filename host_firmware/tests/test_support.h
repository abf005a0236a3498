/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the tests. */
#ifndef RELO_TEST_SUPPORT_H
#define RELO_TEST_SUPPORT_H

#include <stdint.h>

#include "relo/relo_device.h"
#include "relo/relo_verify.h"

#define SUPPORT_SLOT0 0x40000u
#define SUPPORT_SLOT1 0x140000u

/* Erases what is needed and programs data at flash offset (padded to the write unit). */
int support_store(uint32_t flash_offset, const uint8_t *data, uint32_t size);
relo_trusted_key_t support_trusted_key(void);

/* Feeds a package to the device's installer as the link would: BEGIN with its head, DATA in
 * `chunk`-byte pieces from where BEGIN says, and END -- unless `stop` < size, where the
 * transfer just stops (a pulled cable) once `stop` bytes are in. *resumed_at = BEGIN's
 * next_offset. Returns the first status that is not OK. */
relo_status_t support_install(relo_device_t *device, const uint8_t *raw, uint32_t size, uint32_t chunk,
                              uint32_t stop, uint32_t *resumed_at, uint32_t *detail);

#endif /* RELO_TEST_SUPPORT_H */
