/* SPDX-License-Identifier: Apache-2.0 */
/* The LIST response: every slot in use, with its role and what its package says it is. */
#ifndef RELO_CATALOG_H
#define RELO_CATALOG_H

#include <stdint.h>

#include "relo/relo_slots.h"
#include "relo/relo_status.h"

/* Writes LIST_RESPONSE then one LIST_ENTRY per slot that is not FREE. Fields come from the
 * package head in flash (verified when the model was installed or last loaded); a slot whose
 * head cannot be read is listed with zeros. BAD_LENGTH if `capacity` is too small. */
relo_status_t relo_catalog_list(const relo_slots_t *slots, uint8_t *out, uint32_t capacity, uint32_t *length);

#endif /* RELO_CATALOG_H */
