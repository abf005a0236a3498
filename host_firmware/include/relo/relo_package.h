/* SPDX-License-Identifier: Apache-2.0 */
/* Parse and validate the head of a package: header, manifest, tensor descriptors, segment
 * table and signature block, i.e. bytes [0, signature_offset + SIGNATURE_BLOCK_SIZE).
 * Nothing read from a package is used before it has been bounds-checked here. */
#ifndef RELO_PACKAGE_H
#define RELO_PACKAGE_H

#include <stdint.h>

#include "relo/relo_format.h"
#include "relo/relo_status.h"

#define RELO_MAX_SEGMENTS 5u
#define RELO_NO_SEGMENT 0xFFu
/* Largest head the core accepts; INSTALL_BEGIN carries it in one packet. */
#define RELO_PACKAGE_HEAD_MAX RELO_MAX_PAYLOAD

typedef struct {
    uint16_t kind;
    uint32_t offset;
    uint32_t size;
    uint8_t sha256[32];
} relo_segment_t;

typedef struct {
    uint8_t name[RELO_NAME_LENGTH];
    uint8_t dtype;
    uint8_t rank;
    uint32_t dims[RELO_MAX_RANK];
    uint32_t arena_offset;
    uint32_t size_bytes;
    uint32_t scale_bits; /* f32 bit pattern: the core never does float arithmetic on it */
    int32_t zero_point;
} relo_tensor_t;

typedef struct {
    /* header */
    uint32_t package_size;
    uint32_t signed_size;
    uint32_t manifest_offset;
    uint32_t manifest_size;
    uint32_t segtab_offset;
    uint32_t head_size; /* signature_offset + SIGNATURE_BLOCK_SIZE */
    uint32_t flags;
    /* manifest */
    uint8_t name[RELO_NAME_LENGTH];
    uint32_t version;
    uint32_t security_counter;
    uint16_t target_cpu;
    uint16_t target_fpu;
    uint16_t target_abi;
    uint16_t input_count;
    uint16_t output_count;
    uint32_t entry_init;
    uint32_t entry_run;
    uint32_t entry_reset;
    uint32_t got_offset;
    uint32_t ram_data_size;
    uint32_t ram_bss_size;
    uint32_t arena_size;
    uint32_t arena_align;
    uint32_t stack_size;
    uint32_t packer_version;
    uint32_t model_flags;
    uint64_t macs;
    uint8_t source_sha256[32];
    relo_tensor_t tensors[RELO_MAX_TENSORS]; /* inputs then outputs */
    /* segments, in package order */
    uint16_t segment_count;
    relo_segment_t segments[RELO_MAX_SEGMENTS];
    uint8_t code_index;
    uint8_t weights_index; /* RELO_NO_SEGMENT unless PACKAGE_FLAG_SPLIT_WEIGHTS */
    uint8_t data_index;
    uint8_t reloc_index;
    uint8_t tests_index;   /* RELO_NO_SEGMENT unless PACKAGE_FLAG_TEST_VECTORS */
    /* signature block */
    uint8_t key_id[RELO_KEY_ID_LENGTH];
    uint8_t signature[64];
} relo_package_t;

/* Reads only the fixed header and returns the head size it announces (for callers that read
 * the head from flash); 0 when the header is unusable. */
uint32_t relo_package_head_size(const uint8_t *header, uint32_t length);

/* Validates head[0, length) (length >= the head size; extra bytes are ignored).
 * Returns OK, BAD_MAGIC, UNSUPPORTED_FORMAT or MALFORMED_PACKAGE. */
relo_status_t relo_package_parse(const uint8_t *head, uint32_t length, relo_package_t *package);

/* Size of the model's RAM image (data + bss), and of everything it needs in model RAM when
 * placed at an address with the given misalignment (image, then arena at arena_align).
 * Returns 0 on arithmetic overflow. */
uint32_t relo_package_ram_image_size(const relo_package_t *package);
uint64_t relo_package_ram_needed(const relo_package_t *package, uintptr_t ram_base);

static inline const relo_tensor_t *relo_package_input(const relo_package_t *package, uint32_t index)
{
    return index < package->input_count ? &package->tensors[index] : 0;
}

static inline const relo_tensor_t *relo_package_output(const relo_package_t *package, uint32_t index)
{
    return index < package->output_count ? &package->tensors[package->input_count + index] : 0;
}

#endif /* RELO_PACKAGE_H */
