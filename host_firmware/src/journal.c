/* SPDX-License-Identifier: Apache-2.0 */
/* The slot journal: see relo_journal.h for the power-fail argument. */
#include <string.h>

#include "relo/port_flash.h"
#include "relo/port_layout.h"
#include "relo/relo_crc32.h"
#include "relo/relo_endian.h"
#include "relo/relo_journal.h"

static int unit_is_erased(const uint8_t *unit, uint32_t length)
{
    for (uint32_t i = 0; i < length; i++) {
        if (unit[i] != 0xFF) {
            return 0;
        }
    }
    return 1;
}

static int slot_or_none(const relo_journal_t *journal, uint8_t slot)
{
    return slot < journal->slot_count || slot == RELO_JOURNAL_NO_SLOT;
}

/* What the core writes; anything else would be a corrupt record: known roles, none beyond
 * the board's slots, at most one TRIAL, a default that is ACTIVE. */
static int entry_ok(const relo_journal_t *journal, const relo_journal_entry_t *entry)
{
    uint32_t trials = 0;
    for (uint32_t slot = 0; slot < RELO_SLOT_MAX; slot++) {
        uint8_t role = entry->role[slot];
        if (role > RELO_SLOT_ROLE_TRIAL || (slot >= journal->slot_count && role != RELO_SLOT_ROLE_FREE)) {
            return 0;
        }
        trials += role == RELO_SLOT_ROLE_TRIAL;
    }
    int default_ok = entry->default_slot == RELO_JOURNAL_NO_SLOT ||
                     (entry->default_slot < journal->slot_count && entry->role[entry->default_slot] == RELO_SLOT_ROLE_ACTIVE);
    return trials <= 1 && default_ok && slot_or_none(journal, entry->install_slot);
}

static int record_decode(const relo_journal_t *journal, const uint8_t *raw, uint32_t *seq, relo_journal_entry_t *entry)
{
    if (relo_load32_le(raw + RELO_JOURNAL_MAGIC_OFF) != RELO_JOURNAL_MAGIC ||
        relo_load32_le(raw + RELO_JOURNAL_CRC_OFF) != relo_crc32_compute(raw, RELO_JOURNAL_CRC_OFF)) {
        return -1;
    }
    *seq = relo_load32_le(raw + RELO_JOURNAL_SEQ_OFF);
    entry->security_counter = relo_load32_le(raw + RELO_JOURNAL_SECURITY_COUNTER_OFF);
    entry->event_detail = relo_load32_le(raw + RELO_JOURNAL_EVENT_DETAIL_OFF);
    memcpy(entry->role, raw + RELO_JOURNAL_ROLE_OFF, RELO_SLOT_MAX);
    entry->default_slot = raw[RELO_JOURNAL_DEFAULT_SLOT_OFF];
    entry->event = raw[RELO_JOURNAL_EVENT_OFF];
    entry->install_slot = raw[RELO_JOURNAL_INSTALL_SLOT_OFF];
    entry->install_checkpoint = relo_load32_le(raw + RELO_JOURNAL_INSTALL_CHECKPOINT_OFF);
    memcpy(entry->install_head_id, raw + RELO_JOURNAL_INSTALL_HEAD_ID_OFF, RELO_JOURNAL_HEAD_ID_SIZE);
    return entry_ok(journal, entry) ? 0 : -1;
}

static void record_encode(uint8_t *raw, uint32_t stride, uint32_t seq, const relo_journal_entry_t *entry)
{
    memset(raw, 0xFF, stride); /* padding stays erased */
    memset(raw, 0, RELO_JOURNAL_RECORD_SIZE);
    relo_store32_le(raw + RELO_JOURNAL_MAGIC_OFF, RELO_JOURNAL_MAGIC);
    relo_store32_le(raw + RELO_JOURNAL_SEQ_OFF, seq);
    relo_store32_le(raw + RELO_JOURNAL_SECURITY_COUNTER_OFF, entry->security_counter);
    relo_store32_le(raw + RELO_JOURNAL_EVENT_DETAIL_OFF, entry->event_detail);
    memcpy(raw + RELO_JOURNAL_ROLE_OFF, entry->role, RELO_SLOT_MAX);
    raw[RELO_JOURNAL_DEFAULT_SLOT_OFF] = entry->default_slot;
    raw[RELO_JOURNAL_EVENT_OFF] = entry->event;
    raw[RELO_JOURNAL_INSTALL_SLOT_OFF] = entry->install_slot;
    relo_store32_le(raw + RELO_JOURNAL_INSTALL_CHECKPOINT_OFF, entry->install_checkpoint);
    memcpy(raw + RELO_JOURNAL_INSTALL_HEAD_ID_OFF, entry->install_head_id, RELO_JOURNAL_HEAD_ID_SIZE);
    relo_store32_le(raw + RELO_JOURNAL_CRC_OFF, relo_crc32_compute(raw, RELO_JOURNAL_CRC_OFF));
}

/* The state of a device that never wrote a record: every slot free. */
static void entry_blank(relo_journal_entry_t *entry)
{
    memset(entry, 0, sizeof *entry);
    entry->default_slot = RELO_JOURNAL_NO_SLOT;
    entry->install_slot = RELO_JOURNAL_NO_SLOT;
}

/* Newer in serial-number arithmetic, so the sequence may wrap. */
static int seq_newer(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

/* Reads one sector: remembers its newest valid record and where its free space starts
 * (after the last unit that is not erased, torn records included). */
static relo_status_t scan_sector(relo_journal_t *journal, uint8_t sector, uint32_t *free_at)
{
    uint8_t raw[RELO_JOURNAL_MAX_WRITE_UNIT];
    *free_at = 0;
    for (uint32_t at = 0; at + journal->record_stride <= journal->sector_size; at += journal->record_stride) {
        if (relo_flash_read(journal->sector_offset[sector] + at, raw, journal->record_stride) != 0) {
            return RELO_STATUS_FLASH_ERROR;
        }
        if (unit_is_erased(raw, journal->record_stride)) {
            continue;
        }
        *free_at = at + journal->record_stride;
        uint32_t seq;
        relo_journal_entry_t entry;
        if (record_decode(journal, raw, &seq, &entry) != 0) {
            continue;
        }
        if (!journal->has_record || seq_newer(seq, journal->seq)) {
            journal->has_record = 1;
            journal->seq = seq;
            journal->entry = entry;
            journal->current_sector = sector;
        }
    }
    return RELO_STATUS_OK;
}

relo_status_t relo_journal_open(relo_journal_t *journal)
{
    const relo_flash_layout_t *layout = relo_flash_layout();
    const relo_flash_geometry_t *geometry = relo_flash_geometry();
    if (journal == 0 || layout == 0 || geometry == 0 || geometry->write_size == 0 || layout->slot_count > RELO_SLOT_MAX ||
        geometry->write_size > RELO_JOURNAL_MAX_WRITE_UNIT) {
        return RELO_STATUS_FLASH_ERROR;
    }
    memset(journal, 0, sizeof *journal);
    journal->sector_offset[0] = layout->journal_offset[0];
    journal->sector_offset[1] = layout->journal_offset[1];
    journal->sector_size = geometry->sector_size;
    journal->slot_count = layout->slot_count;
    uint32_t unit = geometry->write_size;
    journal->record_stride = (RELO_JOURNAL_RECORD_SIZE + unit - 1u) / unit * unit;
    entry_blank(&journal->entry);
    uint32_t free_at[2];
    for (uint8_t sector = 0; sector < 2; sector++) {
        relo_status_t status = scan_sector(journal, sector, &free_at[sector]);
        if (status != RELO_STATUS_OK) {
            return status;
        }
    }
    journal->next_record = free_at[journal->current_sector];
    return RELO_STATUS_OK;
}

/* Erases the other sector and makes it current. The current sector keeps the newest record
 * until the new one is written, so a power cut here loses nothing. */
static relo_status_t switch_sector(relo_journal_t *journal)
{
    uint8_t other = (uint8_t)(journal->current_sector ^ 1u);
    if (relo_flash_erase_sector(journal->sector_offset[other]) != 0) {
        return RELO_STATUS_FLASH_ERROR;
    }
    journal->current_sector = other;
    journal->next_record = 0;
    return RELO_STATUS_OK;
}

relo_status_t relo_journal_append(relo_journal_t *journal, const relo_journal_entry_t *entry)
{
    if (journal == 0 || entry == 0 || !entry_ok(journal, entry)) {
        return RELO_STATUS_FLASH_ERROR;
    }
    uint32_t seq = journal->has_record ? journal->seq + 1u : 1u;
    if (journal->next_record + journal->record_stride > journal->sector_size) {
        relo_status_t status = switch_sector(journal);
        if (status != RELO_STATUS_OK) {
            return status;
        }
    }
    uint8_t raw[RELO_JOURNAL_MAX_WRITE_UNIT];
    record_encode(raw, journal->record_stride, seq, entry);
    uint32_t at = journal->next_record;
    /* Whatever happens, this unit is used: never program it twice. */
    journal->next_record += journal->record_stride;
    if (relo_flash_program(journal->sector_offset[journal->current_sector] + at, raw, journal->record_stride) != 0) {
        return RELO_STATUS_FLASH_ERROR;
    }
    journal->has_record = 1;
    journal->seq = seq;
    journal->entry = *entry;
    return RELO_STATUS_OK;
}
