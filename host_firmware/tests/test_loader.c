/* SPDX-License-Identifier: Apache-2.0 */
/* Relocation: the C loader must produce exactly the image make_fixtures.py computed. */
#include <stdlib.h>
#include <string.h>

#include "flash_sim.h"
#include "relo/relo_endian.h"
#include "relo/relo_loader.h"
#include "relo_test.h"
#include "test_support.h"

#define XIP 0x21000000u
#define RAM 0x20100000u

static relo_status_t relocate_fixture(const char *name, uint8_t **image_out, uint32_t *detail)
{
    uint32_t size;
    const uint8_t *raw = relo_test_fixture(name, &size);
    static relo_package_t package;
    CHECK_EQ(relo_package_parse(raw, size, &package), RELO_STATUS_OK);
    relo_flash_sim_reset(0xFF);
    CHECK_EQ(support_store(SUPPORT_SLOT0, raw, size), 0);
    relo_reader_t bytes = relo_reader_from_flash(SUPPORT_SLOT0, size);
    const relo_segment_t *data = &package.segments[package.data_index];
    uint32_t image_size = relo_package_ram_image_size(&package);
    uint8_t *image = calloc(1, image_size);
    memcpy(image, raw + data->offset, data->size);
    uint32_t code = XIP + SUPPORT_SLOT0 + package.segments[package.code_index].offset;
    uint32_t weights = package.weights_index == RELO_NO_SEGMENT
                           ? code
                           : XIP + SUPPORT_SLOT0 + package.segments[package.weights_index].offset;
    relo_reloc_bases_t bases = {code, weights, RAM};
    relo_status_t dry = relo_loader_relocate(&package, &bytes, NULL, NULL, detail);
    relo_status_t status = relo_loader_relocate(&package, &bytes, image, &bases, detail);
    CHECK_EQ(dry, status);
    *image_out = image;
    return status;
}

static void check_matches_python(const char *package_name, const char *image_name)
{
    uint8_t *image = NULL;
    uint32_t detail = 0;
    CHECK_EQ(relocate_fixture(package_name, &image, &detail), RELO_STATUS_OK);
    uint32_t expected_size;
    const uint8_t *expected = relo_test_fixture(image_name, &expected_size);
    CHECK(memcmp(image, expected, expected_size) == 0);
    free(image);
}

static void test_relocation_matches_python(void) { check_matches_python("good.rmod", "good.image"); }
static void test_split_relocation_matches_python(void) { check_matches_python("split.rmod", "split.image"); }

static void test_out_of_range_value_refused(void)
{
    uint8_t *image = NULL;
    uint32_t detail = 99;
    CHECK_EQ(relocate_fixture("badreloc.rmod", &image, &detail), RELO_STATUS_BAD_RELOCATION);
    CHECK_EQ(detail, 0);
    free(image);
}

/* Edits the relocation table in flash (the loader reads it from there) and relocates. */
static relo_status_t relocate_with_entry(uint32_t index, uint32_t entry, uint32_t *detail)
{
    uint32_t size;
    const uint8_t *raw = relo_test_fixture("good.rmod", &size);
    relo_package_t package;
    CHECK_EQ(relo_package_parse(raw, size, &package), RELO_STATUS_OK);
    uint8_t *copy = malloc(size);
    memcpy(copy, raw, size);
    relo_store32_le(copy + package.segments[package.reloc_index].offset + 4u * index, entry);
    relo_flash_sim_reset(0xFF);
    CHECK_EQ(support_store(SUPPORT_SLOT0, copy, size), 0);
    free(copy);
    relo_reader_t bytes = relo_reader_from_flash(SUPPORT_SLOT0, size);
    return relo_loader_relocate(&package, &bytes, NULL, NULL, detail);
}

static void test_entry_rules(void)
{
    uint32_t detail = 0;
    /* entries of good.rmod: 0|CODE, 8|RAM, 12|WEIGHTS, 16|CODE, 20|RAM, 28|WEIGHTS */
    CHECK_EQ(relocate_with_entry(1, 8u | 3u, &detail), RELO_STATUS_BAD_RELOCATION); /* unknown target */
    CHECK_EQ(detail, 1);
    CHECK_EQ(relocate_with_entry(5, 32u | 1u, &detail), RELO_STATUS_BAD_RELOCATION); /* past data image */
    CHECK_EQ(detail, 5);
    CHECK_EQ(relocate_with_entry(2, 8u | 2u, &detail), RELO_STATUS_BAD_RELOCATION); /* same word twice */
    CHECK_EQ(detail, 2);
    CHECK_EQ(relocate_with_entry(0, 0xFFFFFFFCu, &detail), RELO_STATUS_BAD_RELOCATION);
    CHECK_EQ(detail, 0);
    CHECK_EQ(relocate_with_entry(1, 4u | 2u, &detail), RELO_STATUS_BAD_RELOCATION); /* 0xDEADBEEF > RAM size */
}

RELO_TEST_SUITE(suite_loader, {"loader_relocation_matches_python", test_relocation_matches_python},
                {"loader_split_relocation_matches_python", test_split_relocation_matches_python},
                {"loader_out_of_range_value_refused", test_out_of_range_value_refused},
                {"loader_entry_rules", test_entry_rules});
