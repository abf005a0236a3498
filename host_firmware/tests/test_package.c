/* SPDX-License-Identifier: Apache-2.0 */
/* Head parsing: a good package's fields, then one targeted corruption per rule, then a
 * sweep of byte corruptions that must never crash or read out of bounds (ASan). */
#include <stdlib.h>
#include <string.h>

#include "relo/relo_endian.h"
#include "relo/relo_package.h"
#include "relo_test.h"

static void test_parse_good(void)
{
    uint32_t size;
    const uint8_t *raw = relo_test_fixture("good.rmod", &size);
    relo_package_t package;
    CHECK_EQ(relo_package_parse(raw, size, &package), RELO_STATUS_OK);
    CHECK_EQ(package.package_size, size);
    CHECK_EQ(package.segment_count, 3);
    CHECK_EQ(package.weights_index, RELO_NO_SEGMENT);
    CHECK_EQ(package.segments[package.code_index].size, 300);
    CHECK_EQ(package.segments[package.data_index].size, package.ram_data_size);
    CHECK_EQ(package.version, 0x01020003);
    CHECK_EQ(package.input_count, 1);
    CHECK_EQ(package.output_count, 1);
    CHECK_EQ(package.tensors[0].size_bytes, 16);
    CHECK_EQ(package.tensors[1].arena_offset, 64);
    CHECK_EQ(package.tensors[1].zero_point, 7);
    CHECK(memcmp(package.name, "fixture", 8) == 0);
    CHECK_EQ(package.head_size, package.signed_size + RELO_SIGNATURE_BLOCK_SIZE);
    CHECK_EQ(relo_package_head_size(raw, size), package.head_size);
    /* the head alone is enough */
    CHECK_EQ(relo_package_parse(raw, package.head_size, &package), RELO_STATUS_OK);
    CHECK_EQ(relo_package_parse(raw, package.head_size - 1, &package), RELO_STATUS_MALFORMED_PACKAGE);
}

static void test_parse_split(void)
{
    uint32_t size;
    const uint8_t *raw = relo_test_fixture("split.rmod", &size);
    relo_package_t package;
    CHECK_EQ(relo_package_parse(raw, size, &package), RELO_STATUS_OK);
    CHECK_EQ(package.segment_count, 4);
    CHECK_EQ(package.weights_index, 1);
    CHECK_EQ(package.segments[1].kind, RELO_SEGMENT_WEIGHTS);
}

/* Applies one edit to a copy of good.rmod and returns the parse status. */
static relo_status_t parse_edited(uint32_t offset, uint32_t value, int width)
{
    uint32_t size;
    const uint8_t *raw = relo_test_fixture("good.rmod", &size);
    uint8_t *copy = malloc(size);
    memcpy(copy, raw, size);
    if (width == 4) {
        relo_store32_le(copy + offset, value);
    } else if (width == 2) {
        relo_store16_le(copy + offset, (uint16_t)value);
    } else {
        copy[offset] = (uint8_t)value;
    }
    relo_package_t package;
    relo_status_t status = relo_package_parse(copy, size, &package);
    free(copy);
    return status;
}

#define MANIFEST(field) (RELO_PACKAGE_HEADER_SIZE + RELO_MANIFEST_##field##_OFF)
#define TENSOR(i, field) (RELO_PACKAGE_HEADER_SIZE + RELO_MANIFEST_SIZE + (i) * RELO_TENSOR_DESC_SIZE + RELO_TENSOR_DESC_##field##_OFF)

static uint32_t segtab(void)
{
    uint32_t size;
    return relo_load32_le(relo_test_fixture("good.rmod", &size) + RELO_PACKAGE_HEADER_SEGTAB_OFFSET_OFF);
}

#define SEGMENT(i, field) (segtab() + (i) * RELO_SEGMENT_ENTRY_SIZE + RELO_SEGMENT_ENTRY_##field##_OFF)

static void test_header_rules(void)
{
    CHECK_EQ(parse_edited(RELO_PACKAGE_HEADER_MAGIC_OFF, 0x12345678, 4), RELO_STATUS_BAD_MAGIC);
    CHECK_EQ(parse_edited(RELO_PACKAGE_HEADER_FORMAT_VERSION_OFF, 2, 2), RELO_STATUS_UNSUPPORTED_FORMAT);
    CHECK_EQ(parse_edited(RELO_PACKAGE_HEADER_HEADER_SIZE_OFF, 60, 2), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(RELO_PACKAGE_HEADER_SIGNATURE_ALG_OFF, 2, 2), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(RELO_PACKAGE_HEADER_SIGNATURE_SIZE_OFF, 71, 2), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(RELO_PACKAGE_HEADER_SEGMENT_ENTRY_SIZE_OFF, 52, 2), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(RELO_PACKAGE_HEADER_FLAGS_OFF, 0x80, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(RELO_PACKAGE_HEADER_SIGNED_SIZE_OFF, 0xFFFFFFF0u, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(RELO_PACKAGE_HEADER_SIGNATURE_OFFSET_OFF, 0xFFFFFFF0u, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(RELO_PACKAGE_HEADER_MANIFEST_OFFSET_OFF, 0xFFFFFFFCu, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(RELO_PACKAGE_HEADER_MANIFEST_SIZE_OFF, 0xFFFFFFFCu, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(RELO_PACKAGE_HEADER_SEGTAB_OFFSET_OFF, 0xFFFFFFFCu, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(RELO_PACKAGE_HEADER_SEGTAB_OFFSET_OFF, RELO_PACKAGE_HEADER_SIZE, 4),
             RELO_STATUS_MALFORMED_PACKAGE); /* overlaps the manifest */
    CHECK_EQ(parse_edited(RELO_PACKAGE_HEADER_SEGMENT_COUNT_OFF, 0xFFFF, 2), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(RELO_PACKAGE_HEADER_SEGMENT_COUNT_OFF, 2, 2), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(RELO_PACKAGE_HEADER_PACKAGE_SIZE_OFF, 100, 4), RELO_STATUS_MALFORMED_PACKAGE);
}

static void test_manifest_rules(void)
{
    CHECK_EQ(parse_edited(MANIFEST(INPUT_COUNT), 0, 2), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(MANIFEST(INPUT_COUNT), 17, 2), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(MANIFEST(TENSOR_DESC_SIZE), 84, 2), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(MANIFEST(ARENA_ALIGN), 24, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(MANIFEST(ARENA_ALIGN), 0, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(MANIFEST(ARENA_SIZE), 40, 4), RELO_STATUS_MALFORMED_PACKAGE); /* output past it */
    CHECK_EQ(parse_edited(MANIFEST(RAM_DATA_SIZE), 36, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(MANIFEST(RAM_BSS_SIZE), 0xFFFFFFF0u, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(MANIFEST(GOT_OFFSET), 2, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(MANIFEST(GOT_OFFSET), 36, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(MANIFEST(ENTRY_RUN), 0x80, 4), RELO_STATUS_MALFORMED_PACKAGE); /* no Thumb bit */
    CHECK_EQ(parse_edited(MANIFEST(ENTRY_INIT), 301, 4), RELO_STATUS_MALFORMED_PACKAGE); /* past CODE */
    CHECK_EQ(parse_edited(MANIFEST(ENTRY_RESET), 0x1001, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(MANIFEST(ENTRY_RESET), 0x21, 4), RELO_STATUS_OK);
    CHECK_EQ(parse_edited(MANIFEST(TARGET_CPU), 5, 2), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(MANIFEST(FLAGS), 0x100, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(MANIFEST(NAME) + 31, 'x', 1), RELO_STATUS_MALFORMED_PACKAGE); /* not NUL terminated */
}

static void test_tensor_rules(void)
{
    CHECK_EQ(parse_edited(TENSOR(0, DTYPE), 9, 1), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(TENSOR(0, RANK), 7, 1), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(TENSOR(0, RANK), 1, 1), RELO_STATUS_MALFORMED_PACKAGE); /* dims[1] != 0 */
    CHECK_EQ(parse_edited(TENSOR(0, SIZE_BYTES), 17, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(TENSOR(0, DIMS) + 4, 0x40000000u, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(TENSOR(1, ARENA_OFFSET), 0xFFFFFFFEu, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(TENSOR(1, ARENA_OFFSET), 252, 4), RELO_STATUS_OK); /* ends exactly at the arena end */
    CHECK_EQ(parse_edited(TENSOR(1, ARENA_OFFSET), 253, 4), RELO_STATUS_MALFORMED_PACKAGE);
}

static void test_segment_rules(void)
{
    CHECK_EQ(parse_edited(SEGMENT(0, KIND), RELO_SEGMENT_DATA, 2), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(SEGMENT(1, KIND), RELO_SEGMENT_WEIGHTS, 2), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(SEGMENT(0, OFFSET), 0, 4), RELO_STATUS_MALFORMED_PACKAGE); /* over the head */
    uint32_t size;
    const uint8_t *raw = relo_test_fixture("good.rmod", &size);
    uint32_t code_offset = relo_load32_le(raw + SEGMENT(0, OFFSET));
    CHECK_EQ(parse_edited(SEGMENT(0, OFFSET), code_offset + 4, 4), RELO_STATUS_MALFORMED_PACKAGE); /* unaligned */
    CHECK_EQ(parse_edited(SEGMENT(0, OFFSET), code_offset + 64, 4), RELO_STATUS_MALFORMED_PACKAGE); /* overlap/gap */
    CHECK_EQ(parse_edited(SEGMENT(0, SIZE), 0xFFFFFFF0u, 4), RELO_STATUS_MALFORMED_PACKAGE);
    CHECK_EQ(parse_edited(SEGMENT(0, SIZE), 400, 4), RELO_STATUS_MALFORMED_PACKAGE); /* into DATA */
    CHECK_EQ(parse_edited(SEGMENT(2, SIZE), 6, 4), RELO_STATUS_MALFORMED_PACKAGE);    /* reloc not words */
    CHECK_EQ(parse_edited(SEGMENT(1, SIZE), 28, 4), RELO_STATUS_MALFORMED_PACKAGE);   /* != ram_data_size */
    CHECK_EQ(parse_edited(SEGMENT(1, FLAGS), 1, 2), RELO_STATUS_MALFORMED_PACKAGE);
}

/* Every byte of the head, set to a few nasty values: never a crash, never OK with a
 * segment outside the package. */
static void test_corruption_sweep(void)
{
    uint32_t size;
    const uint8_t *raw = relo_test_fixture("good.rmod", &size);
    relo_package_t good;
    CHECK_EQ(relo_package_parse(raw, size, &good), RELO_STATUS_OK);
    uint8_t *copy = malloc(good.head_size);
    static const uint8_t values[] = {0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF};
    for (uint32_t at = 0; at < good.signed_size; at++) {
        for (size_t v = 0; v < sizeof values; v++) {
            memcpy(copy, raw, good.head_size); /* a heap copy of exactly the head: ASan sees overreads */
            copy[at] = values[v];
            relo_package_t package;
            if (relo_package_parse(copy, good.head_size, &package) == RELO_STATUS_OK) {
                for (uint32_t s = 0; s < package.segment_count; s++) {
                    CHECK((uint64_t)package.segments[s].offset + package.segments[s].size <= package.package_size);
                }
                CHECK(package.head_size <= good.head_size);
            }
        }
    }
    free(copy);
}

RELO_TEST_SUITE(suite_package, {"package_parse_good", test_parse_good}, {"package_parse_split", test_parse_split},
                {"package_header_rules", test_header_rules}, {"package_manifest_rules", test_manifest_rules},
                {"package_tensor_rules", test_tensor_rules}, {"package_segment_rules", test_segment_rules},
                {"package_corruption_sweep", test_corruption_sweep});
