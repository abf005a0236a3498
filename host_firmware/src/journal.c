/* SPDX-License-Identifier: Apache-2.0 */
/* The slot journal: see relo_journal.h for the power-fail argument. */
#include <string.h>

#include "relo/port_flash.h"
#include "relo/port_layout.h"
#include "relo/relo_crc32.h"
#include "relo/relo_endian.h"
#include "relo/relo_journal.h"

typedef struct {
    uint32_t seq;
    uint8_t slot;
    uint8_t state;
    uint32_t package_size;
} journal_record_t;

static int unit_is_erased(const uint8_t *unit, uint32_t length)
{
    for (uint32_t i = 0; i < length; i++) {
        if (unit[i] != 0xFF) {
            return 0;
        }
    }
    return 1;
}

static int record_decode(const uint8_t *raw, journal_record_t *record)
{
    if (relo_load32_le(raw + RELO_JOURNAL_MAGIC_OFF) != RELO_JOURNAL_MAGIC ||
        relo_load32_le(raw + RELO_JOURNAL_CRC_OFF) != relo_crc32_compute(raw, RELO_JOURNAL_CRC_OFF)) {
        return -1;
    }
    record->seq = relo_load32_le(raw + RELO_JOURNAL_SEQ_OFF);
    record->slot = raw[RELO_JOURNAL_SLOT_OFF];
    record->state = raw[RELO_JOURNAL_STATE_OFF];
    record->package_size = relo_load32_le(raw + RELO_JOURNAL_PACKAGE_SIZE_OFF);
    int active_ok = record->state == RELO_JOURNAL_STATE_ACTIVE && record->slot < RELO_SLOT_COUNT;
    int empty_ok = record->state == RELO_JOURNAL_STATE_EMPTY && record->slot == RELO_JOURNAL_NO_SLOT;
    return active_ok || empty_ok ? 0 : -1;
}

static void record_encode(uint8_t *raw, uint32_t stride, const journal_record_t *record)
{
    memset(raw, 0xFF, stride); /* padding stays erased */
    memset(raw, 0, RELO_JOURNAL_RECORD_SIZE);
    relo_store32_le(raw + RELO_JOURNAL_MAGIC_OFF, RELO_JOURNAL_MAGIC);
    relo_store32_le(raw + RELO_JOURNAL_SEQ_OFF, record->seq);
    raw[RELO_JOURNAL_SLOT_OFF] = record->slot;
    raw[RELO_JOURNAL_STATE_OFF] = record->state;
    relo_store32_le(raw + RELO_JOURNAL_PACKAGE_SIZE_OFF, record->package_size);
    relo_store32_le(raw + RELO_JOURNAL_CRC_OFF, relo_crc32_compute(raw, RELO_JOURNAL_CRC_OFF));
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
        journal_record_t record;
        if (record_decode(raw, &record) != 0) {
            continue;
        }
        if (!journal->has_record || seq_newer(record.seq, journal->seq)) {
            journal->has_record = 1;
            journal->seq = record.seq;
            journal->slot = record.slot;
            journal->state = record.state;
            journal->package_size = record.package_size;
            journal->current_sector = sector;
        }
    }
    return RELO_STATUS_OK;
}

relo_status_t relo_journal_open(relo_journal_t *journal)
{
    const relo_flash_layout_t *layout = relo_flash_layout();
    const relo_flash_geometry_t *geometry = relo_flash_geometry();
    if (journal == 0 || layout == 0 || geometry == 0 || geometry->write_size == 0 ||
        geometry->write_size > RELO_JOURNAL_MAX_WRITE_UNIT) {
        return RELO_STATUS_FLASH_ERROR;
    }
    memset(journal, 0, sizeof *journal);
    journal->sector_offset[0] = layout->journal_offset[0];
    journal->sector_offset[1] = layout->journal_offset[1];
    journal->sector_size = geometry->sector_size;
    uint32_t unit = geometry->write_size;
    journal->record_stride = (RELO_JOURNAL_RECORD_SIZE + unit - 1u) / unit * unit;
    journal->slot = RELO_JOURNAL_NO_SLOT;
    journal->state = RELO_JOURNAL_STATE_EMPTY;
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

relo_status_t relo_journal_commit(relo_journal_t *journal, uint8_t slot, uint32_t package_size)
{
    if (journal == 0 || (slot >= RELO_SLOT_COUNT && slot != RELO_JOURNAL_NO_SLOT)) {
        return RELO_STATUS_FLASH_ERROR;
    }
    journal_record_t record = {
        journal->has_record ? journal->seq + 1u : 1u,
        slot,
        slot == RELO_JOURNAL_NO_SLOT ? RELO_JOURNAL_STATE_EMPTY : RELO_JOURNAL_STATE_ACTIVE,
        slot == RELO_JOURNAL_NO_SLOT ? 0 : package_size,
    };
    if (journal->next_record + journal->record_stride > journal->sector_size) {
        relo_status_t status = switch_sector(journal);
        if (status != RELO_STATUS_OK) {
            return status;
        }
    }
    uint8_t raw[RELO_JOURNAL_MAX_WRITE_UNIT];
    record_encode(raw, journal->record_stride, &record);
    uint32_t at = journal->next_record;
    /* Whatever happens, this unit is used: never program it twice. */
    journal->next_record += journal->record_stride;
    if (relo_flash_program(journal->sector_offset[journal->current_sector] + at, raw, journal->record_stride) != 0) {
        return RELO_STATUS_FLASH_ERROR;
    }
    journal->has_record = 1;
    journal->seq = record.seq;
    journal->slot = record.slot;
    journal->state = record.state;
    journal->package_size = record.package_size;
    return RELO_STATUS_OK;
}
