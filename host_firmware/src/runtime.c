/* SPDX-License-Identifier: Apache-2.0 */
/* Model execution and I/O. Every tensor range was checked against the arena when the
 * package was parsed; requests are checked against the tensor here. */
#include <string.h>

#include "relo/port_board.h"
#include "relo/port_flash.h"
#include "relo/relo_endian.h"
#include "relo/relo_runtime.h"

static int range_ok(const relo_tensor_t *tensor, uint32_t offset, uint32_t length)
{
    return tensor != 0 && (uint64_t)offset + length <= tensor->size_bytes;
}

relo_status_t relo_runtime_tensor_write(relo_model_t *model, uint32_t index, uint32_t offset, const uint8_t *data,
                                        uint32_t length)
{
    if (model == 0 || !model->loaded) {
        return RELO_STATUS_NO_MODEL;
    }
    const relo_tensor_t *tensor = relo_package_input(&model->package, index);
    if (!range_ok(tensor, offset, length) || (length > 0 && data == 0)) {
        return RELO_STATUS_BAD_TENSOR;
    }
    memcpy(model->arena + tensor->arena_offset + offset, data, length);
    return RELO_STATUS_OK;
}

relo_status_t relo_runtime_tensor_read(const relo_model_t *model, uint32_t index, uint32_t offset, uint32_t length,
                                       uint8_t *out)
{
    if (model == 0 || !model->loaded) {
        return RELO_STATUS_NO_MODEL;
    }
    const relo_tensor_t *tensor = relo_package_output(&model->package, index);
    if (!range_ok(tensor, offset, length) || (length > 0 && out == 0)) {
        return RELO_STATUS_BAD_TENSOR;
    }
    memcpy(out, model->arena + tensor->arena_offset + offset, length);
    return RELO_STATUS_OK;
}

relo_status_t relo_runtime_invoke(relo_model_t *model, int32_t *model_status, uint64_t *count, uint32_t *detail)
{
    *detail = 0;
    if (model == 0 || !model->loaded) {
        return RELO_STATUS_NO_MODEL;
    }
    uintptr_t entry = model->code_address + model->package.entry_run;
    relo_counter_start();
    *model_status = relo_call_model(entry, model->arena, model->got);
    *count = relo_counter_stop();
    if (*model_status != 0) {
        *detail = (uint32_t)*model_status;
        return RELO_STATUS_MODEL_FAILED;
    }
    return RELO_STATUS_OK;
}

relo_status_t relo_runtime_reset_state(relo_model_t *model, uint32_t *detail)
{
    *detail = 0;
    if (model == 0 || !model->loaded) {
        return RELO_STATUS_NO_MODEL;
    }
    if (model->package.entry_reset == 0) {
        return RELO_STATUS_OK;
    }
    int32_t result = relo_call_model(model->code_address + model->package.entry_reset, model->arena, model->got);
    if (result != 0) {
        *detail = (uint32_t)result;
        return RELO_STATUS_MODEL_FAILED;
    }
    return RELO_STATUS_OK;
}

relo_status_t relo_runtime_describe(const relo_model_t *model, uint8_t *out, uint32_t capacity, uint32_t *length)
{
    if (model == 0 || !model->loaded) {
        return RELO_STATUS_NO_MODEL;
    }
    const relo_package_t *package = &model->package;
    uint64_t total = (uint64_t)RELO_MODEL_INFO_RESPONSE_SIZE + package->manifest_size;
    if (out == 0 || total > capacity) {
        return RELO_STATUS_BAD_LENGTH;
    }
    memset(out, 0, RELO_MODEL_INFO_RESPONSE_SIZE);
    out[RELO_MODEL_INFO_RESPONSE_SLOT_OFF] = model->slot;
    relo_store32_le(out + RELO_MODEL_INFO_RESPONSE_PACKAGE_SIZE_OFF, package->package_size);
    memcpy(out + RELO_MODEL_INFO_RESPONSE_SIGNED_SHA256_OFF, model->signed_sha256, RELO_MODEL_INFO_RESPONSE_SIGNED_SHA256_LEN);
    if (relo_flash_read(model->slot_offset + package->manifest_offset, out + RELO_MODEL_INFO_RESPONSE_SIZE,
                        package->manifest_size) != 0) {
        return RELO_STATUS_FLASH_ERROR;
    }
    *length = (uint32_t)total;
    return RELO_STATUS_OK;
}
