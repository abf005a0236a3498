/* SPDX-License-Identifier: Apache-2.0 */
/* Device bring-up: read the journal and start the active model, trusting nothing in
 * flash that has not been verified again on this boot. */
#include <string.h>

#include "relo/port_board.h"
#include "relo/port_flash.h"
#include "relo/relo_commands.h"
#include "relo/relo_compat.h"
#include "relo/relo_device.h"

relo_status_t relo_device_boot_slot(relo_device_t *device, uint8_t slot, uint32_t *detail)
{
    *detail = 0;
    if (slot >= RELO_SLOT_COUNT) {
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
    if (status == RELO_STATUS_OK) {
        relo_reader_t bytes = relo_reader_from_flash(offset, package->package_size);
        status = relo_verify_package(package, &bytes, &device->key, detail);
    }
    if (status == RELO_STATUS_OK) {
        status = relo_loader_instantiate(&device->model, package, slot, offset, detail);
    }
    return status;
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
    uint8_t active = relo_slots_active(&device->slots);
    device->boot_status = RELO_STATUS_NO_MODEL;
    if (active != RELO_JOURNAL_NO_SLOT) {
        device->boot_status = relo_device_boot_slot(device, active, &device->boot_detail);
    }
    return RELO_STATUS_OK;
}
