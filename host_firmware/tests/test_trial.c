/* SPDX-License-Identifier: Apache-2.0 */
/* Updates that cannot brick the device: trial and confirm with golden test vectors,
 * reverts, resume after an interrupted transfer, anti-rollback, and power cuts (plain and
 * torn) at every flash operation of an install, a confirm and a revert. The stand-in model
 * computes output[i] = input[i] + 1, which the fixtures' vectors expect. */
#include <string.h>

#include "board_host.h"
#include "flash_sim.h"
#include "relo/port_flash.h"
#include "relo/relo_device.h"
#include "relo/relo_selftest.h"
#include "relo_test.h"
#include "test_support.h"

#define INPUT_AT 0u   /* the fixtures' tensors, see make_fixtures.py */
#define OUTPUT_AT 64u

static relo_device_t device;

static int32_t plus_one_model(uintptr_t entry, uint8_t *arena, void *static_base)
{
    (void)entry;
    (void)static_base;
    for (uint32_t i = 0; i < 4; i++) {
        arena[OUTPUT_AT + i] = (uint8_t)(arena[INPUT_AT + i] + 1u);
    }
    return 0;
}

static void reboot(void)
{
    relo_trusted_key_t key = support_trusted_key();
    CHECK_EQ(relo_device_init(&device, &key), RELO_STATUS_OK);
}

static void boot_blank(void)
{
    relo_flash_sim_reset(0xFF);
    relo_board_host_set_model(plus_one_model);
    reboot();
}

static relo_status_t install(const char *name, uint32_t *detail)
{
    uint32_t size, resumed_at;
    const uint8_t *raw = relo_test_fixture(name, &size);
    return support_install(&device, raw, size, 1000, size, &resumed_at, detail);
}

static void check_running(uint8_t slot, uint32_t version)
{
    CHECK(device.model.loaded);
    CHECK_EQ(device.model.slot, slot);
    CHECK_EQ(device.model.package.version, version);
    CHECK_EQ(relo_slots_default(&device.slots), slot);
    CHECK_EQ(relo_slots_trial(&device.slots), RELO_JOURNAL_NO_SLOT);
}

#define V123 0x01020003u
#define V130 0x01030000u

static void test_vectors_confirm_the_new_model(void)
{
    boot_blank();
    uint32_t detail = 0;
    CHECK_EQ(install("good.rmod", &detail), RELO_STATUS_OK);
    CHECK_EQ(device.slots.journal.entry.event, RELO_EVENT_CONFIRMED_UNTESTED);
    CHECK_EQ(install("vectors.rmod", &detail), RELO_STATUS_OK);
    check_running(1, V130);
    CHECK_EQ(device.slots.journal.entry.event, RELO_EVENT_CONFIRMED);
    CHECK_EQ(device.slots.journal.entry.event_detail, 2);
    reboot();
    check_running(1, V130);
    CHECK_EQ(device.slots.journal.entry.event, RELO_EVENT_CONFIRMED);
}

static void test_vectors_that_disagree_revert(void)
{
    boot_blank();
    uint32_t detail = 0;
    CHECK_EQ(install("good.rmod", &detail), RELO_STATUS_OK);
    CHECK_EQ(install("badvectors.rmod", &detail), RELO_STATUS_SELF_TEST_FAILED);
    CHECK_EQ(detail, 1); /* vector 0 passed, vector 1 expects a wrong byte */
    check_running(0, V123);
    CHECK_EQ(device.slots.journal.entry.event, RELO_EVENT_SELF_TEST_FAILED);
    CHECK_EQ(device.slots.journal.entry.event_detail, 1);
    reboot();
    check_running(0, V123);
    /* a failed first install leaves no model, and says why */
    boot_blank();
    CHECK_EQ(install("badvectors.rmod", &detail), RELO_STATUS_SELF_TEST_FAILED);
    CHECK(!device.model.loaded);
    CHECK_EQ(relo_slots_default(&device.slots), RELO_JOURNAL_NO_SLOT);
    CHECK_EQ(device.slots.journal.entry.event, RELO_EVENT_SELF_TEST_FAILED);
}

static void test_model_that_computes_wrongly_fails_its_self_test(void)
{
    boot_blank();
    uint32_t detail = 0;
    CHECK_EQ(install("vectors.rmod", &detail), RELO_STATUS_OK);
    uint32_t vectors = 0;
    CHECK_EQ(relo_selftest_run(&device.model, &vectors, &detail), RELO_STATUS_OK);
    CHECK_EQ(vectors, 2);
    device.model.package.tensors[1].size_bytes = 3; /* the segment no longer fits the tensors */
    CHECK_EQ(relo_selftest_run(&device.model, &vectors, &detail), RELO_STATUS_MALFORMED_PACKAGE);
}

static void test_reset_during_trial_reverts(void)
{
    boot_blank();
    uint32_t detail = 0;
    CHECK_EQ(install("good.rmod", &detail), RELO_STATUS_OK);
    /* the state INSTALL_END journals before running the new model */
    CHECK_EQ(relo_slots_start_trial(&device.slots, 1, device.model.package.name, V130), RELO_STATUS_OK);
    CHECK_EQ(relo_slots_trial(&device.slots), 1);
    CHECK_EQ(relo_slots_default(&device.slots), 0); /* a model on trial is never the default */
    reboot();
    check_running(0, V123);
    CHECK_EQ(relo_slots_role(&device.slots, 1), RELO_SLOT_ROLE_FREE);
    CHECK_EQ(device.slots.journal.entry.event, RELO_EVENT_TRIAL_INTERRUPTED);
    CHECK_EQ(device.slots.journal.entry.event_detail, 1);
    /* with nothing to go back to, a reset in trial leaves no model */
    boot_blank();
    CHECK_EQ(relo_slots_start_trial(&device.slots, 0, device.slots.info[0].name, 1), RELO_STATUS_OK);
    reboot();
    CHECK(!device.model.loaded);
    CHECK_EQ(relo_slots_default(&device.slots), RELO_JOURNAL_NO_SLOT);
}

static void test_versions_and_security_counter_only_go_forward(void)
{
    boot_blank();
    uint32_t detail = 0;
    CHECK_EQ(install("good.rmod", &detail), RELO_STATUS_OK);
    CHECK_EQ(install("old.rmod", &detail), RELO_STATUS_DOWNGRADE);
    CHECK_EQ(detail, V123);
    check_running(0, V123);
    CHECK_EQ(install("oldallowed.rmod", &detail), RELO_STATUS_OK);
    CHECK_EQ(device.model.package.version, 0x01000000u);
    CHECK_EQ(relo_slots_security_counter(&device.slots), 1);
    CHECK_EQ(install("counter9.rmod", &detail), RELO_STATUS_OK);
    CHECK_EQ(relo_slots_security_counter(&device.slots), 9);
    CHECK_EQ(install("vectors.rmod", &detail), RELO_STATUS_SECURITY_COUNTER); /* counter 1, though newer */
    CHECK_EQ(detail, 9);
    reboot();
    CHECK_EQ(relo_slots_security_counter(&device.slots), 9);
    CHECK_EQ(install("vectors.rmod", &detail), RELO_STATUS_SECURITY_COUNTER);
    CHECK_EQ(device.model.package.version, 0x01040000u);
}

static void test_interrupted_transfer_resumes_at_the_last_sector(void)
{
    boot_blank();
    uint32_t size, detail = 0, resumed_at = 0;
    const uint8_t *raw = relo_test_fixture("large.rmod", &size);
    uint32_t sector = RELO_FLASH_SIM_SECTOR_SIZE;
    CHECK_EQ(support_install(&device, raw, size, 2044, 2 * sector + 100, &resumed_at, &detail), RELO_STATUS_OK);
    reboot(); /* the device reset; the host starts again */
    CHECK_EQ(support_install(&device, raw, size, 2044, 2 * sector + 50, &resumed_at, &detail), RELO_STATUS_OK);
    CHECK_EQ(resumed_at, 2 * sector);
    relo_installer_abort(&device.installer); /* the host gave up: still resumable */
    CHECK_EQ(support_install(&device, raw, size, 2044, size, &resumed_at, &detail), RELO_STATUS_OK);
    CHECK_EQ(resumed_at, 2 * sector);
    CHECK(memcmp(relo_flash_sim_storage() + SUPPORT_SLOT0, raw, size) == 0);
    check_running(0, V123);
    /* the next install (into slot 1) starts from its head: the checkpoint ended with the trial */
    CHECK_EQ(support_install(&device, raw, size, 2044, sector + 100, &resumed_at, &detail), RELO_STATUS_OK);
    CHECK_EQ(resumed_at, relo_package_head_size(raw, size));
    /* an interrupted install of another package into that slot overwrites its first sector:
     * the old checkpoint must be forgotten, or a resume would keep the other package's bytes */
    uint32_t other_size;
    const uint8_t *other = relo_test_fixture("good.rmod", &other_size);
    CHECK_EQ(support_install(&device, other, other_size, 64, other_size / 2, &resumed_at, &detail), RELO_STATUS_OK);
    reboot();
    CHECK_EQ(support_install(&device, raw, size, 2044, size, &resumed_at, &detail), RELO_STATUS_OK);
    CHECK_EQ(resumed_at, relo_package_head_size(raw, size));
    CHECK(memcmp(relo_flash_sim_storage() + SUPPORT_SLOT1, raw, size) == 0);
}

/* Transfer of large.rmod cut by a power loss at flash operation k (plain or torn), then
 * pushed again after the reboot: it must complete, byte-exact, whatever k was, and resume
 * from a checkpoint whenever one was journalled. */
static void test_power_cut_then_resume_at_every_operation(void)
{
    uint32_t size, detail = 0, resumed_at = 0;
    const uint8_t *raw = relo_test_fixture("large.rmod", &size);
    uint32_t resumed = 0;
    for (uint32_t k = 0;; k++) {
        boot_blank();
        relo_flash_sim_cut_power_after(k, (int)(k % 2));
        relo_status_t status = support_install(&device, raw, size, 2044, size, &resumed_at, &detail);
        int powered = relo_flash_sim_powered();
        relo_flash_sim_power_on();
        if (powered) {
            CHECK_EQ(status, RELO_STATUS_OK);
            break;
        }
        reboot();
        CHECK_EQ(support_install(&device, raw, size, 2044, size, &resumed_at, &detail), RELO_STATUS_OK);
        CHECK(memcmp(relo_flash_sim_storage() + SUPPORT_SLOT0, raw, size) == 0);
        check_running(0, V123);
        resumed += resumed_at > relo_package_head_size(raw, size);
        if (k > 400) {
            CHECK(0 && "the install never finished without a cut");
            break;
        }
    }
    CHECK(resumed > 0);
}

/* A power cut at every flash operation of an install that ends in a confirm, and of one that
 * ends in a revert: after the reboot the device runs the new model only if it was confirmed,
 * else the previous one; it never runs a model that is still on trial, and never nothing. */
static void cut_during_trial(const char *name, relo_status_t expected)
{
    uint32_t size, detail = 0, resumed_at = 0;
    const uint8_t *raw = relo_test_fixture(name, &size);
    int trial_cuts = 0;
    for (uint32_t k = 0;; k++) {
        boot_blank();
        CHECK_EQ(install("good.rmod", &detail), RELO_STATUS_OK);
        relo_flash_sim_cut_power_after(k, (int)(k % 2));
        relo_status_t status = support_install(&device, raw, size, 512, size, &resumed_at, &detail);
        int powered = relo_flash_sim_powered();
        int was_in_trial = relo_slots_trial(&device.slots) != RELO_JOURNAL_NO_SLOT;
        relo_flash_sim_power_on();
        reboot();
        CHECK_EQ(device.boot_status, RELO_STATUS_OK);
        CHECK_EQ(device.model.slot, status == RELO_STATUS_OK ? 1 : 0);
        CHECK_EQ(relo_slots_trial(&device.slots), RELO_JOURNAL_NO_SLOT);
        if (was_in_trial) {
            trial_cuts++;
            CHECK_EQ(device.slots.journal.entry.event, RELO_EVENT_TRIAL_INTERRUPTED);
        }
        if (powered) {
            CHECK_EQ(status, expected);
            break;
        }
    }
    CHECK(trial_cuts > 0);
}

static void test_power_cut_during_confirm(void) { cut_during_trial("vectors.rmod", RELO_STATUS_OK); }
static void test_power_cut_during_revert(void) { cut_during_trial("badvectors.rmod", RELO_STATUS_SELF_TEST_FAILED); }

/* A power cut (plain or torn) at every flash operation of a rollback, also when the journal
 * must switch sectors: the device then runs either version, as the status said, never none. */
static void test_power_cut_during_rollback(void)
{
    static const uint8_t name[RELO_NAME_LENGTH] = "fixture";
    for (int fill = 0; fill < 2; fill++) {
        for (uint32_t k = 0; k < 3; k++) {
            boot_blank();
            uint32_t detail = 0;
            CHECK_EQ(install("good.rmod", &detail), RELO_STATUS_OK);
            CHECK_EQ(install("vectors.rmod", &detail), RELO_STATUS_OK);
            relo_journal_t *journal = &device.slots.journal;
            while (fill && journal->next_record + journal->record_stride <= RELO_FLASH_SIM_SECTOR_SIZE) {
                CHECK_EQ(relo_journal_append(journal, &journal->entry), RELO_STATUS_OK);
            }
            relo_flash_sim_cut_power_after(k, (int)(k % 2));
            relo_status_t status = relo_slots_rollback(&device.slots, name);
            relo_flash_sim_power_on();
            reboot();
            CHECK_EQ(device.boot_status, RELO_STATUS_OK);
            if (status == RELO_STATUS_OK) {
                check_running(0, V123);
            } else {
                check_running(1, V130);
            }
        }
    }
}

/* Roles through trials, confirms, rollback, default changes and erase; what is journalled
 * survives a reopen, across a sector switch. */
static void test_roles_of_named_models(void)
{
    boot_blank();
    static const uint8_t a[RELO_NAME_LENGTH] = "a", b[RELO_NAME_LENGTH] = "b", zz[RELO_NAME_LENGTH] = "zz";
    static const uint8_t head_id[RELO_JOURNAL_HEAD_ID_SIZE] = {9, 9, 9};
    relo_slots_t *slots = &device.slots;
    uint32_t per_sector = RELO_FLASH_SIM_SECTOR_SIZE / slots->journal.record_stride;
    for (uint32_t i = 0; i < per_sector + 3; i++) {
        CHECK_EQ(relo_slots_install_progress(slots, 1, head_id, i * 0x20000u), RELO_STATUS_OK);
    }
    CHECK_EQ(relo_slots_start_trial(slots, 0, a, 1), RELO_STATUS_OK);
    CHECK_EQ(relo_slots_confirm(slots, 42, RELO_EVENT_CONFIRMED, 3), RELO_STATUS_OK);
    CHECK_EQ(slots->journal.entry.install_slot, RELO_JOURNAL_NO_SLOT); /* the trial ended the transfer */
    CHECK_EQ(relo_slots_start_trial(slots, 1, b, 1), RELO_STATUS_OK);
    CHECK_EQ(relo_slots_confirm(slots, 7, RELO_EVENT_CONFIRMED, 3), RELO_STATUS_OK);
    CHECK_EQ(relo_slots_default(slots), 1); /* the model installed last is the default */
    CHECK_EQ(relo_slots_security_counter(slots), 42); /* never decreases */
    CHECK_EQ(relo_slots_install_target(slots, a, head_id), 2);
    CHECK_EQ(relo_slots_start_trial(slots, 2, a, 2), RELO_STATUS_OK);
    CHECK_EQ(relo_slots_confirm(slots, 50, RELO_EVENT_CONFIRMED, 3), RELO_STATUS_OK);
    CHECK_EQ(relo_slots_role(slots, 0), RELO_SLOT_ROLE_BACKUP);
    CHECK_EQ(relo_slots_default(slots), 2); /* follows its model's new version */
    CHECK_EQ(relo_slots_install_target(slots, a, head_id), 0); /* a model's BACKUP first: A/B */
    CHECK_EQ(relo_slots_install_target(slots, b, head_id), 3);
    CHECK_EQ(relo_slots_confirm(slots, 1, RELO_EVENT_CONFIRMED, 3), RELO_STATUS_NO_INSTALL);
    CHECK_EQ(relo_slots_revert(slots, RELO_EVENT_NONE, 0), RELO_STATUS_NO_INSTALL);
    CHECK_EQ(relo_slots_rollback(slots, a), RELO_STATUS_OK);
    CHECK_EQ(relo_slots_find(slots, a, RELO_SLOT_ROLE_ACTIVE), 0);
    CHECK_EQ(relo_slots_find(slots, a, RELO_SLOT_ROLE_BACKUP), 2);
    CHECK_EQ(relo_slots_default(slots), 0);
    CHECK_EQ(relo_slots_rollback(slots, b), RELO_STATUS_NO_BACKUP);
    CHECK_EQ(relo_slots_rollback(slots, zz), RELO_STATUS_UNKNOWN_MODEL);
    CHECK_EQ(relo_slots_set_default(slots, b), RELO_STATUS_OK);
    CHECK_EQ(relo_slots_default(slots), 1);
    CHECK_EQ(relo_slots_set_default(slots, zz), RELO_STATUS_UNKNOWN_MODEL);
    CHECK_EQ(relo_slots_erase(slots, b), RELO_STATUS_OK);
    CHECK_EQ(relo_slots_role(slots, 1), RELO_SLOT_ROLE_FREE);
    CHECK_EQ(relo_slots_default(slots), 0); /* the remaining model */
    CHECK_EQ(relo_slots_erase(slots, b), RELO_STATUS_UNKNOWN_MODEL);
    relo_slots_t reopened; /* (names come from flash, which holds no packages here) */
    CHECK_EQ(relo_slots_open(&reopened), RELO_STATUS_OK);
    static const uint8_t roles[8] = {RELO_SLOT_ROLE_ACTIVE, RELO_SLOT_ROLE_FREE, RELO_SLOT_ROLE_BACKUP};
    CHECK(memcmp(reopened.journal.entry.role, roles, sizeof roles) == 0);
    CHECK_EQ(relo_slots_default(&reopened), 0);
    CHECK_EQ(relo_slots_security_counter(&reopened), 50);
    CHECK_EQ(reopened.journal.entry.event, RELO_EVENT_ERASED);
    CHECK_EQ(reopened.journal.current_sector, 1);
}

/* Every slot ACTIVE: a new model has nowhere to go and is refused before anything is written. */
static void test_no_free_slot(void)
{
    boot_blank();
    static const uint8_t head_id[RELO_JOURNAL_HEAD_ID_SIZE] = {0};
    uint8_t name[RELO_NAME_LENGTH] = "m0";
    for (uint8_t slot = 0; slot < relo_slots_count(&device.slots); slot++) {
        name[1] = (uint8_t)('0' + slot);
        CHECK_EQ(relo_slots_start_trial(&device.slots, slot, name, 1), RELO_STATUS_OK);
        CHECK_EQ(relo_slots_confirm(&device.slots, 0, RELO_EVENT_CONFIRMED, 1), RELO_STATUS_OK);
    }
    CHECK_EQ(relo_slots_install_target(&device.slots, device.slots.info[0].name, head_id), RELO_JOURNAL_NO_SLOT);
    uint32_t before = relo_flash_sim_operations(), detail = 0;
    CHECK_EQ(install("good.rmod", &detail), RELO_STATUS_NO_FREE_SLOT);
    CHECK_EQ(detail, 8);
    CHECK_EQ(relo_flash_sim_operations(), before);
}

/* Two named models side by side: each request selects one; the other is loaded (verified
 * once per boot) when selected; a reboot starts the default one. */
static void test_two_models_side_by_side(void)
{
    boot_blank();
    uint32_t detail = 0;
    CHECK_EQ(install("good.rmod", &detail), RELO_STATUS_OK);
    CHECK_EQ(install("other.rmod", &detail), RELO_STATUS_OK); /* a different name: no downgrade */
    CHECK_EQ(relo_slots_role(&device.slots, 0), RELO_SLOT_ROLE_ACTIVE);
    CHECK_EQ(relo_slots_role(&device.slots, 1), RELO_SLOT_ROLE_ACTIVE);
    CHECK_EQ(relo_slots_default(&device.slots), 1); /* the model installed last */
    reboot();
    check_running(1, 0x00010000u);
    CHECK_EQ(relo_device_select(&device, 1, &detail), RELO_STATUS_OK); /* selector = 1 + slot */
    CHECK_EQ(device.model.slot, 0);
    CHECK_EQ(device.model.package.version, V123);
    CHECK_EQ(relo_device_select(&device, RELO_MODEL_SELECTOR_DEFAULT, &detail), RELO_STATUS_OK);
    CHECK_EQ(device.model.slot, 1);
    CHECK_EQ(relo_device_select(&device, 3, &detail), RELO_STATUS_UNKNOWN_MODEL);
    CHECK_EQ(detail, 3);
    /* a corrupted byte in the other model's slot is caught when it is first selected */
    reboot();
    relo_flash_sim_storage()[SUPPORT_SLOT0 + 700] ^= 0x10; /* in its CODE segment */
    CHECK_EQ(relo_device_select(&device, 1, &detail), RELO_STATUS_DIGEST_MISMATCH);
    CHECK(!device.model.loaded);
    CHECK_EQ(relo_device_select(&device, RELO_MODEL_SELECTOR_DEFAULT, &detail), RELO_STATUS_OK);
}

RELO_TEST_SUITE(suite_trial, {"trial_vectors_confirm", test_vectors_confirm_the_new_model},
                {"trial_vectors_disagree_revert", test_vectors_that_disagree_revert},
                {"trial_selftest_checks_segment", test_model_that_computes_wrongly_fails_its_self_test},
                {"trial_reset_reverts", test_reset_during_trial_reverts},
                {"trial_versions_only_forward", test_versions_and_security_counter_only_go_forward},
                {"trial_resume_at_last_sector", test_interrupted_transfer_resumes_at_the_last_sector},
                {"trial_power_cut_then_resume", test_power_cut_then_resume_at_every_operation},
                {"trial_power_cut_during_confirm", test_power_cut_during_confirm},
                {"trial_power_cut_during_revert", test_power_cut_during_revert},
                {"trial_power_cut_during_rollback", test_power_cut_during_rollback},
                {"trial_roles_of_named_models", test_roles_of_named_models},
                {"trial_no_free_slot", test_no_free_slot},
                {"trial_two_models_side_by_side", test_two_models_side_by_side});
