/* SPDX-License-Identifier: Apache-2.0 */
/* Parse and validate a package head. Every size, offset and count is checked in 64-bit
 * arithmetic (no wrap-around) before anything derived from it is used. */
#include <string.h>

#include "relo/relo_endian.h"
#include "relo/relo_package.h"

/* gen_c names no reserved fields; this one follows `size`. */
#define SEGMENT_ENTRY_RESERVED_OFF (RELO_SEGMENT_ENTRY_SIZE_OFF + 4u)

static const uint8_t dtype_size[] = {
    [RELO_DTYPE_FLOAT32] = 4, [RELO_DTYPE_INT8] = 1, [RELO_DTYPE_UINT8] = 1,
    [RELO_DTYPE_INT16] = 2, [RELO_DTYPE_INT32] = 4,
};

static int is_power_of_two(uint32_t value) { return value != 0 && (value & (value - 1u)) == 0; }

static uint64_t align_up(uint64_t value)
{
    return (value + RELO_SEGMENT_ALIGN - 1u) / RELO_SEGMENT_ALIGN * RELO_SEGMENT_ALIGN;
}

/* NUL terminated and NUL padded, as the packer writes names. */
static int name_ok(const uint8_t name[RELO_NAME_LENGTH])
{
    uint32_t length = 0;
    while (length < RELO_NAME_LENGTH && name[length] != 0) {
        length++;
    }
    if (length == RELO_NAME_LENGTH) {
        return 0;
    }
    for (uint32_t i = length; i < RELO_NAME_LENGTH; i++) {
        if (name[i] != 0) {
            return 0;
        }
    }
    return 1;
}

/* Unknown CPU/FPU/ABI values are a malformed package, not merely an incompatible one. */
static int target_known(const relo_package_t *pkg)
{
    int cpu = pkg->target_cpu == RELO_CPU_CORTEX_M4 || pkg->target_cpu == RELO_CPU_CORTEX_M7 ||
              pkg->target_cpu == RELO_CPU_CORTEX_M33;
    return cpu && pkg->target_fpu <= RELO_FPU_FPV5_D16 && pkg->target_abi <= RELO_FLOAT_ABI_HARD;
}

/* [a_off, a_off + a_len) and [b_off, b_off + b_len) share a byte. */
static int ranges_overlap(uint64_t a_off, uint64_t a_len, uint64_t b_off, uint64_t b_len)
{
    return a_off < b_off + b_len && b_off < a_off + a_len;
}

uint32_t relo_package_head_size(const uint8_t *header, uint32_t length)
{
    if (header == 0 || length < RELO_PACKAGE_HEADER_SIZE) {
        return 0;
    }
    uint64_t head = (uint64_t)relo_load32_le(header + RELO_PACKAGE_HEADER_SIGNATURE_OFFSET_OFF) +
                    RELO_SIGNATURE_BLOCK_SIZE;
    return head > RELO_PACKAGE_HEAD_MAX ? 0 : (uint32_t)head;
}

static relo_status_t parse_header(const uint8_t *head, uint32_t length, relo_package_t *pkg)
{
    if (length < RELO_PACKAGE_HEADER_SIZE) {
        return RELO_STATUS_MALFORMED_PACKAGE;
    }
    if (relo_load32_le(head + RELO_PACKAGE_HEADER_MAGIC_OFF) != RELO_PACKAGE_MAGIC) {
        return RELO_STATUS_BAD_MAGIC;
    }
    if (relo_load16_le(head + RELO_PACKAGE_HEADER_FORMAT_VERSION_OFF) != RELO_FORMAT_VERSION) {
        return RELO_STATUS_UNSUPPORTED_FORMAT;
    }
    uint32_t signature_offset = relo_load32_le(head + RELO_PACKAGE_HEADER_SIGNATURE_OFFSET_OFF);
    pkg->package_size = relo_load32_le(head + RELO_PACKAGE_HEADER_PACKAGE_SIZE_OFF);
    pkg->signed_size = relo_load32_le(head + RELO_PACKAGE_HEADER_SIGNED_SIZE_OFF);
    pkg->manifest_offset = relo_load32_le(head + RELO_PACKAGE_HEADER_MANIFEST_OFFSET_OFF);
    pkg->manifest_size = relo_load32_le(head + RELO_PACKAGE_HEADER_MANIFEST_SIZE_OFF);
    pkg->segtab_offset = relo_load32_le(head + RELO_PACKAGE_HEADER_SEGTAB_OFFSET_OFF);
    pkg->segment_count = relo_load16_le(head + RELO_PACKAGE_HEADER_SEGMENT_COUNT_OFF);
    pkg->flags = relo_load32_le(head + RELO_PACKAGE_HEADER_FLAGS_OFF);

    uint64_t head_size = (uint64_t)signature_offset + RELO_SIGNATURE_BLOCK_SIZE;
    uint64_t segtab_end = (uint64_t)pkg->segtab_offset + (uint64_t)pkg->segment_count * RELO_SEGMENT_ENTRY_SIZE;
    uint64_t manifest_end = (uint64_t)pkg->manifest_offset + pkg->manifest_size;
    int bad = relo_load16_le(head + RELO_PACKAGE_HEADER_HEADER_SIZE_OFF) != RELO_PACKAGE_HEADER_SIZE ||
              relo_load16_le(head + RELO_PACKAGE_HEADER_SEGMENT_ENTRY_SIZE_OFF) != RELO_SEGMENT_ENTRY_SIZE ||
              relo_load16_le(head + RELO_PACKAGE_HEADER_SIGNATURE_SIZE_OFF) != RELO_SIGNATURE_BLOCK_SIZE ||
              relo_load16_le(head + RELO_PACKAGE_HEADER_SIGNATURE_ALG_OFF) != RELO_SIG_ALG_ED25519 ||
              (pkg->flags & ~(uint32_t)(RELO_PACKAGE_FLAG_SPLIT_WEIGHTS | RELO_PACKAGE_FLAG_TEST_VECTORS)) != 0 ||
              signature_offset != pkg->signed_size || head_size > RELO_PACKAGE_HEAD_MAX ||
              head_size > length || head_size > pkg->package_size ||
              pkg->manifest_offset < RELO_PACKAGE_HEADER_SIZE || pkg->manifest_offset % 4u != 0 ||
              manifest_end > pkg->signed_size || pkg->segtab_offset % 4u != 0 ||
              pkg->segtab_offset < RELO_PACKAGE_HEADER_SIZE || segtab_end > pkg->signed_size ||
              ranges_overlap(pkg->manifest_offset, pkg->manifest_size, pkg->segtab_offset,
                             segtab_end - pkg->segtab_offset);
    if (bad) {
        return RELO_STATUS_MALFORMED_PACKAGE;
    }
    pkg->head_size = (uint32_t)head_size;
    memcpy(pkg->key_id, head + signature_offset + RELO_SIGNATURE_BLOCK_KEY_ID_OFF, RELO_KEY_ID_LENGTH);
    memcpy(pkg->signature, head + signature_offset + RELO_SIGNATURE_BLOCK_SIGNATURE_OFF, 64);
    return RELO_STATUS_OK;
}

static int entry_in_code(uint32_t entry, uint32_t code_size)
{
    return (entry & 1u) != 0 && (entry & ~1u) < code_size; /* a Thumb address inside CODE */
}

static relo_status_t parse_tensor(const uint8_t *p, uint32_t arena_size, relo_tensor_t *tensor)
{
    memcpy(tensor->name, p + RELO_TENSOR_DESC_NAME_OFF, RELO_NAME_LENGTH);
    tensor->dtype = p[RELO_TENSOR_DESC_DTYPE_OFF];
    tensor->rank = p[RELO_TENSOR_DESC_RANK_OFF];
    tensor->arena_offset = relo_load32_le(p + RELO_TENSOR_DESC_ARENA_OFFSET_OFF);
    tensor->size_bytes = relo_load32_le(p + RELO_TENSOR_DESC_SIZE_BYTES_OFF);
    tensor->scale_bits = relo_load32_le(p + RELO_TENSOR_DESC_SCALE_OFF);
    tensor->zero_point = (int32_t)relo_load32_le(p + RELO_TENSOR_DESC_ZERO_POINT_OFF);
    if (tensor->dtype >= sizeof dtype_size || dtype_size[tensor->dtype] == 0 || tensor->rank > RELO_MAX_RANK) {
        return RELO_STATUS_MALFORMED_PACKAGE;
    }
    uint64_t elements = 1;
    for (uint32_t i = 0; i < RELO_MAX_RANK; i++) {
        tensor->dims[i] = relo_load32_le(p + RELO_TENSOR_DESC_DIMS_OFF + 4u * i);
        if (i >= tensor->rank && tensor->dims[i] != 0) {
            return RELO_STATUS_MALFORMED_PACKAGE; /* unused dims must be 0 */
        }
        if (i < tensor->rank) {
            elements *= tensor->dims[i];
            if (elements > UINT32_MAX) {
                return RELO_STATUS_MALFORMED_PACKAGE;
            }
        }
    }
    if (elements * dtype_size[tensor->dtype] != tensor->size_bytes || !name_ok(tensor->name) ||
        (uint64_t)tensor->arena_offset + tensor->size_bytes > arena_size) {
        return RELO_STATUS_MALFORMED_PACKAGE;
    }
    return RELO_STATUS_OK;
}

static relo_status_t parse_manifest(const uint8_t *head, relo_package_t *pkg)
{
    const uint8_t *m = head + pkg->manifest_offset;
    if (pkg->manifest_size < RELO_MANIFEST_SIZE) {
        return RELO_STATUS_MALFORMED_PACKAGE;
    }
    memcpy(pkg->name, m + RELO_MANIFEST_NAME_OFF, RELO_NAME_LENGTH);
    pkg->version = relo_load32_le(m + RELO_MANIFEST_VERSION_OFF);
    pkg->security_counter = relo_load32_le(m + RELO_MANIFEST_SECURITY_COUNTER_OFF);
    pkg->target_cpu = relo_load16_le(m + RELO_MANIFEST_TARGET_CPU_OFF);
    pkg->target_fpu = relo_load16_le(m + RELO_MANIFEST_TARGET_FPU_OFF);
    pkg->target_abi = relo_load16_le(m + RELO_MANIFEST_TARGET_ABI_OFF);
    pkg->input_count = relo_load16_le(m + RELO_MANIFEST_INPUT_COUNT_OFF);
    pkg->output_count = relo_load16_le(m + RELO_MANIFEST_OUTPUT_COUNT_OFF);
    pkg->entry_init = relo_load32_le(m + RELO_MANIFEST_ENTRY_INIT_OFF);
    pkg->entry_run = relo_load32_le(m + RELO_MANIFEST_ENTRY_RUN_OFF);
    pkg->entry_reset = relo_load32_le(m + RELO_MANIFEST_ENTRY_RESET_OFF);
    pkg->got_offset = relo_load32_le(m + RELO_MANIFEST_GOT_OFFSET_OFF);
    pkg->ram_data_size = relo_load32_le(m + RELO_MANIFEST_RAM_DATA_SIZE_OFF);
    pkg->ram_bss_size = relo_load32_le(m + RELO_MANIFEST_RAM_BSS_SIZE_OFF);
    pkg->arena_size = relo_load32_le(m + RELO_MANIFEST_ARENA_SIZE_OFF);
    pkg->arena_align = relo_load32_le(m + RELO_MANIFEST_ARENA_ALIGN_OFF);
    pkg->stack_size = relo_load32_le(m + RELO_MANIFEST_STACK_SIZE_OFF);
    pkg->packer_version = relo_load32_le(m + RELO_MANIFEST_PACKER_VERSION_OFF);
    pkg->model_flags = relo_load32_le(m + RELO_MANIFEST_FLAGS_OFF);
    pkg->macs = relo_load64_le(m + RELO_MANIFEST_MACS_OFF);
    memcpy(pkg->source_sha256, m + RELO_MANIFEST_SOURCE_SHA256_OFF, 32);

    uint32_t tensor_count = (uint32_t)pkg->input_count + pkg->output_count;
    uint64_t ram_image = (uint64_t)pkg->ram_data_size + pkg->ram_bss_size;
    if (relo_load16_le(m + RELO_MANIFEST_TENSOR_DESC_SIZE_OFF) != RELO_TENSOR_DESC_SIZE ||
        pkg->input_count == 0 || pkg->output_count == 0 || tensor_count > RELO_MAX_TENSORS ||
        pkg->manifest_size != RELO_MANIFEST_SIZE + tensor_count * RELO_TENSOR_DESC_SIZE ||
        !is_power_of_two(pkg->arena_align) || ram_image > UINT32_MAX || pkg->got_offset % 4u != 0 ||
        pkg->got_offset > pkg->ram_data_size || !name_ok(pkg->name) || !target_known(pkg) ||
        (pkg->model_flags & ~(uint32_t)(RELO_MODEL_FLAG_STATEFUL | RELO_MODEL_FLAG_LITERT_ROUNDING |
                                          RELO_MODEL_FLAG_ALLOW_DOWNGRADE)) != 0) {
        return RELO_STATUS_MALFORMED_PACKAGE;
    }
    for (uint32_t i = 0; i < tensor_count; i++) {
        const uint8_t *desc = m + RELO_MANIFEST_SIZE + i * RELO_TENSOR_DESC_SIZE;
        if (parse_tensor(desc, pkg->arena_size, &pkg->tensors[i]) != RELO_STATUS_OK) {
            return RELO_STATUS_MALFORMED_PACKAGE;
        }
    }
    return RELO_STATUS_OK;
}

/* Segment kinds in package order: CODE, WEIGHTS (only when split), DATA, RELOC,
 * TEST_VECTORS (only when flagged). */
static relo_status_t parse_segments(const uint8_t *head, relo_package_t *pkg)
{
    int split = (pkg->flags & RELO_PACKAGE_FLAG_SPLIT_WEIGHTS) != 0;
    int tests = (pkg->flags & RELO_PACKAGE_FLAG_TEST_VECTORS) != 0;
    uint16_t kinds[RELO_MAX_SEGMENTS];
    uint32_t expected_count = 0;
    kinds[expected_count++] = RELO_SEGMENT_CODE;
    if (split) {
        kinds[expected_count++] = RELO_SEGMENT_WEIGHTS;
    }
    kinds[expected_count++] = RELO_SEGMENT_DATA;
    kinds[expected_count++] = RELO_SEGMENT_RELOC;
    if (tests) {
        kinds[expected_count++] = RELO_SEGMENT_TEST_VECTORS;
    }
    if (pkg->segment_count != expected_count) {
        return RELO_STATUS_MALFORMED_PACKAGE;
    }
    uint64_t previous_end = pkg->head_size; /* segments follow the signature block */
    for (uint32_t i = 0; i < expected_count; i++) {
        const uint8_t *e = head + pkg->segtab_offset + i * RELO_SEGMENT_ENTRY_SIZE;
        relo_segment_t *seg = &pkg->segments[i];
        seg->kind = relo_load16_le(e + RELO_SEGMENT_ENTRY_KIND_OFF);
        seg->offset = relo_load32_le(e + RELO_SEGMENT_ENTRY_OFFSET_OFF);
        seg->size = relo_load32_le(e + RELO_SEGMENT_ENTRY_SIZE_OFF);
        memcpy(seg->sha256, e + RELO_SEGMENT_ENTRY_SHA256_OFF, 32);
        uint64_t end = (uint64_t)seg->offset + seg->size;
        /* Canonical layout: each segment at the first aligned offset after the previous
         * one, so there is one valid place for it and nothing to reason about. */
        if (seg->kind != kinds[i] || seg->offset != align_up(previous_end) || end > pkg->package_size ||
            relo_load16_le(e + RELO_SEGMENT_ENTRY_FLAGS_OFF) != 0 ||
            relo_load32_le(e + SEGMENT_ENTRY_RESERVED_OFF) != 0) {
            return RELO_STATUS_MALFORMED_PACKAGE;
        }
        previous_end = end;
    }
    if (pkg->package_size != previous_end) { /* no unauthenticated tail */
        return RELO_STATUS_MALFORMED_PACKAGE;
    }
    pkg->code_index = 0;
    pkg->weights_index = split ? 1u : RELO_NO_SEGMENT;
    pkg->data_index = split ? 2u : 1u;
    pkg->reloc_index = split ? 3u : 2u;
    pkg->tests_index = tests ? (uint8_t)(pkg->reloc_index + 1u) : RELO_NO_SEGMENT;
    const relo_segment_t *code = &pkg->segments[pkg->code_index];
    if (code->size == 0 || pkg->segments[pkg->data_index].size != pkg->ram_data_size ||
        pkg->segments[pkg->reloc_index].size % 4u != 0 || !entry_in_code(pkg->entry_init, code->size) ||
        !entry_in_code(pkg->entry_run, code->size) ||
        (pkg->entry_reset != 0 && !entry_in_code(pkg->entry_reset, code->size)) ||
        (tests && pkg->segments[pkg->tests_index].size < RELO_TEST_VECTORS_HEADER_SIZE)) {
        return RELO_STATUS_MALFORMED_PACKAGE;
    }
    return RELO_STATUS_OK;
}

relo_status_t relo_package_parse(const uint8_t *head, uint32_t length, relo_package_t *package)
{
    if (head == 0 || package == 0) {
        return RELO_STATUS_MALFORMED_PACKAGE;
    }
    memset(package, 0, sizeof *package);
    relo_status_t status = parse_header(head, length, package);
    if (status == RELO_STATUS_OK) {
        status = parse_manifest(head, package);
    }
    if (status == RELO_STATUS_OK) {
        status = parse_segments(head, package);
    }
    return status;
}

uint32_t relo_package_ram_image_size(const relo_package_t *package)
{
    /* parse_manifest guarantees the sum fits in 32 bits. */
    return package->ram_data_size + package->ram_bss_size;
}

uint64_t relo_package_ram_needed(const relo_package_t *package, uintptr_t ram_base)
{
    uint64_t image_end = (uint64_t)ram_base + relo_package_ram_image_size(package);
    uint64_t align = package->arena_align;
    uint64_t arena_start = (image_end + align - 1u) & ~(align - 1u);
    return arena_start + package->arena_size - ram_base;
}
