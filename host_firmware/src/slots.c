/* SPDX-License-Identifier: Apache-2.0 */
/* Slot bookkeeping over the board layout and the journal. */
#include "relo/port_flash.h"
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
    if (geometry->sector_size == 0 || geometry->write_size == 0) {
        return 0;
    }
    uint32_t offsets[4] = {layout->journal_offset[0], layout->journal_offset[1], layout->slot_offset[0],
                           layout->slot_offset[1]};
    uint32_t sizes[4] = {geometry->sector_size, geometry->sector_size, layout->slot_size, layout->slot_size};
    for (int i = 0; i < 4; i++) {
        if (!region_ok(geometry, offsets[i], sizes[i])) {
            return 0;
        }
        for (int j = 0; j < i; j++) {
            if (!regions_disjoint(offsets[i], sizes[i], offsets[j], sizes[j])) {
                return 0;
            }
        }
    }
    return 1;
}

relo_status_t relo_slots_open(relo_slots_t *slots)
{
    const relo_flash_layout_t *layout = relo_flash_layout();
    const relo_flash_geometry_t *geometry = relo_flash_geometry();
    if (slots == 0 || layout == 0 || geometry == 0 || !layout_ok(layout, geometry)) {
        return RELO_STATUS_FLASH_ERROR;
    }
    slots->layout = *layout;
    return relo_journal_open(&slots->journal);
}

uint8_t relo_slots_active(const relo_slots_t *slots)
{
    return slots->journal.state == RELO_JOURNAL_STATE_ACTIVE ? slots->journal.slot : RELO_JOURNAL_NO_SLOT;
}

uint8_t relo_slots_install_target(const relo_slots_t *slots)
{
    return relo_slots_active(slots) == 0 ? 1u : 0u;
}

uint32_t relo_slots_offset(const relo_slots_t *slots, uint8_t slot)
{
    return slots->layout.slot_offset[slot < RELO_SLOT_COUNT ? slot : 0];
}

uint32_t relo_slots_size(const relo_slots_t *slots) { return slots->layout.slot_size; }

relo_status_t relo_slots_activate(relo_slots_t *slots, uint8_t slot, uint32_t package_size)
{
    return relo_journal_commit(&slots->journal, slot, package_size);
}
