/* SPDX-License-Identifier: Apache-2.0 */
/* The slot journal and slot manager, including power cuts at every flash operation. */
#include <string.h>

#include "flash_sim.h"
#include "relo/port_flash.h"
#include "relo/relo_journal.h"
#include "relo/relo_slots.h"
#include "relo_test.h"

/* A journal state with `slot` the only (ACTIVE, default) model, `detail` as a marker. */
static relo_journal_entry_t only_model(const relo_journal_t *journal, uint8_t slot, uint32_t detail)
{
    relo_journal_entry_t entry = journal->entry;
    memset(entry.role, RELO_SLOT_ROLE_FREE, sizeof entry.role);
    entry.default_slot = slot;
    if (slot < RELO_SLOT_MAX) {
        entry.role[slot] = RELO_SLOT_ROLE_ACTIVE;
    }
    entry.event_detail = detail;
    return entry;
}

static relo_status_t commit(relo_journal_t *journal, uint8_t slot, uint32_t detail)
{
    relo_journal_entry_t entry = only_model(journal, slot, detail);
    return relo_journal_append(journal, &entry);
}

static void test_blank_flash_has_no_model(void)
{
    static const uint8_t fills[] = {0xFF, 0x00}; /* erased NOR, and a fresh emulator file */
    static const uint8_t name[RELO_NAME_LENGTH] = "kws";
    static const uint8_t head_id[RELO_JOURNAL_HEAD_ID_SIZE] = {1, 2, 3};
    for (size_t i = 0; i < sizeof fills; i++) {
        relo_flash_sim_reset(fills[i]);
        relo_slots_t slots;
        CHECK_EQ(relo_slots_open(&slots), RELO_STATUS_OK);
        CHECK_EQ(relo_slots_count(&slots), 8);
        CHECK_EQ(relo_slots_default(&slots), RELO_JOURNAL_NO_SLOT);
        CHECK_EQ(relo_slots_trial(&slots), RELO_JOURNAL_NO_SLOT);
        CHECK_EQ(relo_slots_install_target(&slots, name, head_id), 0);
        CHECK_EQ(relo_slots_offset(&slots, 1), 0x140000);
        CHECK_EQ(relo_slots_offset(&slots, 7), 0x740000);
        CHECK_EQ(relo_slots_start_trial(&slots, 0, name, 7), RELO_STATUS_OK);
        CHECK_EQ(relo_slots_confirm(&slots, 0, RELO_EVENT_CONFIRMED, 2), RELO_STATUS_OK);
        relo_slots_t reopened;
        CHECK_EQ(relo_slots_open(&reopened), RELO_STATUS_OK);
        CHECK_EQ(relo_slots_default(&reopened), 0);
        CHECK_EQ(relo_slots_role(&reopened, 0), RELO_SLOT_ROLE_ACTIVE);
        CHECK_EQ(relo_slots_install_target(&reopened, name, head_id), 1);
    }
}

static void test_newest_record_wins_across_sector_switches(void)
{
    relo_flash_sim_reset(0xFF);
    relo_journal_t journal;
    CHECK_EQ(relo_journal_open(&journal), RELO_STATUS_OK);
    uint32_t per_sector = RELO_FLASH_SIM_SECTOR_SIZE / journal.record_stride;
    uint32_t total = per_sector * 2 + 10; /* fills sector 0, then 1, then wraps to 0 */
    for (uint32_t i = 0; i < total; i++) {
        uint8_t slot = (uint8_t)(i % 2);
        CHECK_EQ(commit(&journal, slot, i), RELO_STATUS_OK);
        if (i % 1000 == 0 || i + 3 >= total || (i + 1) % per_sector == 0 || i % per_sector == 0) {
            relo_journal_t reopened;
            CHECK_EQ(relo_journal_open(&reopened), RELO_STATUS_OK);
            CHECK_EQ(reopened.entry.default_slot, slot);
            CHECK_EQ(reopened.entry.role[slot], RELO_SLOT_ROLE_ACTIVE);
            CHECK_EQ(reopened.entry.event_detail, i);
            CHECK_EQ(reopened.seq, journal.seq);
            CHECK_EQ(reopened.next_record, journal.next_record);
            CHECK_EQ(reopened.current_sector, journal.current_sector);
        }
    }
    CHECK_EQ(journal.current_sector, 0);
    CHECK_EQ(commit(&journal, RELO_JOURNAL_NO_SLOT, 0), RELO_STATUS_OK);
    relo_journal_t reopened;
    CHECK_EQ(relo_journal_open(&reopened), RELO_STATUS_OK);
    CHECK_EQ(reopened.entry.default_slot, RELO_JOURNAL_NO_SLOT);
    CHECK_EQ(commit(&journal, 8, 0), RELO_STATUS_FLASH_ERROR); /* the board has 8 slots */
    relo_journal_entry_t bad = only_model(&journal, 1, 0);
    bad.role[2] = RELO_SLOT_ROLE_TRIAL;
    bad.role[3] = RELO_SLOT_ROLE_TRIAL;
    CHECK_EQ(relo_journal_append(&journal, &bad), RELO_STATUS_FLASH_ERROR); /* one trial at most */
    bad = only_model(&journal, 1, 0);
    bad.default_slot = 2; /* not ACTIVE */
    CHECK_EQ(relo_journal_append(&journal, &bad), RELO_STATUS_FLASH_ERROR);
}

static void test_garbage_records_are_skipped(void)
{
    relo_flash_sim_reset(0xFF);
    relo_journal_t journal;
    CHECK_EQ(relo_journal_open(&journal), RELO_STATUS_OK);
    CHECK_EQ(commit(&journal, 1, 77), RELO_STATUS_OK);
    /* a torn record after it: programmed bits, bad CRC */
    uint8_t torn[RELO_FLASH_SIM_WRITE_SIZE];
    memset(torn, 0xFF, sizeof torn);
    memset(torn, 0x00, 12);
    CHECK_EQ(relo_flash_program(journal.next_record, torn, sizeof torn), 0);
    relo_journal_t reopened;
    CHECK_EQ(relo_journal_open(&reopened), RELO_STATUS_OK);
    CHECK_EQ(reopened.entry.default_slot, 1);
    CHECK_EQ(reopened.entry.event_detail, 77);
    CHECK_EQ(reopened.next_record, journal.next_record + journal.record_stride); /* never reuses it */
    CHECK_EQ(commit(&reopened, 0, 88), RELO_STATUS_OK);
    CHECK_EQ(relo_journal_open(&reopened), RELO_STATUS_OK);
    CHECK_EQ(reopened.entry.default_slot, 0);
}

/* Power cut at operation k of a commit, for every k, with and without a torn write. The
 * journal must then say either the old or the new slot, never anything else, and must say
 * the new one if the commit reported success. */
static void cut_during_commit(int fill_sector_first)
{
    for (int tear = 0; tear < 2; tear++) {
        for (uint32_t k = 0; k < 4; k++) {
            relo_flash_sim_reset(0xFF);
            relo_journal_t journal;
            CHECK_EQ(relo_journal_open(&journal), RELO_STATUS_OK);
            CHECK_EQ(commit(&journal, 0, 10), RELO_STATUS_OK);
            if (fill_sector_first) {
                while (journal.next_record + journal.record_stride <= RELO_FLASH_SIM_SECTOR_SIZE) {
                    CHECK_EQ(commit(&journal, 0, 10), RELO_STATUS_OK);
                }
            }
            relo_flash_sim_cut_power_after(k, tear);
            relo_status_t status = commit(&journal, 1, 20);
            relo_flash_sim_power_on();
            relo_journal_t after;
            CHECK_EQ(relo_journal_open(&after), RELO_STATUS_OK);
            CHECK(after.entry.default_slot == 0 || after.entry.default_slot == 1);
            if (status == RELO_STATUS_OK) {
                CHECK_EQ(after.entry.default_slot, 1);
            } else {
                CHECK_EQ(after.entry.default_slot, 0);
                /* and the journal still works after the reboot */
                CHECK_EQ(commit(&after, 1, 20), RELO_STATUS_OK);
                relo_journal_t again;
                CHECK_EQ(relo_journal_open(&again), RELO_STATUS_OK);
                CHECK_EQ(again.entry.default_slot, 1);
            }
        }
    }
}

static void test_power_cut_during_append(void) { cut_during_commit(0); }
static void test_power_cut_during_sector_switch(void) { cut_during_commit(1); }

RELO_TEST_SUITE(suite_journal, {"journal_blank_flash", test_blank_flash_has_no_model},
                {"journal_newest_record_wins_across_switches", test_newest_record_wins_across_sector_switches},
                {"journal_garbage_records_skipped", test_garbage_records_are_skipped},
                {"journal_power_cut_during_append", test_power_cut_during_append},
                {"journal_power_cut_during_sector_switch", test_power_cut_during_sector_switch});
