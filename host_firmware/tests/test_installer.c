/* SPDX-License-Identifier: Apache-2.0 */
/* The install state machine over the simulated flash, with C functions standing in for
 * the blob's entry points (the host cannot run Thumb code). */
#include <stdlib.h>
#include <string.h>

#include "board_host.h"
#include "flash_sim.h"
#include "relo/port_flash.h"
#include "relo/relo_device.h"
#include "relo/relo_endian.h"
#include "relo/relo_installer.h"
#include "relo_test.h"
#include "test_support.h"

static relo_device_t device;
static uintptr_t last_entry;
static void *last_static_base;
static uintptr_t failing_slot_base; /* init of a model in this slot fails, when set */

static int32_t host_model(uintptr_t entry, uint8_t *arena, void *static_base)
{
    (void)arena;
    last_entry = entry;
    last_static_base = static_base;
    uintptr_t slot1 = relo_flash_geometry()->xip_base + SUPPORT_SLOT1;
    if (failing_slot_base != 0 && entry >= slot1 && entry < slot1 + 0x100000u) {
        return 5;
    }
    return 0;
}

static void boot(uint8_t fill)
{
    relo_flash_sim_reset(fill);
    relo_board_host_set_model(host_model);
    failing_slot_base = 0;
    relo_trusted_key_t key = support_trusted_key();
    CHECK_EQ(relo_device_init(&device, &key), RELO_STATUS_OK);
}

static relo_install_env_t env(void)
{
    relo_install_env_t e = {&device.slots, &device.model, &device.key};
    return e;
}

/* Sends a whole package in `chunk`-byte pieces; returns the first non-OK status. */
static relo_status_t install(const uint8_t *raw, uint32_t size, uint32_t chunk, uint32_t *detail)
{
    uint32_t resumed_at;
    return support_install(&device, raw, size, chunk, size, &resumed_at, detail);
}

static relo_status_t install_fixture(const char *name, uint32_t *detail)
{
    uint32_t size;
    const uint8_t *raw = relo_test_fixture(name, &size);
    return install(raw, size, 1000, detail);
}

static void test_install_good_then_second_slot(void)
{
    boot(0x00);
    uint32_t detail = 0;
    CHECK_EQ(install_fixture("good.rmod", &detail), RELO_STATUS_OK);
    CHECK_EQ(relo_slots_default(&device.slots), 0);
    CHECK(device.model.loaded);
    if (!device.model.loaded) {
        return; /* nothing below can be inspected */
    }
    CHECK_EQ(device.model.slot, 0);
    const relo_package_t *package = &device.model.package;
    uintptr_t code = relo_flash_geometry()->xip_base + SUPPORT_SLOT0 + package->segments[package->code_index].offset;
    CHECK_EQ(device.model.code_address, code);
    CHECK_EQ(last_entry, code + 0x41); /* relo_model_init, Thumb bit kept */
    CHECK(last_static_base == device.model.ram_image + package->got_offset);
    CHECK_EQ(relo_load32_le(device.model.ram_image), (uint32_t)code + 0x11); /* word 0: CODE + 0x11 */
    CHECK_EQ(relo_load32_le(device.model.ram_image + 4), 0xDEADBEEFu);     /* not relocated */
    CHECK_EQ((uintptr_t)device.model.arena % package->arena_align, 0);
    CHECK(device.model.arena >= device.model.ram_image + relo_package_ram_image_size(package));
    /* the next install goes to the other slot and becomes active */
    CHECK_EQ(install_fixture("split.rmod", &detail), RELO_STATUS_OK);
    CHECK_EQ(relo_slots_default(&device.slots), 1);
    CHECK_EQ(device.model.slot, 1);
    relo_slots_t reopened;
    CHECK_EQ(relo_slots_open(&reopened), RELO_STATUS_OK);
    CHECK_EQ(relo_slots_default(&reopened), 1);
}

static void test_transfer_rules(void)
{
    boot(0xFF);
    uint32_t size, detail = 0;
    const uint8_t *raw = relo_test_fixture("good.rmod", &size);
    relo_install_env_t e = env();
    uint8_t slot;
    uint32_t next;
    CHECK_EQ(relo_installer_data(&device.installer, 0, raw, 10, &detail), RELO_STATUS_NO_INSTALL);
    CHECK_EQ(relo_installer_end(&device.installer, &e, &detail), RELO_STATUS_NO_INSTALL);
    CHECK_EQ(relo_installer_begin(&device.installer, &e, raw, size, &slot, &next, &detail), RELO_STATUS_OK);
    CHECK_EQ(slot, 0);
    relo_package_t package;
    CHECK_EQ(relo_package_parse(raw, size, &package), RELO_STATUS_OK);
    CHECK_EQ(next, package.head_size);
    CHECK_EQ(relo_installer_data(&device.installer, next + 1, raw + next + 1, 10, &detail), RELO_STATUS_OUT_OF_ORDER);
    CHECK_EQ(detail, next);
    CHECK_EQ(relo_installer_data(&device.installer, next, raw + next, size, &detail), RELO_STATUS_OUT_OF_BOUNDS);
    CHECK_EQ(detail, size);
    CHECK_EQ(relo_installer_data(&device.installer, next, raw + next, 100, &detail), RELO_STATUS_OK);
    CHECK_EQ(relo_installer_end(&device.installer, &e, &detail), RELO_STATUS_INCOMPLETE);
    CHECK_EQ(detail, next + 100);
    relo_installer_abort(&device.installer);
    CHECK_EQ(relo_installer_data(&device.installer, next + 100, raw + next + 100, 10, &detail), RELO_STATUS_NO_INSTALL);
    CHECK(!device.model.loaded);
    /* odd chunk sizes exercise the write-unit buffering */
    CHECK_EQ(install(raw, size, 7, &detail), RELO_STATUS_OK);
    CHECK(device.model.loaded);
}

static void test_begin_refusals_write_nothing(void)
{
    boot(0xFF);
    uint32_t detail = 0;
    uint32_t before = relo_flash_sim_operations();
    CHECK_EQ(install_fixture("otherkey.rmod", &detail), RELO_STATUS_UNKNOWN_KEY);
    CHECK_EQ(install_fixture("m7.rmod", &detail), RELO_STATUS_WRONG_CPU);
    CHECK_EQ(install_fixture("bigram.rmod", &detail), RELO_STATUS_NOT_ENOUGH_RAM);
    CHECK(detail > RELO_BOARD_HOST_MODEL_RAM_SIZE);
    uint32_t size;
    const uint8_t *raw = relo_test_fixture("good.rmod", &size);
    uint8_t *copy = malloc(size);
    memcpy(copy, raw, size);
    copy[RELO_PACKAGE_HEADER_SIZE + RELO_MANIFEST_MACS_OFF] ^= 1;
    CHECK_EQ(install(copy, size, 1000, &detail), RELO_STATUS_BAD_SIGNATURE);
    memcpy(copy, raw, size);
    copy[0] ^= 1;
    CHECK_EQ(install(copy, size, 1000, &detail), RELO_STATUS_BAD_MAGIC);
    free(copy);
    CHECK_EQ(relo_flash_sim_operations(), before);
}

/* Installs good.rmod into slot 0, then tries `name` into slot 1 with an optional flash
 * corruption before END; slot 0 must stay active and loaded. */
static void check_failed_second_install(const char *name, uint32_t corrupt_at, relo_status_t expected,
                                        uint32_t expected_detail)
{
    boot(0xFF);
    uint32_t detail = 0;
    CHECK_EQ(install_fixture("good.rmod", &detail), RELO_STATUS_OK);
    uint32_t size;
    const uint8_t *raw = relo_test_fixture(name, &size);
    relo_install_env_t e = env();
    uint8_t slot;
    uint32_t next;
    relo_package_t package;
    CHECK_EQ(relo_package_parse(raw, size, &package), RELO_STATUS_OK);
    CHECK_EQ(relo_installer_begin(&device.installer, &e, raw, package.head_size, &slot, &next, &detail), RELO_STATUS_OK);
    CHECK_EQ(slot, 1);
    CHECK_EQ(relo_installer_data(&device.installer, next, raw + next, size - next, &detail), RELO_STATUS_OK);
    if (corrupt_at != 0) {
        relo_flash_sim_storage()[SUPPORT_SLOT1 + corrupt_at] ^= 0x01;
    }
    CHECK_EQ(relo_installer_end(&device.installer, &e, &detail), expected);
    CHECK_EQ(detail, expected_detail);
    CHECK_EQ(relo_slots_default(&device.slots), 0);
    CHECK(device.model.loaded);
    CHECK_EQ(device.model.slot, 0);
}

static void test_corruption_in_flash_keeps_previous_model(void)
{
    uint32_t size;
    const uint8_t *raw = relo_test_fixture("good.rmod", &size);
    relo_package_t package;
    CHECK_EQ(relo_package_parse(raw, size, &package), RELO_STATUS_OK);
    check_failed_second_install("good.rmod", package.segments[1].offset + 3, RELO_STATUS_DIGEST_MISMATCH, 1);
    check_failed_second_install("good.rmod", RELO_PACKAGE_HEADER_SIZE + RELO_MANIFEST_MACS_OFF, RELO_STATUS_BAD_SIGNATURE, 0);
    check_failed_second_install("badreloc.rmod", 0, RELO_STATUS_BAD_RELOCATION, 0);
}

static void test_init_failure_restores_previous_model(void)
{
    boot(0xFF);
    uint32_t detail = 0;
    CHECK_EQ(install_fixture("good.rmod", &detail), RELO_STATUS_OK);
    failing_slot_base = 1;
    CHECK_EQ(install_fixture("split.rmod", &detail), RELO_STATUS_LOAD_FAILED);
    CHECK_EQ(detail, 5);
    CHECK_EQ(relo_slots_default(&device.slots), 0);
    CHECK(device.model.loaded);
    CHECK_EQ(device.model.slot, 0);
    relo_slots_t reopened;
    CHECK_EQ(relo_slots_open(&reopened), RELO_STATUS_OK);
    CHECK_EQ(relo_slots_default(&reopened), 0);
}

static void test_large_package_erases_lazily(void)
{
    boot(0x00); /* never-erased flash reads 0x00, so untouched sectors are visible */
    uint32_t size, detail = 0;
    const uint8_t *raw = relo_test_fixture("large.rmod", &size);
    uint32_t before = relo_flash_sim_operations();
    CHECK_EQ(install(raw, size, 2044, &detail), RELO_STATUS_OK);
    uint32_t sectors = (size + RELO_FLASH_SIM_SECTOR_SIZE - 1) / RELO_FLASH_SIM_SECTOR_SIZE;
    uint32_t operations = relo_flash_sim_operations() - before;
    uint32_t requests = (size + 2043) / 2044 + 1;
    /* erases + at most two programs per request (whole units, then a partial one) + the
     * journal (an erase and a record, on blank flash) */
    CHECK_EQ(sectors, 3);
    CHECK(operations >= sectors + requests);
    CHECK(operations <= sectors + 2 * requests + 2);
    CHECK(memcmp(relo_flash_sim_storage() + SUPPORT_SLOT0, raw, size) == 0);
    CHECK_EQ(relo_flash_sim_storage()[SUPPORT_SLOT0 + sectors * RELO_FLASH_SIM_SECTOR_SIZE], 0x00); /* not erased */
    CHECK_EQ(relo_flash_sim_storage()[SUPPORT_SLOT0 + sectors * RELO_FLASH_SIM_SECTOR_SIZE - 1], 0xFF);
}

/* A power cut at every flash operation of a second install: after reboot the device runs
 * the new model only if the install completed, else the previous one, never nothing. */
static void test_power_cut_during_install(void)
{
    uint32_t size, detail = 0;
    const uint8_t *raw = relo_test_fixture("split.rmod", &size);
    for (uint32_t k = 0; k < 64; k++) {
        boot(0xFF);
        CHECK_EQ(install_fixture("good.rmod", &detail), RELO_STATUS_OK);
        relo_flash_sim_cut_power_after(k, (int)(k % 2));
        relo_status_t status = install(raw, size, 512, &detail);
        int powered = relo_flash_sim_powered();
        relo_flash_sim_power_on();
        relo_trusted_key_t key = support_trusted_key();
        CHECK_EQ(relo_device_init(&device, &key), RELO_STATUS_OK);
        CHECK_EQ(device.boot_status, RELO_STATUS_OK);
        CHECK(device.model.loaded);
        CHECK_EQ(device.model.slot, status == RELO_STATUS_OK ? 1 : 0);
        if (powered) {
            CHECK_EQ(status, RELO_STATUS_OK); /* the cut came after everything */
            break;
        }
    }
}

RELO_TEST_SUITE(suite_installer, {"installer_good_then_second_slot", test_install_good_then_second_slot},
                {"installer_transfer_rules", test_transfer_rules},
                {"installer_begin_refusals_write_nothing", test_begin_refusals_write_nothing},
                {"installer_flash_corruption_keeps_previous", test_corruption_in_flash_keeps_previous_model},
                {"installer_init_failure_restores_previous", test_init_failure_restores_previous_model},
                {"installer_large_package_erases_lazily", test_large_package_erases_lazily},
                {"installer_power_cut_at_every_operation", test_power_cut_during_install});
