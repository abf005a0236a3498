/* SPDX-License-Identifier: Apache-2.0 */
/* The install state machine: BEGIN -> DATA* -> END (or ABORT). */
#include <string.h>

#include "relo/port_board.h"
#include "relo/port_flash.h"
#include "relo/relo_compat.h"
#include "relo/relo_installer.h"

void relo_installer_init(relo_installer_t *installer)
{
    installer->active = 0;
}

void relo_installer_abort(relo_installer_t *installer)
{
    installer->active = 0;
}

/* Erases the slot's sectors up to package offset `end` (lazily, as data arrives, so a
 * small package costs few erases). */
static relo_status_t ensure_erased(relo_installer_t *installer, uint32_t end)
{
    uint32_t sector_size = relo_flash_geometry()->sector_size;
    while (installer->erased_end < end) {
        if (relo_flash_erase_sector(installer->slot_offset + installer->erased_end) != 0) {
            return RELO_STATUS_FLASH_ERROR;
        }
        installer->erased_end += sector_size;
    }
    return RELO_STATUS_OK;
}

static relo_status_t program_units(relo_installer_t *installer, const uint8_t *data, uint32_t length)
{
    relo_status_t status = ensure_erased(installer, installer->unit_start + length);
    if (status == RELO_STATUS_OK &&
        relo_flash_program(installer->slot_offset + installer->unit_start, data, length) != 0) {
        status = RELO_STATUS_FLASH_ERROR;
    }
    if (status == RELO_STATUS_OK) {
        installer->unit_start += length;
    }
    return status;
}

/* Appends bytes at next_offset: whole units straight from the caller's buffer, partial
 * ones through `unit`. */
static relo_status_t write_bytes(relo_installer_t *installer, const uint8_t *data, uint32_t length)
{
    uint32_t unit = installer->write_size;
    while (length > 0) {
        relo_status_t status = RELO_STATUS_OK;
        uint32_t taken;
        if (installer->unit_fill == 0 && length >= unit) {
            taken = length - length % unit;
            status = program_units(installer, data, taken);
        } else {
            taken = unit - installer->unit_fill < length ? unit - installer->unit_fill : length;
            memcpy(installer->unit + installer->unit_fill, data, taken);
            installer->unit_fill += taken;
            if (installer->unit_fill == unit) {
                status = program_units(installer, installer->unit, unit);
                installer->unit_fill = 0;
            }
        }
        if (status != RELO_STATUS_OK) {
            return status;
        }
        installer->next_offset += taken;
        data += taken;
        length -= taken;
    }
    return RELO_STATUS_OK;
}

/* Programs the last partial unit, padded with erased bytes. */
static relo_status_t flush_unit(relo_installer_t *installer)
{
    if (installer->unit_fill == 0) {
        return RELO_STATUS_OK;
    }
    memset(installer->unit + installer->unit_fill, 0xFF, installer->write_size - installer->unit_fill);
    installer->unit_fill = 0;
    return program_units(installer, installer->unit, installer->write_size);
}

static relo_status_t check_head(const relo_install_env_t *env, const uint8_t *head, uint32_t length,
                                relo_package_t *package, uint32_t *detail)
{
    relo_status_t status = relo_package_parse(head, length, package);
    if (status == RELO_STATUS_OK) {
        status = relo_compat_check(package, relo_board_info(), relo_slots_size(env->slots), detail);
    }
    if (status == RELO_STATUS_OK) {
        relo_reader_t bytes = relo_reader_from_buffer(head, length);
        status = relo_verify_signature(package, &bytes, env->key);
    }
    return status;
}

relo_status_t relo_installer_begin(relo_installer_t *installer, const relo_install_env_t *env, const uint8_t *head,
                                   uint32_t length, uint8_t *slot, uint32_t *next_offset, uint32_t *detail)
{
    const relo_flash_geometry_t *geometry = relo_flash_geometry();
    *detail = 0;
    installer->active = 0;
    if (geometry == 0 || geometry->write_size == 0 || geometry->write_size > RELO_INSTALLER_MAX_WRITE_UNIT) {
        return RELO_STATUS_FLASH_ERROR;
    }
    relo_status_t status = check_head(env, head, length, &installer->package, detail);
    if (status != RELO_STATUS_OK) {
        return status;
    }
    installer->slot = relo_slots_install_target(env->slots);
    installer->slot_offset = relo_slots_offset(env->slots, installer->slot);
    installer->write_size = geometry->write_size;
    installer->next_offset = 0;
    installer->erased_end = 0;
    installer->unit_start = 0;
    installer->unit_fill = 0;
    /* The head is already here and authenticated: store it, the host continues after it. */
    status = write_bytes(installer, head, installer->package.head_size);
    if (status != RELO_STATUS_OK) {
        return status;
    }
    installer->active = 1;
    *slot = installer->slot;
    *next_offset = installer->next_offset;
    return RELO_STATUS_OK;
}

relo_status_t relo_installer_data(relo_installer_t *installer, uint32_t offset, const uint8_t *data,
                                  uint32_t length, uint32_t *detail)
{
    *detail = 0;
    if (!installer->active) {
        return RELO_STATUS_NO_INSTALL;
    }
    if (offset != installer->next_offset) {
        *detail = installer->next_offset;
        return RELO_STATUS_OUT_OF_ORDER;
    }
    if ((uint64_t)offset + length > installer->package.package_size) {
        *detail = installer->package.package_size;
        return RELO_STATUS_OUT_OF_BOUNDS;
    }
    relo_status_t status = write_bytes(installer, data, length);
    if (status != RELO_STATUS_OK) {
        installer->active = 0; /* the slot's content is unknown now: start over */
    }
    return status;
}

/* Re-reads the head from flash and authenticates the whole stored package, then dry-runs
 * the relocations: after this only the model's own init can fail. */
static relo_status_t verify_stored(relo_installer_t *installer, const relo_install_env_t *env, uint32_t *detail)
{
    relo_package_t *stored = &installer->package; /* replaced by what flash really holds */
    uint32_t head_size = installer->package.head_size;
    if (relo_flash_read(installer->slot_offset, installer->head, head_size) != 0) {
        return RELO_STATUS_FLASH_ERROR;
    }
    relo_status_t status = relo_package_parse(installer->head, head_size, stored);
    if (status != RELO_STATUS_OK) {
        return status;
    }
    relo_reader_t bytes = relo_reader_from_flash(installer->slot_offset, stored->package_size);
    status = relo_verify_package(stored, &bytes, env->key, detail);
    if (status == RELO_STATUS_OK) {
        status = relo_compat_check(stored, relo_board_info(), relo_slots_size(env->slots), detail);
    }
    if (status == RELO_STATUS_OK) {
        status = relo_loader_relocate(stored, &bytes, 0, 0, detail);
    }
    return status;
}

/* Puts the previous model back after the new one failed to start. */
static void restore_previous(relo_installer_t *installer, const relo_install_env_t *env, uint8_t slot,
                             uint32_t package_size)
{
    if (relo_slots_activate(env->slots, slot, package_size) != RELO_STATUS_OK || slot == RELO_JOURNAL_NO_SLOT) {
        return;
    }
    uint32_t offset = relo_slots_offset(env->slots, slot);
    uint8_t *head = installer->head;
    uint32_t head_size = 0;
    relo_package_t *previous = &installer->package; /* the failed package is no longer needed */
    uint32_t detail;
    if (relo_flash_read(offset, head, RELO_PACKAGE_HEADER_SIZE) == 0) {
        head_size = relo_package_head_size(head, RELO_PACKAGE_HEADER_SIZE);
    }
    if (head_size != 0 && relo_flash_read(offset, head, head_size) == 0 &&
        relo_package_parse(head, head_size, previous) == RELO_STATUS_OK) {
        (void)relo_loader_instantiate(env->model, previous, slot, offset, &detail);
    }
}

relo_status_t relo_installer_end(relo_installer_t *installer, const relo_install_env_t *env, uint32_t *detail)
{
    *detail = 0;
    if (!installer->active) {
        return RELO_STATUS_NO_INSTALL;
    }
    if (installer->next_offset != installer->package.package_size) {
        *detail = installer->next_offset;
        return RELO_STATUS_INCOMPLETE;
    }
    installer->active = 0; /* whatever happens next, this transfer is over */
    relo_status_t status = flush_unit(installer);
    if (status == RELO_STATUS_OK) {
        status = verify_stored(installer, env, detail);
    }
    if (status != RELO_STATUS_OK) {
        return status;
    }
    uint8_t previous_slot = relo_slots_active(env->slots);
    uint32_t previous_size = env->slots->journal.package_size;
    int previous_loaded = env->model->loaded;
    status = relo_slots_activate(env->slots, installer->slot, installer->package.package_size);
    if (status != RELO_STATUS_OK) {
        return status;
    }
    status = relo_loader_instantiate(env->model, &installer->package, installer->slot, installer->slot_offset, detail);
    if (status != RELO_STATUS_OK) {
        relo_loader_unload(env->model);
        restore_previous(installer, env, previous_loaded ? previous_slot : RELO_JOURNAL_NO_SLOT, previous_size);
    }
    return status;
}
