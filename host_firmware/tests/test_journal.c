/* SPDX-License-Identifier: Apache-2.0 */
/* The slot journal and slot manager, including power cuts at every flash operation. */
#include <string.h>

#include "flash_sim.h"
#include "relo/port_flash.h"
#include "relo/relo_journal.h"
#include "relo/relo_slots.h"
#include "relo_test.h"

static void test_blank_flash_has_no_active_slot(void)
{
    static const uint8_t fills[] = {0xFF, 0x00}; /* erased NOR, and a fresh emulator file */
    for (size_t i = 0; i < sizeof fills; i++) {
        relo_flash_sim_reset(fills[i]);
        relo_slots_t slots;
        CHECK_EQ(relo_slots_open(&slots), RELO_STATUS_OK);
        CHECK_EQ(relo_slots_active(&slots), RELO_JOURNAL_NO_SLOT);
        CHECK_EQ(relo_slots_install_target(&slots), 0);
        CHECK_EQ(relo_slots_offset(&slots, 1), 0x140000);
        CHECK_EQ(relo_slots_activate(&slots, 0, 1000), RELO_STATUS_OK);
        relo_slots_t reopened;
        CHECK_EQ(relo_slots_open(&reopened), RELO_STATUS_OK);
        CHECK_EQ(relo_slots_active(&reopened), 0);
        CHECK_EQ(reopened.journal.package_size, 1000);
        CHECK_EQ(relo_slots_install_target(&reopened), 1);
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
        CHECK_EQ(relo_journal_commit(&journal, slot, i), RELO_STATUS_OK);
        if (i % 1000 == 0 || i + 3 >= total || (i + 1) % per_sector == 0 || i % per_sector == 0) {
            relo_journal_t reopened;
            CHECK_EQ(relo_journal_open(&reopened), RELO_STATUS_OK);
            CHECK_EQ(reopened.slot, slot);
            CHECK_EQ(reopened.package_size, i);
            CHECK_EQ(reopened.seq, journal.seq);
            CHECK_EQ(reopened.next_record, journal.next_record);
            CHECK_EQ(reopened.current_sector, journal.current_sector);
        }
    }
    CHECK_EQ(journal.current_sector, 0);
    CHECK_EQ(relo_journal_commit(&journal, RELO_JOURNAL_NO_SLOT, 0), RELO_STATUS_OK);
    relo_journal_t reopened;
    CHECK_EQ(relo_journal_open(&reopened), RELO_STATUS_OK);
    CHECK_EQ(reopened.state, RELO_JOURNAL_STATE_EMPTY);
    CHECK_EQ(relo_journal_commit(&journal, 2, 0), RELO_STATUS_FLASH_ERROR); /* no slot 2 */
}

static void test_garbage_records_are_skipped(void)
{
    relo_flash_sim_reset(0xFF);
    relo_journal_t journal;
    CHECK_EQ(relo_journal_open(&journal), RELO_STATUS_OK);
    CHECK_EQ(relo_journal_commit(&journal, 1, 77), RELO_STATUS_OK);
    /* a torn record after it: programmed bits, bad CRC */
    uint8_t torn[RELO_FLASH_SIM_WRITE_SIZE];
    memset(torn, 0xFF, sizeof torn);
    memset(torn, 0x00, 12);
    CHECK_EQ(relo_flash_program(journal.next_record, torn, sizeof torn), 0);
    relo_journal_t reopened;
    CHECK_EQ(relo_journal_open(&reopened), RELO_STATUS_OK);
    CHECK_EQ(reopened.slot, 1);
    CHECK_EQ(reopened.package_size, 77);
    CHECK_EQ(reopened.next_record, journal.next_record + journal.record_stride); /* never reuses it */
    CHECK_EQ(relo_journal_commit(&reopened, 0, 88), RELO_STATUS_OK);
    CHECK_EQ(relo_journal_open(&reopened), RELO_STATUS_OK);
    CHECK_EQ(reopened.slot, 0);
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
            CHECK_EQ(relo_journal_commit(&journal, 0, 10), RELO_STATUS_OK);
            if (fill_sector_first) {
                while (journal.next_record + journal.record_stride <= RELO_FLASH_SIM_SECTOR_SIZE) {
                    CHECK_EQ(relo_journal_commit(&journal, 0, 10), RELO_STATUS_OK);
                }
            }
            relo_flash_sim_cut_power_after(k, tear);
            relo_status_t status = relo_journal_commit(&journal, 1, 20);
            relo_flash_sim_power_on();
            relo_journal_t after;
            CHECK_EQ(relo_journal_open(&after), RELO_STATUS_OK);
            CHECK(after.slot == 0 || after.slot == 1);
            if (status == RELO_STATUS_OK) {
                CHECK_EQ(after.slot, 1);
            } else {
                CHECK_EQ(after.slot, 0);
                /* and the journal still works after the reboot */
                CHECK_EQ(relo_journal_commit(&after, 1, 20), RELO_STATUS_OK);
                relo_journal_t again;
                CHECK_EQ(relo_journal_open(&again), RELO_STATUS_OK);
                CHECK_EQ(again.slot, 1);
            }
        }
    }
}

static void test_power_cut_during_append(void) { cut_during_commit(0); }
static void test_power_cut_during_sector_switch(void) { cut_during_commit(1); }

RELO_TEST_SUITE(suite_journal, {"journal_blank_flash", test_blank_flash_has_no_active_slot},
                {"journal_newest_record_wins_across_switches", test_newest_record_wins_across_sector_switches},
                {"journal_garbage_records_skipped", test_garbage_records_are_skipped},
                {"journal_power_cut_during_append", test_power_cut_during_append},
                {"journal_power_cut_during_sector_switch", test_power_cut_during_sector_switch});
