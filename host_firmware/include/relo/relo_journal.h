/* SPDX-License-Identifier: Apache-2.0 */
/* Power-fail-safe record of the device's slot roles, security counter and install progress.
 *
 * Two dedicated flash sectors hold append-only records, each a complete snapshot
 * (relo_journal_entry_t) with a magic, a sequence number and a CRC-32, programmed in one
 * write. The valid record with the highest seq wins; a torn or partially erased record fails
 * its CRC and is skipped. When the current sector is full, the new record is written into the
 * other sector after erasing it, so at every instant one sector holds the newest complete
 * record: nothing is ever rewritten in place.
 *
 * Because every record is a whole snapshot, a state change (start a trial, confirm, revert,
 * roll back, erase, checkpoint an install) is one append: a power cut leaves either the old
 * state or the new. */
#ifndef RELO_JOURNAL_H
#define RELO_JOURNAL_H

#include <stdint.h>

#include "relo/port_layout.h"
#include "relo/relo_format.h"
#include "relo/relo_status.h"

#define RELO_JOURNAL_MAGIC 0x334E524Au /* "JRN3": snapshot records with slot roles */
#define RELO_JOURNAL_RECORD_SIZE 64u   /* bytes used; the slot is rounded up to the write unit */
#define RELO_JOURNAL_MAX_WRITE_UNIT 256u
#define RELO_JOURNAL_HEAD_ID_SIZE 20u  /* leading bytes of the SHA-256 of an install's signed head */

/* Record layout, little-endian. */
#define RELO_JOURNAL_MAGIC_OFF 0u
#define RELO_JOURNAL_SEQ_OFF 4u
#define RELO_JOURNAL_SECURITY_COUNTER_OFF 8u
#define RELO_JOURNAL_EVENT_DETAIL_OFF 12u
#define RELO_JOURNAL_ROLE_OFF 16u /* u8 x RELO_SLOT_MAX: SLOT_ROLE of each slot */
#define RELO_JOURNAL_DEFAULT_SLOT_OFF 24u
#define RELO_JOURNAL_EVENT_OFF 25u
#define RELO_JOURNAL_INSTALL_SLOT_OFF 26u
#define RELO_JOURNAL_INSTALL_CHECKPOINT_OFF 28u
#define RELO_JOURNAL_INSTALL_HEAD_ID_OFF 32u
#define RELO_JOURNAL_CRC_OFF 60u /* CRC-32 of bytes [0, 60) */

#define RELO_JOURNAL_NO_SLOT 0xFFu

/* One snapshot of everything the device must remember across a power cut. Which model a
 * slot belongs to is its package's manifest name, read from flash (relo_slots.h). */
typedef struct {
    uint8_t role[RELO_SLOT_MAX]; /* SLOT_ROLE: FREE, ACTIVE, BACKUP or (at most one) TRIAL */
    uint8_t default_slot;        /* ACTIVE slot of the model requests use by default, or NO_SLOT */
    uint32_t security_counter;   /* packages below it are refused; never decreases */
    uint8_t event;               /* EVENT: the last decision the device took by itself */
    uint32_t event_detail;
    /* an install in progress, for resuming it: install_slot is RELO_JOURNAL_NO_SLOT when none */
    uint8_t install_slot;
    uint32_t install_checkpoint; /* package bytes [0, checkpoint) are programmed in the slot */
    uint8_t install_head_id[RELO_JOURNAL_HEAD_ID_SIZE];
} relo_journal_entry_t;

typedef struct {
    uint32_t sector_offset[2];
    uint32_t sector_size;
    uint8_t slot_count;     /* from the board layout: roles of further slots must be FREE */
    uint32_t record_stride; /* record size rounded up to the flash write unit */
    /* newest valid record (an empty state when there is none) */
    uint8_t has_record;
    uint32_t seq;
    relo_journal_entry_t entry;
    /* where the next record goes */
    uint8_t current_sector;
    uint32_t next_record; /* offset inside the current sector */
} relo_journal_t;

/* Scans both sectors. FLASH_ERROR on an unusable layout or a read failure. */
relo_status_t relo_journal_open(relo_journal_t *journal);
/* Appends `entry` as the new state. FLASH_ERROR for an inconsistent entry (it would be
 * skipped when read back) or a flash failure; then the previous state stays in force. */
relo_status_t relo_journal_append(relo_journal_t *journal, const relo_journal_entry_t *entry);

#endif /* RELO_JOURNAL_H */
