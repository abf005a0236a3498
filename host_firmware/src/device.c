/* SPDX-License-Identifier: Apache-2.0 */
/* Device bring-up and model selection: read the journal, revert a trial that a reset
 * interrupted, and start the default model. Other installed models are loaded when a
 * request selects them; nothing in flash runs before it has been verified on this boot. */
#include <string.h>

#include "relo/port_board.h"
#include "relo/port_flash.h"
#include "relo/relo_commands.h"
#include "relo/relo_compat.h"
#include "relo/relo_device.h"

relo_status_t relo_device_boot_slot(relo_device_t *device, uint8_t slot, uint32_t *detail)
{
    *detail = 0;
    if (slot >= relo_slots_count(&device->slots)) {
        return RELO_STATUS_NO_MODEL;
    }
    uint32_t offset = relo_slots_offset(&device->slots, slot);
    uint8_t *head = device->installer.head; /* no install runs during boot: borrow its buffers */
    if (relo_flash_read(offset, head, RELO_PACKAGE_HEADER_SIZE) != 0) {
        return RELO_STATUS_FLASH_ERROR;
    }
    uint32_t head_size = relo_package_head_size(head, RELO_PACKAGE_HEADER_SIZE);
    if (head_size == 0 || head_size > relo_slots_size(&device->slots)) {
        return RELO_STATUS_MALFORMED_PACKAGE;
    }
    if (relo_flash_read(offset, head, head_size) != 0) {
        return RELO_STATUS_FLASH_ERROR;
    }
    relo_package_t *package = &device->installer.package;
    relo_status_t status = relo_package_parse(head, head_size, package);
    if (status == RELO_STATUS_OK) {
        status = relo_compat_check(package, relo_board_info(), relo_slots_size(&device->slots), detail);
    }
    if (status == RELO_STATUS_OK && !device->slots.verified[slot]) {
        relo_reader_t bytes = relo_reader_from_flash(offset, package->package_size);
        status = relo_verify_package(package, &bytes, &device->key, detail);
        device->slots.verified[slot] = status == RELO_STATUS_OK;
    }
    if (status == RELO_STATUS_OK) {
        status = relo_loader_instantiate(&device->model, package, slot, offset, detail);
    }
    return status;
}

relo_status_t relo_device_select(relo_device_t *device, uint8_t selector, uint32_t *detail)
{
    *detail = 0;
    uint8_t slot = selector == RELO_MODEL_SELECTOR_DEFAULT ? relo_slots_default(&device->slots)
                                                            : (uint8_t)(selector - 1u);
    if (slot == RELO_JOURNAL_NO_SLOT) {
        return RELO_STATUS_NO_MODEL;
    }
    if (relo_slots_role(&device->slots, slot) != RELO_SLOT_ROLE_ACTIVE) {
        *detail = selector;
        return RELO_STATUS_UNKNOWN_MODEL;
    }
    if (device->model.loaded && device->model.slot == slot) {
        return RELO_STATUS_OK;
    }
    relo_loader_unload(&device->model); /* one model in RAM at a time: the other is re-initialised */
    return relo_device_boot_slot(device, slot, detail);
}

relo_status_t relo_device_init(relo_device_t *device, const relo_trusted_key_t *key)
{
    memset(device, 0, sizeof *device);
    device->key = *key;
    relo_installer_init(&device->installer);
    size_t command_count;
    const relo_command_entry_t *commands = relo_commands_table(&command_count);
    relo_protocol_init(&device->protocol, commands, command_count, device);
    relo_status_t status = relo_slots_open(&device->slots);
    if (status != RELO_STATUS_OK) {
        return status;
    }
    uint8_t trial = relo_slots_trial(&device->slots);
    if (trial != RELO_JOURNAL_NO_SLOT) {
        /* Reset before the new model was confirmed: it gets no second chance. It never is
         * the default model, so even if the revert cannot be journalled now (the next boot
         * retries) the default model below is the confirmed one. */
        (void)relo_slots_revert(&device->slots, RELO_EVENT_TRIAL_INTERRUPTED, trial);
    }
    device->boot_status = relo_device_select(device, RELO_MODEL_SELECTOR_DEFAULT, &device->boot_detail);
    return RELO_STATUS_OK;
}
