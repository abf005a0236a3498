/* SPDX-License-Identifier: Apache-2.0 */
/* Slot roles over the board layout and the journal: every change builds the next journal
 * snapshot from the current one and appends it, so it happens entirely or not at all. */
#include <string.h>

#include "relo/port_flash.h"
#include "relo/relo_endian.h"
#include "relo/relo_slots.h"

static int region_ok(const relo_flash_geometry_t *geometry, uint32_t offset, uint32_t size)
{
    return size > 0 && offset % geometry->sector_size == 0 && size % geometry->sector_size == 0 &&
           (uint64_t)offset + size <= geometry->size;
}

static int regions_disjoint(uint32_t a, uint32_t a_size, uint32_t b, uint32_t b_size)
{
    return (uint64_t)a + a_size <= b || (uint64_t)b + b_size <= a;
}

/* A board layout mistake would make the core erase the wrong sectors: refuse it. */
static int layout_ok(const relo_flash_layout_t *layout, const relo_flash_geometry_t *geometry)
{
    if (geometry->sector_size == 0 || geometry->write_size == 0 || layout->slot_count < 2 ||
        layout->slot_count > RELO_SLOT_MAX) {
        return 0;
    }
    uint32_t offsets[2 + RELO_SLOT_MAX] = {layout->journal_offset[0], layout->journal_offset[1]};
    uint32_t sizes[2 + RELO_SLOT_MAX] = {geometry->sector_size, geometry->sector_size};
    uint32_t count = 2u + layout->slot_count;
    for (uint32_t i = 2; i < count; i++) {
        offsets[i] = layout->slot_offset[i - 2u];
        sizes[i] = layout->slot_size;
    }
    for (uint32_t i = 0; i < count; i++) {
        if (!region_ok(geometry, offsets[i], sizes[i])) {
            return 0;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (!regions_disjoint(offsets[i], sizes[i], offsets[j], sizes[j])) {
                return 0;
            }
        }
    }
    return 1;
}

/* Name and version from the package header and manifest in flash (zeros if unreadable). */
static void read_info(relo_slots_t *slots, uint8_t slot)
{
    relo_slot_info_t *info = &slots->info[slot];
    memset(info, 0, sizeof *info);
    uint32_t offset = slots->layout.slot_offset[slot];
    uint8_t header[RELO_PACKAGE_HEADER_SIZE];
    uint8_t version[4];
    if (relo_flash_read(offset, header, sizeof header) != 0) {
        return;
    }
    uint32_t manifest = relo_load32_le(header + RELO_PACKAGE_HEADER_MANIFEST_OFFSET_OFF);
    if (manifest > slots->layout.slot_size - RELO_MANIFEST_SIZE ||
        relo_flash_read(offset + manifest + RELO_MANIFEST_NAME_OFF, info->name, RELO_NAME_LENGTH) != 0 ||
        relo_flash_read(offset + manifest + RELO_MANIFEST_VERSION_OFF, version, sizeof version) != 0) {
        memset(info, 0, sizeof *info);
        return;
    }
    info->version = relo_load32_le(version);
}

relo_status_t relo_slots_open(relo_slots_t *slots)
{
    const relo_flash_layout_t *layout = relo_flash_layout();
    const relo_flash_geometry_t *geometry = relo_flash_geometry();
    if (slots == 0 || layout == 0 || geometry == 0 || !layout_ok(layout, geometry)) {
        return RELO_STATUS_FLASH_ERROR;
    }
    memset(slots, 0, sizeof *slots);
    slots->layout = *layout;
    relo_status_t status = relo_journal_open(&slots->journal);
    for (uint8_t slot = 0; status == RELO_STATUS_OK && slot < layout->slot_count; slot++) {
        if (relo_slots_role(slots, slot) != RELO_SLOT_ROLE_FREE) {
            read_info(slots, slot);
        }
    }
    return status;
}

uint8_t relo_slots_count(const relo_slots_t *slots) { return slots->layout.slot_count; }

uint32_t relo_slots_offset(const relo_slots_t *slots, uint8_t slot)
{
    return slots->layout.slot_offset[slot < slots->layout.slot_count ? slot : 0];
}

uint32_t relo_slots_size(const relo_slots_t *slots) { return slots->layout.slot_size; }

uint8_t relo_slots_role(const relo_slots_t *slots, uint8_t slot)
{
    return slot < slots->layout.slot_count ? slots->journal.entry.role[slot] : RELO_SLOT_ROLE_FREE;
}

uint8_t relo_slots_find(const relo_slots_t *slots, const uint8_t name[RELO_NAME_LENGTH], uint8_t role)
{
    for (uint8_t slot = 0; slot < slots->layout.slot_count; slot++) {
        if (relo_slots_role(slots, slot) == role && memcmp(slots->info[slot].name, name, RELO_NAME_LENGTH) == 0) {
            return slot;
        }
    }
    return RELO_JOURNAL_NO_SLOT;
}

static uint8_t first_with_role(const relo_slots_t *slots, uint8_t role)
{
    for (uint8_t slot = 0; slot < slots->layout.slot_count; slot++) {
        if (relo_slots_role(slots, slot) == role) {
            return slot;
        }
    }
    return RELO_JOURNAL_NO_SLOT;
}

uint8_t relo_slots_default(const relo_slots_t *slots) { return slots->journal.entry.default_slot; }

uint8_t relo_slots_trial(const relo_slots_t *slots) { return first_with_role(slots, RELO_SLOT_ROLE_TRIAL); }

uint32_t relo_slots_security_counter(const relo_slots_t *slots) { return slots->journal.entry.security_counter; }

uint8_t relo_slots_install_target(const relo_slots_t *slots, const uint8_t name[RELO_NAME_LENGTH],
                                  const uint8_t head_id[RELO_JOURNAL_HEAD_ID_SIZE])
{
    const relo_journal_entry_t *entry = &slots->journal.entry;
    uint8_t interrupted = entry->install_slot;
    if (interrupted != RELO_JOURNAL_NO_SLOT && relo_slots_role(slots, interrupted) == RELO_SLOT_ROLE_FREE &&
        memcmp(entry->install_head_id, head_id, RELO_JOURNAL_HEAD_ID_SIZE) == 0) {
        return interrupted;
    }
    uint8_t slot = relo_slots_find(slots, name, RELO_SLOT_ROLE_BACKUP);
    if (slot == RELO_JOURNAL_NO_SLOT) {
        slot = first_with_role(slots, RELO_SLOT_ROLE_FREE);
    }
    if (slot == RELO_JOURNAL_NO_SLOT) {
        slot = first_with_role(slots, RELO_SLOT_ROLE_BACKUP);
    }
    return slot;
}

/* The current snapshot with the install progress set (or forgotten, with NO_SLOT). */
static relo_journal_entry_t with_progress(const relo_slots_t *slots, uint8_t slot,
                                          const uint8_t head_id[RELO_JOURNAL_HEAD_ID_SIZE], uint32_t checkpoint)
{
    relo_journal_entry_t entry = slots->journal.entry;
    entry.install_slot = slot;
    entry.install_checkpoint = checkpoint;
    memset(entry.install_head_id, 0, RELO_JOURNAL_HEAD_ID_SIZE);
    if (head_id != 0) {
        memcpy(entry.install_head_id, head_id, RELO_JOURNAL_HEAD_ID_SIZE);
    }
    return entry;
}

static relo_status_t append(relo_slots_t *slots, const relo_journal_entry_t *entry)
{
    return relo_journal_append(&slots->journal, entry);
}

relo_status_t relo_slots_claim(relo_slots_t *slots, uint8_t slot, const uint8_t head_id[RELO_JOURNAL_HEAD_ID_SIZE])
{
    if (slot >= slots->layout.slot_count || relo_slots_role(slots, slot) == RELO_SLOT_ROLE_ACTIVE ||
        relo_slots_role(slots, slot) == RELO_SLOT_ROLE_TRIAL) {
        return RELO_STATUS_NO_FREE_SLOT;
    }
    relo_journal_entry_t entry = with_progress(slots, slot, head_id, 0);
    entry.role[slot] = RELO_SLOT_ROLE_FREE;
    relo_status_t status = append(slots, &entry);
    if (status == RELO_STATUS_OK) {
        memset(&slots->info[slot], 0, sizeof slots->info[slot]);
    }
    return status;
}

relo_status_t relo_slots_install_progress(relo_slots_t *slots, uint8_t slot,
                                          const uint8_t head_id[RELO_JOURNAL_HEAD_ID_SIZE], uint32_t checkpoint)
{
    relo_journal_entry_t entry = with_progress(slots, slot, head_id, checkpoint);
    return append(slots, &entry);
}

uint32_t relo_slots_resume_offset(const relo_slots_t *slots, uint8_t slot,
                                  const uint8_t head_id[RELO_JOURNAL_HEAD_ID_SIZE])
{
    const relo_journal_entry_t *entry = &slots->journal.entry;
    int same = entry->install_slot == slot && relo_slots_role(slots, slot) == RELO_SLOT_ROLE_FREE &&
               memcmp(entry->install_head_id, head_id, RELO_JOURNAL_HEAD_ID_SIZE) == 0;
    return same ? entry->install_checkpoint : 0;
}

relo_status_t relo_slots_start_trial(relo_slots_t *slots, uint8_t slot, const uint8_t name[RELO_NAME_LENGTH],
                                     uint32_t version)
{
    if (slot >= slots->layout.slot_count || relo_slots_role(slots, slot) != RELO_SLOT_ROLE_FREE ||
        relo_slots_trial(slots) != RELO_JOURNAL_NO_SLOT) {
        return RELO_STATUS_NO_FREE_SLOT;
    }
    relo_journal_entry_t entry = with_progress(slots, RELO_JOURNAL_NO_SLOT, 0, 0); /* the transfer is over */
    entry.role[slot] = RELO_SLOT_ROLE_TRIAL;
    relo_status_t status = append(slots, &entry);
    if (status == RELO_STATUS_OK) {
        memcpy(slots->info[slot].name, name, RELO_NAME_LENGTH);
        slots->info[slot].version = version;
    }
    return status;
}

static void set_event(relo_journal_entry_t *entry, uint8_t event, uint32_t detail)
{
    entry->event = event;
    entry->event_detail = detail;
}

relo_status_t relo_slots_confirm(relo_slots_t *slots, uint32_t security_counter, uint8_t event, uint32_t detail)
{
    uint8_t trial = relo_slots_trial(slots);
    if (trial == RELO_JOURNAL_NO_SLOT) {
        return RELO_STATUS_NO_INSTALL;
    }
    const uint8_t *name = slots->info[trial].name;
    uint8_t active = relo_slots_find(slots, name, RELO_SLOT_ROLE_ACTIVE);
    uint8_t backup = relo_slots_find(slots, name, RELO_SLOT_ROLE_BACKUP);
    relo_journal_entry_t entry = slots->journal.entry;
    if (backup != RELO_JOURNAL_NO_SLOT) {
        entry.role[backup] = RELO_SLOT_ROLE_FREE;
    }
    if (active != RELO_JOURNAL_NO_SLOT) {
        entry.role[active] = RELO_SLOT_ROLE_BACKUP;
    }
    entry.role[trial] = RELO_SLOT_ROLE_ACTIVE;
    entry.default_slot = trial; /* what was pushed last is what runs, as before several models */
    if (security_counter > entry.security_counter) {
        entry.security_counter = security_counter;
    }
    set_event(&entry, event, detail);
    return append(slots, &entry);
}

relo_status_t relo_slots_revert(relo_slots_t *slots, uint8_t event, uint32_t detail)
{
    uint8_t trial = relo_slots_trial(slots);
    if (trial == RELO_JOURNAL_NO_SLOT) {
        return RELO_STATUS_NO_INSTALL;
    }
    relo_journal_entry_t entry = slots->journal.entry;
    entry.role[trial] = RELO_SLOT_ROLE_FREE;
    set_event(&entry, event, detail);
    return append(slots, &entry);
}

relo_status_t relo_slots_rollback(relo_slots_t *slots, const uint8_t name[RELO_NAME_LENGTH])
{
    uint8_t active = relo_slots_find(slots, name, RELO_SLOT_ROLE_ACTIVE);
    uint8_t backup = relo_slots_find(slots, name, RELO_SLOT_ROLE_BACKUP);
    if (active == RELO_JOURNAL_NO_SLOT) {
        return RELO_STATUS_UNKNOWN_MODEL;
    }
    if (backup == RELO_JOURNAL_NO_SLOT) {
        return RELO_STATUS_NO_BACKUP;
    }
    relo_journal_entry_t entry = slots->journal.entry;
    entry.role[active] = RELO_SLOT_ROLE_BACKUP;
    entry.role[backup] = RELO_SLOT_ROLE_ACTIVE;
    if (entry.default_slot == active) {
        entry.default_slot = backup;
    }
    set_event(&entry, RELO_EVENT_ROLLED_BACK, backup);
    return append(slots, &entry);
}

relo_status_t relo_slots_erase(relo_slots_t *slots, const uint8_t name[RELO_NAME_LENGTH])
{
    uint8_t active = relo_slots_find(slots, name, RELO_SLOT_ROLE_ACTIVE);
    if (active == RELO_JOURNAL_NO_SLOT) {
        return RELO_STATUS_UNKNOWN_MODEL;
    }
    relo_journal_entry_t entry = slots->journal.entry;
    entry.role[active] = RELO_SLOT_ROLE_FREE;
    uint8_t backup = relo_slots_find(slots, name, RELO_SLOT_ROLE_BACKUP);
    if (backup != RELO_JOURNAL_NO_SLOT) {
        entry.role[backup] = RELO_SLOT_ROLE_FREE;
    }
    if (entry.default_slot == active) { /* another model, if any, becomes the default */
        entry.default_slot = RELO_JOURNAL_NO_SLOT;
        for (uint8_t slot = 0; slot < slots->layout.slot_count && entry.default_slot == RELO_JOURNAL_NO_SLOT; slot++) {
            entry.default_slot = entry.role[slot] == RELO_SLOT_ROLE_ACTIVE ? slot : RELO_JOURNAL_NO_SLOT;
        }
    }
    set_event(&entry, RELO_EVENT_ERASED, active);
    return append(slots, &entry);
}

relo_status_t relo_slots_set_default(relo_slots_t *slots, const uint8_t name[RELO_NAME_LENGTH])
{
    uint8_t active = relo_slots_find(slots, name, RELO_SLOT_ROLE_ACTIVE);
    if (active == RELO_JOURNAL_NO_SLOT) {
        return RELO_STATUS_UNKNOWN_MODEL;
    }
    relo_journal_entry_t entry = slots->journal.entry;
    entry.default_slot = active;
    set_event(&entry, RELO_EVENT_ACTIVATED, active);
    return append(slots, &entry);
}
