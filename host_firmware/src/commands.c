/* SPDX-License-Identifier: Apache-2.0 */
/* Request decoding and response encoding for every command. Handlers only translate
 * between the wire and the modules; the work happens in installer/runtime. */
#include <string.h>

#include "relo/port_board.h"
#include "relo/port_flash.h"
#include "relo/relo_catalog.h"
#include "relo/relo_commands.h"
#include "relo/relo_device.h"
#include "relo/relo_endian.h"
#include "relo/relo_runtime.h"

static relo_status_t expect_length(const relo_request_t *request, uint32_t length, relo_response_t *response)
{
    if (request->length != length) {
        response->detail = length;
        return RELO_STATUS_BAD_LENGTH;
    }
    return RELO_STATUS_OK;
}

/* MODEL_INFO, INVOKE and RESET_STATE take an optional MODEL_SELECTOR (empty: the default
 * model) and make that model the loaded one. */
static relo_status_t select_model(relo_device_t *device, const relo_request_t *request, relo_response_t *response)
{
    if (request->length != 0 && request->length != RELO_MODEL_SELECTOR_SIZE) {
        response->detail = RELO_MODEL_SELECTOR_SIZE;
        return RELO_STATUS_BAD_LENGTH;
    }
    uint8_t selector = request->length != 0 ? request->payload[RELO_MODEL_SELECTOR_MODEL_OFF]
                                            : (uint8_t)RELO_MODEL_SELECTOR_DEFAULT;
    return relo_device_select(device, selector, &response->detail);
}

static relo_install_env_t install_env(relo_device_t *device)
{
    relo_install_env_t env = {&device->slots, &device->model, &device->key};
    return env;
}

static relo_status_t cmd_hello(void *context, const relo_request_t *request, relo_response_t *response)
{
    relo_device_t *device = context;
    (void)request; /* any payload is accepted: HELLO must work whatever the host version */
    const relo_board_info_t *board = relo_board_info();
    const relo_flash_geometry_t *geometry = relo_flash_geometry();
    uint8_t *out = response->payload;
    memset(out, 0, RELO_HELLO_RESPONSE_SIZE);
    relo_store16_le(out + RELO_HELLO_RESPONSE_PROTOCOL_VERSION_OFF, RELO_PROTOCOL_VERSION);
    relo_store16_le(out + RELO_HELLO_RESPONSE_MAX_PAYLOAD_OFF, RELO_MAX_PAYLOAD);
    relo_store32_le(out + RELO_HELLO_RESPONSE_FIRMWARE_VERSION_OFF, RELO_FIRMWARE_VERSION);
    size_t name_length = strlen(board->name);
    memcpy(out + RELO_HELLO_RESPONSE_BOARD_OFF, board->name,
           name_length < RELO_HELLO_RESPONSE_BOARD_LEN ? name_length : RELO_HELLO_RESPONSE_BOARD_LEN);
    relo_store16_le(out + RELO_HELLO_RESPONSE_CPU_OFF, board->cpu);
    relo_store16_le(out + RELO_HELLO_RESPONSE_FPU_OFF, board->fpu);
    relo_store16_le(out + RELO_HELLO_RESPONSE_ABI_OFF, board->abi);
    relo_store16_le(out + RELO_HELLO_RESPONSE_SLOT_COUNT_OFF, relo_slots_count(&device->slots));
    relo_store32_le(out + RELO_HELLO_RESPONSE_SLOT_SIZE_OFF, relo_slots_size(&device->slots));
    relo_store32_le(out + RELO_HELLO_RESPONSE_MODEL_RAM_SIZE_OFF, board->model_ram_size);
    relo_store32_le(out + RELO_HELLO_RESPONSE_FLASH_SECTOR_SIZE_OFF, geometry->sector_size);
    relo_store32_le(out + RELO_HELLO_RESPONSE_FLASH_WRITE_SIZE_OFF, geometry->write_size);
    memcpy(out + RELO_HELLO_RESPONSE_KEY_ID_OFF, device->key.key_id, RELO_HELLO_RESPONSE_KEY_ID_LEN);
    out[RELO_HELLO_RESPONSE_ACTIVE_SLOT_OFF] = relo_slots_default(&device->slots); /* the default model */
    const relo_journal_entry_t *journal = &device->slots.journal.entry;
    out[RELO_HELLO_RESPONSE_LAST_EVENT_OFF] = journal->event;
    relo_store16_le(out + RELO_HELLO_RESPONSE_FORMAT_VERSION_OFF, RELO_FORMAT_VERSION);
    relo_store32_le(out + RELO_HELLO_RESPONSE_COUNTER_UNIT_OFF, relo_counter_unit());
    relo_store32_le(out + RELO_HELLO_RESPONSE_EVENT_DETAIL_OFF, journal->event_detail);
    relo_store32_le(out + RELO_HELLO_RESPONSE_SECURITY_COUNTER_OFF, journal->security_counter);
    response->length = RELO_HELLO_RESPONSE_SIZE;
    return RELO_STATUS_OK;
}

static relo_status_t cmd_model_info(void *context, const relo_request_t *request, relo_response_t *response)
{
    relo_device_t *device = context;
    relo_status_t status = select_model(device, request, response);
    if (status == RELO_STATUS_OK) {
        status = relo_runtime_describe(&device->model, response->payload, response->capacity, &response->length);
    }
    return status;
}

static relo_status_t cmd_list(void *context, const relo_request_t *request, relo_response_t *response)
{
    relo_device_t *device = context;
    relo_status_t status = expect_length(request, 0, response);
    return status == RELO_STATUS_OK
               ? relo_catalog_list(&device->slots, response->payload, response->capacity, &response->length)
               : status;
}

static relo_status_t cmd_install_begin(void *context, const relo_request_t *request, relo_response_t *response)
{
    relo_device_t *device = context;
    relo_install_env_t env = install_env(device);
    uint8_t slot = 0;
    uint32_t next_offset = 0;
    relo_status_t status = relo_installer_begin(&device->installer, &env, request->payload, request->length, &slot,
                                                &next_offset, &response->detail);
    if (status == RELO_STATUS_OK) {
        memset(response->payload, 0, RELO_INSTALL_BEGIN_RESPONSE_SIZE);
        response->payload[RELO_INSTALL_BEGIN_RESPONSE_SLOT_OFF] = slot;
        relo_store32_le(response->payload + RELO_INSTALL_BEGIN_RESPONSE_NEXT_OFFSET_OFF, next_offset);
        response->length = RELO_INSTALL_BEGIN_RESPONSE_SIZE;
    }
    return status;
}

static relo_status_t cmd_install_data(void *context, const relo_request_t *request, relo_response_t *response)
{
    relo_device_t *device = context;
    if (request->length < RELO_INSTALL_DATA_HEADER_SIZE) {
        response->detail = RELO_INSTALL_DATA_HEADER_SIZE;
        return RELO_STATUS_BAD_LENGTH;
    }
    uint32_t offset = relo_load32_le(request->payload + RELO_INSTALL_DATA_HEADER_OFFSET_OFF);
    return relo_installer_data(&device->installer, offset, request->payload + RELO_INSTALL_DATA_HEADER_SIZE,
                               request->length - RELO_INSTALL_DATA_HEADER_SIZE, &response->detail);
}

static relo_status_t cmd_install_end(void *context, const relo_request_t *request, relo_response_t *response)
{
    relo_device_t *device = context;
    relo_install_env_t env = install_env(device);
    relo_status_t status = expect_length(request, 0, response);
    return status == RELO_STATUS_OK ? relo_installer_end(&device->installer, &env, &response->detail) : status;
}

static relo_status_t cmd_install_abort(void *context, const relo_request_t *request, relo_response_t *response)
{
    relo_device_t *device = context;
    relo_status_t status = expect_length(request, 0, response);
    if (status == RELO_STATUS_OK) {
        relo_installer_abort(&device->installer);
    }
    return status;
}

static relo_status_t cmd_tensor_write(void *context, const relo_request_t *request, relo_response_t *response)
{
    relo_device_t *device = context;
    if (request->length < RELO_TENSOR_IO_HEADER_SIZE) {
        response->detail = RELO_TENSOR_IO_HEADER_SIZE;
        return RELO_STATUS_BAD_LENGTH;
    }
    const uint8_t *header = request->payload;
    relo_status_t status = relo_device_select(device, header[RELO_TENSOR_IO_HEADER_MODEL_OFF], &response->detail);
    if (status != RELO_STATUS_OK) {
        return status;
    }
    return relo_runtime_tensor_write(&device->model, header[RELO_TENSOR_IO_HEADER_INDEX_OFF],
                                     relo_load32_le(header + RELO_TENSOR_IO_HEADER_OFFSET_OFF),
                                     header + RELO_TENSOR_IO_HEADER_SIZE, request->length - RELO_TENSOR_IO_HEADER_SIZE);
}

static relo_status_t cmd_tensor_read(void *context, const relo_request_t *request, relo_response_t *response)
{
    relo_device_t *device = context;
    relo_status_t status = expect_length(request, RELO_TENSOR_IO_HEADER_SIZE, response);
    if (status != RELO_STATUS_OK) {
        return status;
    }
    const uint8_t *header = request->payload;
    uint32_t length = relo_load32_le(header + RELO_TENSOR_IO_HEADER_LENGTH_OFF);
    if (length > response->capacity) {
        response->detail = response->capacity;
        return RELO_STATUS_BAD_LENGTH;
    }
    status = relo_device_select(device, header[RELO_TENSOR_IO_HEADER_MODEL_OFF], &response->detail);
    if (status != RELO_STATUS_OK) {
        return status;
    }
    status = relo_runtime_tensor_read(&device->model, header[RELO_TENSOR_IO_HEADER_INDEX_OFF],
                                      relo_load32_le(header + RELO_TENSOR_IO_HEADER_OFFSET_OFF), length,
                                      response->payload);
    if (status == RELO_STATUS_OK) {
        response->length = length;
    }
    return status;
}

static relo_status_t cmd_invoke(void *context, const relo_request_t *request, relo_response_t *response)
{
    relo_device_t *device = context;
    relo_status_t status = select_model(device, request, response);
    int32_t model_status = 0;
    uint64_t count = 0;
    if (status == RELO_STATUS_OK) {
        status = relo_runtime_invoke(&device->model, &model_status, &count, &response->detail);
    }
    if (status == RELO_STATUS_OK) {
        relo_store32_le(response->payload + RELO_INVOKE_RESPONSE_MODEL_STATUS_OFF, (uint32_t)model_status);
        relo_store32_le(response->payload + RELO_INVOKE_RESPONSE_COUNTER_UNIT_OFF, relo_counter_unit());
        relo_store64_le(response->payload + RELO_INVOKE_RESPONSE_COUNT_OFF, count);
        response->length = RELO_INVOKE_RESPONSE_SIZE;
    }
    return status;
}

static relo_status_t cmd_reset_state(void *context, const relo_request_t *request, relo_response_t *response)
{
    relo_device_t *device = context;
    relo_status_t status = select_model(device, request, response);
    return status == RELO_STATUS_OK ? relo_runtime_reset_state(&device->model, &response->detail) : status;
}

/* ACTIVATE, ROLLBACK and ERASE: a MODEL_NAME payload and one journal append. The loaded
 * model is dropped when its slot changes role; the next request loads what it selects. */
static relo_status_t manage(relo_device_t *device, const relo_request_t *request, relo_response_t *response,
                            relo_status_t (*change)(relo_slots_t *, const uint8_t *))
{
    relo_status_t status = expect_length(request, RELO_MODEL_NAME_SIZE, response);
    if (status == RELO_STATUS_OK) {
        status = change(&device->slots, request->payload + RELO_MODEL_NAME_NAME_OFF);
    }
    if (device->model.loaded && relo_slots_role(&device->slots, device->model.slot) != RELO_SLOT_ROLE_ACTIVE) {
        relo_loader_unload(&device->model);
    }
    return status;
}

static relo_status_t cmd_activate(void *context, const relo_request_t *request, relo_response_t *response)
{
    return manage(context, request, response, relo_slots_set_default);
}

static relo_status_t cmd_rollback(void *context, const relo_request_t *request, relo_response_t *response)
{
    return manage(context, request, response, relo_slots_rollback);
}

static relo_status_t cmd_erase(void *context, const relo_request_t *request, relo_response_t *response)
{
    return manage(context, request, response, relo_slots_erase);
}

static const relo_command_entry_t command_table[] = {
    {RELO_CMD_HELLO, cmd_hello},
    {RELO_CMD_MODEL_INFO, cmd_model_info},
    {RELO_CMD_LIST, cmd_list},
    {RELO_CMD_INSTALL_BEGIN, cmd_install_begin},
    {RELO_CMD_INSTALL_DATA, cmd_install_data},
    {RELO_CMD_INSTALL_END, cmd_install_end},
    {RELO_CMD_INSTALL_ABORT, cmd_install_abort},
    {RELO_CMD_TENSOR_WRITE, cmd_tensor_write},
    {RELO_CMD_INVOKE, cmd_invoke},
    {RELO_CMD_TENSOR_READ, cmd_tensor_read},
    {RELO_CMD_RESET_STATE, cmd_reset_state},
    {RELO_CMD_ACTIVATE, cmd_activate},
    {RELO_CMD_ROLLBACK, cmd_rollback},
    {RELO_CMD_ERASE, cmd_erase},
};

const relo_command_entry_t *relo_commands_table(size_t *count)
{
    *count = sizeof command_table / sizeof command_table[0];
    return command_table;
}
