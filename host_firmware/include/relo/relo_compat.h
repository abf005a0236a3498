/* SPDX-License-Identifier: Apache-2.0 */
/* Can this board run this package? CPU, FPU, float ABI, slot size and model RAM; checked
 * before an install writes anything and again before a slot is booted. */
#ifndef RELO_COMPAT_H
#define RELO_COMPAT_H

#include <stdint.h>

#include "relo/port_board.h"
#include "relo/relo_package.h"
#include "relo/relo_status.h"

/* Where the model's RAM image starts inside the board's model RAM. */
#define RELO_MODEL_RAM_ALIGN 8u

uint8_t *relo_compat_ram_image_base(const relo_board_info_t *board);

/* OK, WRONG_CPU, WRONG_FPU, WRONG_ABI, TOO_LARGE (detail = slot size) or NOT_ENOUGH_RAM
 * (detail = bytes needed, saturated). */
relo_status_t relo_compat_check(const relo_package_t *package, const relo_board_info_t *board, uint32_t slot_size,
                                uint32_t *detail);

#endif /* RELO_COMPAT_H */
