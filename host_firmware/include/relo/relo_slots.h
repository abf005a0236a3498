/* SPDX-License-Identifier: Apache-2.0 */
/* The slot manager: the board's package slots and, through the journal, the role of each.
 *
 * Several named models can be installed at once. A model is the set of slots whose package
 * has its manifest name: one ACTIVE slot (what runs), at most one BACKUP (its previous
 * version, for a rollback) and, while an install is being tried, one TRIAL slot. A new
 * package never goes into an ACTIVE slot, so the running models survive a failed or
 * interrupted install; each role change is one journal append. */
#ifndef RELO_SLOTS_H
#define RELO_SLOTS_H

#include <stdint.h>

#include "relo/port_layout.h"
#include "relo/relo_journal.h"
#include "relo/relo_status.h"

/* What the package in a slot says about itself (read from flash, not yet verified: only
 * used to group slots by model; anything run is verified first). */
typedef struct {
    uint8_t name[RELO_NAME_LENGTH];
    uint32_t version;
} relo_slot_info_t;

typedef struct {
    relo_flash_layout_t layout;
    relo_journal_t journal;
    relo_slot_info_t info[RELO_SLOT_MAX]; /* zeros for FREE slots */
    uint8_t verified[RELO_SLOT_MAX];      /* RAM only: package fully verified from flash since boot */
} relo_slots_t;

/* Checks the board layout against the flash geometry, reads the journal and the name and
 * version of every slot in use. */
relo_status_t relo_slots_open(relo_slots_t *slots);

uint8_t relo_slots_count(const relo_slots_t *slots);
uint32_t relo_slots_offset(const relo_slots_t *slots, uint8_t slot);
uint32_t relo_slots_size(const relo_slots_t *slots);
uint8_t relo_slots_role(const relo_slots_t *slots, uint8_t slot); /* SLOT_ROLE */
/* The slot holding model `name` in `role`, or RELO_JOURNAL_NO_SLOT. */
uint8_t relo_slots_find(const relo_slots_t *slots, const uint8_t name[RELO_NAME_LENGTH], uint8_t role);
/* The ACTIVE slot of the model requests use by default, or RELO_JOURNAL_NO_SLOT. */
uint8_t relo_slots_default(const relo_slots_t *slots);
/* The slot on trial, or RELO_JOURNAL_NO_SLOT. */
uint8_t relo_slots_trial(const relo_slots_t *slots);
uint32_t relo_slots_security_counter(const relo_slots_t *slots);

/* Where a package of model `name` with signed head id `head_id` goes: the slot of an
 * interrupted install of the same head, else the model's BACKUP, else a FREE slot, else
 * another model's BACKUP; RELO_JOURNAL_NO_SLOT when every slot is ACTIVE. */
uint8_t relo_slots_install_target(const relo_slots_t *slots, const uint8_t name[RELO_NAME_LENGTH],
                                  const uint8_t head_id[RELO_JOURNAL_HEAD_ID_SIZE]);

/* Install progress (resume). `claim` starts a fresh transfer into `slot`: the slot becomes
 * FREE (it may have been a BACKUP) and any older checkpoint is forgotten. `progress` records
 * that package bytes [0, checkpoint) of that transfer are programmed. */
relo_status_t relo_slots_claim(relo_slots_t *slots, uint8_t slot, const uint8_t head_id[RELO_JOURNAL_HEAD_ID_SIZE]);
relo_status_t relo_slots_install_progress(relo_slots_t *slots, uint8_t slot,
                                          const uint8_t head_id[RELO_JOURNAL_HEAD_ID_SIZE], uint32_t checkpoint);
/* The checkpoint to resume the install of `head_id` into `slot` from, or 0. */
uint32_t relo_slots_resume_offset(const relo_slots_t *slots, uint8_t slot,
                                  const uint8_t head_id[RELO_JOURNAL_HEAD_ID_SIZE]);

/* Trial and confirm. A TRIAL found at boot means the device was reset before confirming:
 * the caller reverts. */
relo_status_t relo_slots_start_trial(relo_slots_t *slots, uint8_t slot, const uint8_t name[RELO_NAME_LENGTH],
                                     uint32_t version);
/* The trial slot becomes its model's ACTIVE one and the default model, the previous ACTIVE
 * its BACKUP (an older BACKUP is freed). The security counter rises to `security_counter`
 * if that is higher (it never decreases). */
relo_status_t relo_slots_confirm(relo_slots_t *slots, uint32_t security_counter, uint8_t event, uint32_t detail);
/* The trial slot is freed; the model's ACTIVE slot was never touched. */
relo_status_t relo_slots_revert(relo_slots_t *slots, uint8_t event, uint32_t detail);

/* Model management by name. UNKNOWN_MODEL when no ACTIVE slot has that name; NO_BACKUP
 * when a rollback has nothing to go back to. */
relo_status_t relo_slots_rollback(relo_slots_t *slots, const uint8_t name[RELO_NAME_LENGTH]);
relo_status_t relo_slots_erase(relo_slots_t *slots, const uint8_t name[RELO_NAME_LENGTH]);
relo_status_t relo_slots_set_default(relo_slots_t *slots, const uint8_t name[RELO_NAME_LENGTH]);

#endif /* RELO_SLOTS_H */
