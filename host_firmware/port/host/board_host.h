/* SPDX-License-Identifier: Apache-2.0 */
/* Test controls of the host board port. The host cannot execute a blob's Thumb code, so
 * relo_call_model hands the call to a test-supplied C function instead; with none set it
 * fails (-1), as a model that cannot run. */
#ifndef RELO_BOARD_HOST_H
#define RELO_BOARD_HOST_H

#include <stdint.h>

#define RELO_BOARD_HOST_MODEL_RAM_SIZE (512u * 1024u)

typedef int32_t (*relo_board_host_model_fn)(uintptr_t entry, uint8_t *arena, void *static_base);

void relo_board_host_set_model(relo_board_host_model_fn model);
uint32_t relo_board_host_model_calls(void);

#endif /* RELO_BOARD_HOST_H */
