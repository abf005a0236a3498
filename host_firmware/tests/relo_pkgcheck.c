/* SPDX-License-Identifier: Apache-2.0 */
/* relo_pkgcheck FILE.rmod [--code-base A] [--weights-base B] [--ram-base C]
 *
 * Runs the firmware's own parser, verifier (against the embedded trusted key) and
 * relocator on a package file, through the simulated flash exactly as the device reads a
 * slot, and prints what they saw as JSON: for Python <-> C conformance tests.
 * Defaults place the package in slot 0 of the emulated board (flash 0x21000000 + 0x40000)
 * and its RAM image at 0x20100000. --code-base is the address of the CODE segment itself.
 * Exit status: 0 accepted, 1 refused (status says why), 2 usage or I/O error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash_sim.h"
#include "relo/relo_crypto.h"
#include "relo/relo_loader.h"
#include "relo/relo_package.h"
#include "relo/relo_trusted_key.h"
#include "relo/relo_verify.h"
#include "relo_status_names.h"
#include "test_support.h"

#define DEFAULT_SLOT_ADDRESS (0x21000000u + 0x40000u)
#define DEFAULT_RAM_BASE 0x20100000u

typedef struct {
    const char *path;
    int has_code, has_weights, has_ram;
    uint32_t code, weights, ram;
} options_t;

static int parse_u32(const char *text, uint32_t *value)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno != 0 || *end != 0 || end == text || v > UINT32_MAX) {
        return -1;
    }
    *value = (uint32_t)v;
    return 0;
}

static int parse_options(int argc, char **argv, options_t *options)
{
    memset(options, 0, sizeof *options);
    for (int i = 1; i < argc; i++) {
        int *flag = NULL;
        uint32_t *value = NULL;
        if (strcmp(argv[i], "--code-base") == 0) {
            flag = &options->has_code, value = &options->code;
        } else if (strcmp(argv[i], "--weights-base") == 0) {
            flag = &options->has_weights, value = &options->weights;
        } else if (strcmp(argv[i], "--ram-base") == 0) {
            flag = &options->has_ram, value = &options->ram;
        } else if (argv[i][0] != '-' && options->path == NULL) {
            options->path = argv[i];
            continue;
        } else {
            fprintf(stderr, "error: unexpected argument %s\n", argv[i]);
            return -1;
        }
        if (i + 1 >= argc || parse_u32(argv[i + 1], value) != 0) {
            fprintf(stderr, "error: %s needs a 32-bit address (decimal or 0x hex)\n", argv[i]);
            return -1;
        }
        *flag = 1;
        i++;
    }
    if (options->path == NULL) {
        fprintf(stderr, "usage: relo_pkgcheck FILE.rmod [--code-base A] [--weights-base B] [--ram-base C]\n");
        return -1;
    }
    return 0;
}

static uint8_t *read_package(const char *path, uint32_t *size)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "error: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    uint8_t *data = malloc(RELO_FLASH_SIM_SIZE + 1u);
    size_t n = data != NULL ? fread(data, 1, RELO_FLASH_SIM_SIZE + 1u, file) : 0;
    fclose(file);
    if (data == NULL || n > RELO_FLASH_SIM_SIZE) {
        fprintf(stderr, "error: %s is larger than the %u-byte flash\n", path, RELO_FLASH_SIM_SIZE);
        free(data);
        return NULL;
    }
    *size = (uint32_t)n;
    return data;
}

static void print_hex(const char *key, const uint8_t *bytes, size_t length, const char *after)
{
    printf("\"%s\": \"", key);
    for (size_t i = 0; i < length; i++) {
        printf("%02x", bytes[i]);
    }
    printf("\"%s", after);
}

/* A NUL-padded name as a JSON string (non-printable bytes escaped). */
static void print_name(const char *key, const uint8_t *name, const char *after)
{
    printf("\"%s\": \"", key);
    for (size_t i = 0; i < RELO_NAME_LENGTH && name[i] != 0; i++) {
        if (name[i] < 0x20 || name[i] >= 0x7F || name[i] == '"' || name[i] == '\\') {
            printf("\\u%04x", name[i]);
        } else {
            putchar(name[i]);
        }
    }
    printf("\"%s", after);
}

static void print_status(const char *key, relo_status_t status, const char *after)
{
    printf("\"%s\": \"%s\"%s", key, relo_status_name(status), after);
}

static const char *segment_kind_name(uint16_t kind)
{
    static const char *const names[] = {"UNKNOWN", "CODE", "WEIGHTS", "DATA", "RELOC"};
    return kind < sizeof names / sizeof names[0] ? names[kind] : "UNKNOWN";
}

static void print_tensor(const relo_tensor_t *tensor, const char *after)
{
    float scale;
    memcpy(&scale, &tensor->scale_bits, sizeof scale);
    printf("    {");
    print_name("name", tensor->name, ", ");
    printf("\"dtype\": %u, \"rank\": %u, \"dims\": [", tensor->dtype, tensor->rank);
    for (uint32_t d = 0; d < tensor->rank; d++) {
        printf("%s%u", d ? ", " : "", tensor->dims[d]);
    }
    printf("], \"arena_offset\": %u, \"size_bytes\": %u, \"scale\": %.9g, \"scale_bits\": %u, \"zero_point\": %d}%s\n",
           tensor->arena_offset, tensor->size_bytes, (double)scale, tensor->scale_bits, tensor->zero_point, after);
}

static void print_package(const relo_package_t *p)
{
    printf("  \"header\": {\"package_size\": %u, \"signed_size\": %u, \"manifest_offset\": %u, \"manifest_size\": %u, "
           "\"segtab_offset\": %u, \"segment_count\": %u, \"flags\": %u, \"head_size\": %u},\n",
           p->package_size, p->signed_size, p->manifest_offset, p->manifest_size, p->segtab_offset, p->segment_count,
           p->flags, p->head_size);
    printf("  \"manifest\": {");
    print_name("name", p->name, ", ");
    printf("\"version\": %u, \"security_counter\": %u, \"target_cpu\": %u, \"target_fpu\": %u, \"target_abi\": %u, "
           "\"input_count\": %u, \"output_count\": %u, \"entry_init\": %u, \"entry_run\": %u, \"entry_reset\": %u, "
           "\"got_offset\": %u, \"ram_data_size\": %u, \"ram_bss_size\": %u, \"arena_size\": %u, \"arena_align\": %u, "
           "\"stack_size\": %u, \"packer_version\": %u, \"flags\": %u, \"macs\": %llu, ",
           p->version, p->security_counter, p->target_cpu, p->target_fpu, p->target_abi, p->input_count,
           p->output_count, p->entry_init, p->entry_run, p->entry_reset, p->got_offset, p->ram_data_size,
           p->ram_bss_size, p->arena_size, p->arena_align, p->stack_size, p->packer_version, p->model_flags,
           (unsigned long long)p->macs);
    print_hex("source_sha256", p->source_sha256, 32, "},\n");
    printf("  \"inputs\": [\n");
    for (uint32_t i = 0; i < p->input_count; i++) {
        print_tensor(&p->tensors[i], i + 1 < p->input_count ? "," : "");
    }
    printf("  ],\n  \"outputs\": [\n");
    for (uint32_t i = 0; i < p->output_count; i++) {
        print_tensor(&p->tensors[p->input_count + i], i + 1 < p->output_count ? "," : "");
    }
    printf("  ],\n  \"segments\": [\n");
    for (uint32_t i = 0; i < p->segment_count; i++) {
        const relo_segment_t *s = &p->segments[i];
        printf("    {\"kind\": \"%s\", \"offset\": %u, \"size\": %u, ", segment_kind_name(s->kind), s->offset, s->size);
        print_hex("sha256", s->sha256, 32, i + 1 < p->segment_count ? "},\n" : "}\n");
    }
    printf("  ],\n  ");
    print_hex("key_id", p->key_id, RELO_KEY_ID_LENGTH, ",\n");
}

/* Relocates a copy of the RAM image; prints its status, bases and SHA-256. */
static relo_status_t check_relocation(const relo_package_t *p, const options_t *options)
{
    const relo_segment_t *code = &p->segments[p->code_index];
    uint32_t code_base = options->has_code ? options->code : DEFAULT_SLOT_ADDRESS + code->offset;
    uint32_t weights_base = code_base;
    if (options->has_weights) {
        weights_base = options->weights;
    } else if (p->weights_index != RELO_NO_SEGMENT) {
        weights_base = code_base - code->offset + p->segments[p->weights_index].offset;
    }
    relo_reloc_bases_t bases = {code_base, weights_base, options->has_ram ? options->ram : DEFAULT_RAM_BASE};
    uint32_t image_size = relo_package_ram_image_size(p);
    uint8_t *image = calloc(1, image_size + 1u);
    relo_reader_t bytes = relo_reader_from_flash(0, p->package_size);
    uint32_t detail = 0;
    relo_status_t status = RELO_STATUS_FLASH_ERROR;
    if (image != NULL && relo_reader_read(&bytes, p->segments[p->data_index].offset, image, p->ram_data_size) == 0) {
        status = relo_loader_relocate(p, &bytes, image, &bases, &detail);
    }
    print_status("relocation_status", status, ", ");
    printf("\"relocation_detail\": %u,\n", detail);
    printf("  \"bases\": {\"code\": %u, \"weights\": %u, \"ram\": %u},\n", bases.code, bases.weights, bases.ram);
    printf("  \"ram_image_size\": %u", image_size);
    if (status == RELO_STATUS_OK) {
        uint8_t digest[32];
        relo_reader_t view = relo_reader_from_buffer(image, image_size);
        relo_crypto_sha256(&view, 0, image_size, digest);
        printf(", ");
        print_hex("ram_image_sha256", digest, 32, "");
    }
    printf(",\n");
    free(image);
    return status;
}

int main(int argc, char **argv)
{
    options_t options;
    uint32_t size = 0;
    if (parse_options(argc, argv, &options) != 0) {
        return 2;
    }
    uint8_t *raw = read_package(options.path, &size);
    if (raw == NULL) {
        return 2;
    }
    relo_package_t package;
    relo_status_t status = relo_package_parse(raw, size, &package);
    if (status == RELO_STATUS_OK && package.package_size != size) {
        status = RELO_STATUS_MALFORMED_PACKAGE; /* truncated or trailing bytes */
    }
    printf("{\n  ");
    print_status("parse_status", status, ",\n");
    relo_status_t overall = status;
    if (status == RELO_STATUS_OK) {
        print_package(&package);
        /* Through the simulated flash, as the device reads its slot. */
        relo_flash_sim_reset(0xFF);
        if (support_store(0, raw, size) != 0) {
            fprintf(stderr, "error: cannot place the package in simulated flash\n");
            free(raw);
            return 2;
        }
        relo_trusted_key_t key = {relo_trusted_public_key, relo_trusted_key_id};
        relo_reader_t bytes = relo_reader_from_flash(0, size);
        uint32_t detail = 0;
        relo_status_t verify = relo_verify_package(&package, &bytes, &key, &detail);
        printf("  ");
        print_status("verify_status", verify, ", ");
        printf("\"verify_detail\": %u,\n  ", detail);
        relo_status_t relocation = check_relocation(&package, &options);
        overall = verify != RELO_STATUS_OK ? verify : relocation;
    }
    printf("  ");
    print_status("status", overall, "\n}\n");
    free(raw);
    return overall == RELO_STATUS_OK ? 0 : 1;
}
