/* SPDX-License-Identifier: Apache-2.0 */
/* The install state machine: BEGIN -> DATA* -> END (or ABORT). */
#include <string.h>

#include "relo/port_board.h"
#include "relo/port_flash.h"
#include "relo/relo_compat.h"
#include "relo/relo_crypto.h"
#include "relo/relo_installer.h"
#include "relo/relo_selftest.h"

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

/* Journals the last whole sector programmed, for a later BEGIN to resume from. A failed
 * checkpoint costs only a longer resume, never correctness: it is not an install error. */
static void checkpoint(relo_installer_t *installer)
{
    uint32_t done = installer->unit_start - installer->unit_start % installer->sector_size;
    if (done > installer->checkpoint && done < installer->package.package_size &&
        relo_slots_install_progress(installer->slots, installer->slot, installer->head_id, done) == RELO_STATUS_OK) {
        installer->checkpoint = done;
    }
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
        checkpoint(installer);
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

/* Versions only go forward: the security counter always, the version unless the signed
 * manifest allows a downgrade. */
static relo_status_t check_rollback(const relo_install_env_t *env, const relo_package_t *package, uint32_t *detail)
{
    uint32_t counter = relo_slots_security_counter(env->slots);
    if (package->security_counter < counter) {
        *detail = counter;
        return RELO_STATUS_SECURITY_COUNTER;
    }
    uint8_t active = relo_slots_find(env->slots, package->name, RELO_SLOT_ROLE_ACTIVE);
    uint32_t installed = active == RELO_JOURNAL_NO_SLOT ? 0 : env->slots->info[active].version;
    if (active != RELO_JOURNAL_NO_SLOT && package->version < installed &&
        (package->model_flags & RELO_MODEL_FLAG_ALLOW_DOWNGRADE) == 0) {
        *detail = installed;
        return RELO_STATUS_DOWNGRADE;
    }
    return RELO_STATUS_OK;
}

/* Where this transfer starts: at the checkpoint of an interrupted install of the same head
 * into the same slot (its sectors before the checkpoint are programmed), else at 0. */
static uint32_t resume_offset(const relo_installer_t *installer)
{
    uint32_t offset = relo_slots_resume_offset(installer->slots, installer->slot, installer->head_id);
    int usable = offset >= installer->package.head_size && offset < installer->package.package_size &&
                 offset % installer->sector_size == 0;
    return usable ? offset : 0;
}

/* A fresh transfer: the slot is claimed in the journal first (it may have been a BACKUP,
 * and an older checkpoint must not outlive the sectors about to change), then the head,
 * already here and authenticated, is stored; the host continues after it. */
static relo_status_t start_fresh(relo_installer_t *installer, const uint8_t *head)
{
    relo_status_t status = relo_slots_claim(installer->slots, installer->slot, installer->head_id);
    return status == RELO_STATUS_OK ? write_bytes(installer, head, installer->package.head_size) : status;
}

relo_status_t relo_installer_begin(relo_installer_t *installer, const relo_install_env_t *env, const uint8_t *head,
                                   uint32_t length, uint8_t *slot, uint32_t *next_offset, uint32_t *detail)
{
    const relo_flash_geometry_t *geometry = relo_flash_geometry();
    *detail = 0;
    installer->active = 0;
    if (geometry == 0 || geometry->write_size == 0 || geometry->write_size > RELO_INSTALLER_MAX_WRITE_UNIT ||
        geometry->sector_size % geometry->write_size != 0) {
        return RELO_STATUS_FLASH_ERROR;
    }
    relo_status_t status = check_head(env, head, length, &installer->package, detail);
    if (status == RELO_STATUS_OK) {
        status = check_rollback(env, &installer->package, detail);
    }
    if (status != RELO_STATUS_OK) {
        return status;
    }
    uint8_t digest[RELO_SHA256_SIZE];
    relo_reader_t head_bytes = relo_reader_from_buffer(head, installer->package.head_size);
    if (relo_crypto_sha256(&head_bytes, 0, installer->package.head_size, digest) != 0) {
        return RELO_STATUS_MALFORMED_PACKAGE;
    }
    memcpy(installer->head_id, digest, RELO_JOURNAL_HEAD_ID_SIZE);
    installer->slots = env->slots;
    installer->slot = relo_slots_install_target(env->slots, installer->package.name, installer->head_id);
    if (installer->slot == RELO_JOURNAL_NO_SLOT) {
        *detail = relo_slots_count(env->slots);
        return RELO_STATUS_NO_FREE_SLOT;
    }
    env->slots->verified[installer->slot] = 0;
    installer->slot_offset = relo_slots_offset(env->slots, installer->slot);
    installer->write_size = geometry->write_size;
    installer->sector_size = geometry->sector_size;
    installer->unit_fill = 0;
    installer->checkpoint = resume_offset(installer);
    installer->resumed = installer->checkpoint != 0;
    /* Resuming: everything before the checkpoint is in flash; the sector at it is erased
     * again before anything is programmed there. */
    installer->next_offset = installer->checkpoint;
    installer->erased_end = installer->checkpoint;
    installer->unit_start = installer->checkpoint;
    if (!installer->resumed) {
        status = start_fresh(installer, head);
    }
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

/* Loads the default model again after a failed trial (the trial overwrote model RAM). It
 * was verified when it was installed or booted and is still in flash, untouched. */
static void restore_previous(relo_installer_t *installer, const relo_install_env_t *env)
{
    uint8_t slot = relo_slots_default(env->slots);
    if (slot == RELO_JOURNAL_NO_SLOT) {
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

/* The new model failed its trial: journal the revert (with why), then bring back the
 * previous model. */
static void revert_trial(relo_installer_t *installer, const relo_install_env_t *env, uint8_t event,
                         uint32_t event_detail)
{
    relo_loader_unload(env->model);
    (void)relo_slots_revert(env->slots, event, event_detail); /* if this fails, the next boot reverts */
    restore_previous(installer, env);
}

/* Trial: the new slot is journalled as on trial before it runs, so any reset from here on
 * reverts; it is confirmed only after every golden test vector matched. */
static relo_status_t run_trial(relo_installer_t *installer, const relo_install_env_t *env, uint32_t *detail)
{
    env->slots->verified[installer->slot] = 1; /* verify_stored just did */
    relo_status_t status = relo_slots_start_trial(env->slots, installer->slot, installer->package.name,
                                                  installer->package.version);
    if (status != RELO_STATUS_OK) {
        return status;
    }
    uint32_t security_counter = installer->package.security_counter;
    status = relo_loader_instantiate(env->model, &installer->package, installer->slot, installer->slot_offset, detail);
    if (status != RELO_STATUS_OK) {
        revert_trial(installer, env, RELO_EVENT_INIT_FAILED, *detail);
        return status;
    }
    uint32_t vectors = 0;
    status = relo_selftest_run(env->model, &vectors, detail);
    if (status != RELO_STATUS_OK) {
        revert_trial(installer, env, RELO_EVENT_SELF_TEST_FAILED, *detail);
        return status;
    }
    uint8_t event = vectors > 0 ? RELO_EVENT_CONFIRMED : RELO_EVENT_CONFIRMED_UNTESTED;
    status = relo_slots_confirm(env->slots, security_counter, event, vectors);
    if (status != RELO_STATUS_OK) {
        revert_trial(installer, env, RELO_EVENT_TRIAL_INTERRUPTED, 0);
    }
    return status;
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
    return status == RELO_STATUS_OK ? run_trial(installer, env, detail) : status;
}
