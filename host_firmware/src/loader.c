/* SPDX-License-Identifier: Apache-2.0 */
/* The relocating loader. The package was authenticated, but the checks here still treat
 * its relocation table as hostile: a signed-but-buggy package must not write outside its
 * RAM image or point the model outside its own segments. */
#include <string.h>

#include "relo/port_board.h"
#include "relo/port_flash.h"
#include "relo/relo_compat.h"
#include "relo/relo_crypto.h"
#include "relo/relo_endian.h"
#include "relo/relo_loader.h"

#define ENTRIES_PER_CHUNK 64u

/* Size of the region a relocated word may point into, or 0 for an unknown target. */
static uint32_t target_size(const relo_package_t *package, uint32_t target)
{
    switch (target) {
    case RELO_RELOC_TARGET_CODE:
        return package->segments[package->code_index].size;
    case RELO_RELOC_TARGET_WEIGHTS:
        return package->weights_index == RELO_NO_SEGMENT ? package->segments[package->code_index].size
                                                          : package->segments[package->weights_index].size;
    case RELO_RELOC_TARGET_RAM:
        return relo_package_ram_image_size(package);
    default:
        return 0;
    }
}

static uint32_t target_base(const relo_reloc_bases_t *bases, uint32_t target)
{
    return target == RELO_RELOC_TARGET_CODE ? bases->code
           : target == RELO_RELOC_TARGET_WEIGHTS ? bases->weights
                                                  : bases->ram;
}

/* Checks one entry and, with an image, rewrites its word. 0 ok, -1 bad, -2 read failure.
 * Offsets must strictly increase, so no word can be relocated twice. */
static int apply_entry(const relo_package_t *package, const relo_reader_t *bytes, uint8_t *image,
                       const relo_reloc_bases_t *bases, uint32_t entry, uint64_t *next_allowed)
{
    uint32_t offset = entry & ~(uint32_t)RELO_RELOC_TARGET_MASK; /* word-aligned by construction */
    uint32_t target = entry & RELO_RELOC_TARGET_MASK;
    if (target > RELO_RELOC_TARGET_RAM || (uint64_t)offset + 4u > package->ram_data_size || offset < *next_allowed) {
        return -1;
    }
    *next_allowed = (uint64_t)offset + 4u;
    uint8_t word_bytes[4];
    if (image != 0) {
        memcpy(word_bytes, image + offset, 4);
    } else if (relo_reader_read(bytes, package->segments[package->data_index].offset + offset, word_bytes, 4) != 0) {
        return -2;
    }
    uint32_t value = relo_load32_le(word_bytes);
    if (value > target_size(package, target)) {
        return -1; /* one-past-the-end is allowed: C pointers may point there */
    }
    if (image != 0) {
        relo_store32_le(image + offset, target_base(bases, target) + value);
    }
    return 0;
}

relo_status_t relo_loader_relocate(const relo_package_t *package, const relo_reader_t *bytes, uint8_t *image,
                                   const relo_reloc_bases_t *bases, uint32_t *bad_entry)
{
    const relo_segment_t *table = &package->segments[package->reloc_index];
    uint32_t count = table->size / 4u;
    uint8_t chunk[ENTRIES_PER_CHUNK * 4u];
    uint64_t next_allowed = 0;
    *bad_entry = 0;
    if (image != 0 && bases == 0) {
        return RELO_STATUS_LOAD_FAILED;
    }
    for (uint32_t first = 0; first < count; first += ENTRIES_PER_CHUNK) {
        uint32_t n = count - first < ENTRIES_PER_CHUNK ? count - first : ENTRIES_PER_CHUNK;
        if (relo_reader_read(bytes, table->offset + first * 4u, chunk, n * 4u) != 0) {
            return RELO_STATUS_FLASH_ERROR;
        }
        for (uint32_t i = 0; i < n; i++) {
            int result = apply_entry(package, bytes, image, bases, relo_load32_le(chunk + 4u * i), &next_allowed);
            if (result != 0) {
                *bad_entry = first + i;
                return result == -1 ? RELO_STATUS_BAD_RELOCATION : RELO_STATUS_FLASH_ERROR;
            }
        }
    }
    return RELO_STATUS_OK;
}

void relo_loader_unload(relo_model_t *model)
{
    if (model != 0) {
        model->loaded = 0;
    }
}

/* Copies DATA, zeroes bss and the arena, relocates. */
static relo_status_t build_ram_image(relo_model_t *model, const relo_reader_t *bytes, uint32_t *detail)
{
    const relo_package_t *package = &model->package;
    const relo_segment_t *data = &package->segments[package->data_index];
    uint32_t image_size = relo_package_ram_image_size(package);
    if (relo_reader_read(bytes, data->offset, model->ram_image, data->size) != 0) {
        return RELO_STATUS_FLASH_ERROR;
    }
    memset(model->ram_image + data->size, 0, image_size - data->size);
    memset(model->arena, 0, package->arena_size);
    /* Segments sit in flash exactly as in the package, so offsets carry over. */
    uintptr_t weights = package->weights_index == RELO_NO_SEGMENT
                            ? model->code_address
                            : model->code_address - package->segments[package->code_index].offset +
                                  package->segments[package->weights_index].offset;
    relo_reloc_bases_t bases = {(uint32_t)model->code_address, (uint32_t)weights, (uint32_t)(uintptr_t)model->ram_image};
    return relo_loader_relocate(package, bytes, model->ram_image, &bases, detail);
}

relo_status_t relo_loader_instantiate(relo_model_t *model, const relo_package_t *package, uint8_t slot,
                                      uint32_t slot_offset, uint32_t *detail)
{
    const relo_board_info_t *board = relo_board_info();
    const relo_flash_geometry_t *geometry = relo_flash_geometry();
    *detail = 0;
    if (model == 0 || package == 0 || board == 0 || geometry == 0 || geometry->xip_base == 0) {
        return RELO_STATUS_LOAD_FAILED; /* code that cannot be executed in place cannot run */
    }
    model->loaded = 0;
    relo_status_t status = relo_compat_check(package, board, UINT32_MAX, detail);
    if (status != RELO_STATUS_OK) {
        return status;
    }
    model->package = *package;
    model->slot = slot;
    model->slot_offset = slot_offset;
    model->ram_image = relo_compat_ram_image_base(board);
    uintptr_t image_end = (uintptr_t)model->ram_image + relo_package_ram_image_size(package);
    model->arena = (uint8_t *)((image_end + package->arena_align - 1u) & ~(uintptr_t)(package->arena_align - 1u));
    model->got = model->ram_image + package->got_offset;
    model->code_address = geometry->xip_base + slot_offset + package->segments[package->code_index].offset;

    relo_reader_t bytes = relo_reader_from_flash(slot_offset, package->package_size);
    status = build_ram_image(model, &bytes, detail);
    if (status == RELO_STATUS_OK && relo_crypto_sha256(&bytes, 0, package->signed_size, model->signed_sha256) != 0) {
        status = RELO_STATUS_FLASH_ERROR;
    }
    if (status != RELO_STATUS_OK) {
        return status;
    }
    int32_t result = relo_call_model(model->code_address + package->entry_init, model->arena, model->got);
    if (result != 0) {
        *detail = (uint32_t)result;
        return RELO_STATUS_LOAD_FAILED;
    }
    model->loaded = 1;
    return RELO_STATUS_OK;
}
