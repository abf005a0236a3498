/* SPDX-License-Identifier: Apache-2.0 */
/* The slot manager: two package slots (A/B) in flash and, through the journal, which one
 * is active. A new package always goes into the slot that is NOT active, so the running
 * model survives a failed or interrupted install. */
#ifndef RELO_SLOTS_H
#define RELO_SLOTS_H

#include <stdint.h>

#include "relo/port_layout.h"
#include "relo/relo_journal.h"
#include "relo/relo_status.h"

typedef struct {
    relo_flash_layout_t layout;
    relo_journal_t journal;
} relo_slots_t;

/* Checks the board layout against the flash geometry and reads the journal. */
relo_status_t relo_slots_open(relo_slots_t *slots);

/* The active slot, or RELO_JOURNAL_NO_SLOT. */
uint8_t relo_slots_active(const relo_slots_t *slots);
/* Where the next package goes: the slot that is not active. */
uint8_t relo_slots_install_target(const relo_slots_t *slots);
uint32_t relo_slots_offset(const relo_slots_t *slots, uint8_t slot);
uint32_t relo_slots_size(const relo_slots_t *slots);

/* Journals `slot` (or RELO_JOURNAL_NO_SLOT) as the active one. */
relo_status_t relo_slots_activate(relo_slots_t *slots, uint8_t slot, uint32_t package_size);

#endif /* RELO_SLOTS_H */
