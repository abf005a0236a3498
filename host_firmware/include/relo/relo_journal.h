/* SPDX-License-Identifier: Apache-2.0 */
/* Power-fail-safe record of which slot is active.
 *
 * Two dedicated flash sectors hold append-only records
 *   {magic, seq, slot, state, package_size, CRC-32}
 * each programmed in one write. The valid record with the highest seq wins; a torn or
 * partially erased record fails its CRC and is skipped. When the current sector is full,
 * the new record is written into the other sector after erasing it, so at every instant
 * one sector holds the newest complete record: nothing is ever rewritten in place. */
#ifndef RELO_JOURNAL_H
#define RELO_JOURNAL_H

#include <stdint.h>

#include "relo/relo_status.h"

#define RELO_JOURNAL_MAGIC 0x4C4E524Au /* "JRNL" */
#define RELO_JOURNAL_RECORD_SIZE 32u   /* bytes used; the slot is rounded up to the write unit */
#define RELO_JOURNAL_MAX_WRITE_UNIT 256u

/* Record layout, little-endian. */
#define RELO_JOURNAL_MAGIC_OFF 0u
#define RELO_JOURNAL_SEQ_OFF 4u
#define RELO_JOURNAL_SLOT_OFF 8u
#define RELO_JOURNAL_STATE_OFF 9u
#define RELO_JOURNAL_PACKAGE_SIZE_OFF 12u
#define RELO_JOURNAL_CRC_OFF 28u /* CRC-32 of bytes [0, 28) */

typedef enum {
    RELO_JOURNAL_STATE_ACTIVE = 1, /* `slot` holds the model to boot */
    RELO_JOURNAL_STATE_EMPTY = 2,  /* no model is active */
} relo_journal_state_t;

#define RELO_JOURNAL_NO_SLOT 0xFFu

typedef struct {
    uint32_t sector_offset[2];
    uint32_t sector_size;
    uint32_t record_stride; /* record size rounded up to the flash write unit */
    /* newest valid record */
    uint8_t has_record;
    uint32_t seq;
    uint8_t slot;  /* RELO_JOURNAL_NO_SLOT unless state is ACTIVE */
    uint8_t state;
    uint32_t package_size;
    /* where the next record goes */
    uint8_t current_sector;
    uint32_t next_record; /* offset inside the current sector */
} relo_journal_t;

/* Scans both sectors. FLASH_ERROR on an unusable layout or a read failure. */
relo_status_t relo_journal_open(relo_journal_t *journal);
/* Appends a record making `slot` the active one (or, with RELO_JOURNAL_NO_SLOT, none). */
relo_status_t relo_journal_commit(relo_journal_t *journal, uint8_t slot, uint32_t package_size);

#endif /* RELO_JOURNAL_H */
