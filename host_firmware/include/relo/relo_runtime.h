/* SPDX-License-Identifier: Apache-2.0 */
/* Running the loaded model: tensor I/O in its arena, inference, state reset, description. */
#ifndef RELO_RUNTIME_H
#define RELO_RUNTIME_H

#include <stdint.h>

#include "relo/relo_loader.h"
#include "relo/relo_status.h"

/* Writes data into input `index` at byte `offset` of the tensor. NO_MODEL or BAD_TENSOR. */
relo_status_t relo_runtime_tensor_write(relo_model_t *model, uint32_t index, uint32_t offset, const uint8_t *data,
                                        uint32_t length);
/* Copies output `index` bytes [offset, offset + length) into out. */
relo_status_t relo_runtime_tensor_read(const relo_model_t *model, uint32_t index, uint32_t offset, uint32_t length,
                                       uint8_t *out);
/* One inference, measured around the run call only. MODEL_FAILED (detail = the model's
 * return value) when it returns non-zero. */
relo_status_t relo_runtime_invoke(relo_model_t *model, int32_t *model_status, uint64_t *count, uint32_t *detail);
/* Calls relo_model_reset_state when the model has one; a stateless model has nothing to do. */
relo_status_t relo_runtime_reset_state(relo_model_t *model, uint32_t *detail);
/* MODEL_INFO payload: header, then the manifest and tensor descriptors as stored in flash. */
relo_status_t relo_runtime_describe(const relo_model_t *model, uint8_t *out, uint32_t capacity, uint32_t *length);

#endif /* RELO_RUNTIME_H */
