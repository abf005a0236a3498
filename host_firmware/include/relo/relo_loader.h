/* SPDX-License-Identifier: Apache-2.0 */
/* Instantiate a verified package from its flash slot: copy DATA to model RAM, zero bss,
 * apply the relocation table with bounds checks, call relo_model_init with r9 = GOT. */
#ifndef RELO_LOADER_H
#define RELO_LOADER_H

#include <stdint.h>

#include "relo/relo_package.h"
#include "relo/relo_reader.h"
#include "relo/relo_status.h"

/* 32-bit addresses the relocated words are made relative to (the device's address space). */
typedef struct {
    uint32_t code;    /* CPU address of the CODE segment */
    uint32_t weights; /* of the WEIGHTS segment, == code when weights are not split */
    uint32_t ram;     /* of the RAM image */
} relo_reloc_bases_t;

typedef struct {
    uint8_t loaded;
    uint8_t slot;
    uint32_t slot_offset;
    relo_package_t package;
    uint8_t *ram_image; /* data + bss */
    uint8_t *arena;
    void *got;
    uintptr_t code_address; /* CPU address of the CODE segment */
    uint8_t signed_sha256[32];
} relo_model_t;

/* Relocates image[0, ram_data_size) in place. With image == 0 only checks the table
 * against the DATA segment read from `bytes` (a dry run before committing a slot).
 * BAD_RELOCATION (*bad_entry = index) when an entry's word is outside the data image, its
 * target is unknown, or the word's value exceeds the target's size; FLASH_ERROR on a read
 * failure. */
relo_status_t relo_loader_relocate(const relo_package_t *package, const relo_reader_t *bytes, uint8_t *image,
                                   const relo_reloc_bases_t *bases, uint32_t *bad_entry);

/* Loads the package stored at flash `slot_offset` (already verified) into model RAM and
 * runs its init. On failure the model is left unloaded. */
relo_status_t relo_loader_instantiate(relo_model_t *model, const relo_package_t *package, uint8_t slot,
                                      uint32_t slot_offset, uint32_t *detail);

void relo_loader_unload(relo_model_t *model);

#endif /* RELO_LOADER_H */
