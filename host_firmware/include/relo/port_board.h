/* SPDX-License-Identifier: Apache-2.0 */
/* Port contract: what the board is, the RAM it lends to models, how time is measured,
 * and how a model's code is entered. */
#ifndef RELO_PORT_BOARD_H
#define RELO_PORT_BOARD_H

#include <stdint.h>

typedef struct {
    const char *name;   /* e.g. "qemu-m4" */
    uint16_t cpu;       /* RELO_CPU_* */
    uint16_t fpu;       /* RELO_FPU_* */
    uint16_t abi;       /* RELO_FLOAT_ABI_* the firmware was built with */
    uint8_t *model_ram; /* RAM for the model's data/bss and its arena */
    uint32_t model_ram_size;
} relo_board_info_t;

void relo_board_init(void);
const relo_board_info_t *relo_board_info(void);

/* Measurement around a model's run call. The unit is RELO_COUNTER_UNIT_*. */
void relo_counter_start(void);
uint64_t relo_counter_stop(void);
uint32_t relo_counter_unit(void);

/* Calls `entry` (a Thumb code address) as int32_t entry(uint8_t *arena) with r9 set to
 * `static_base` (the model's GOT), preserving the caller's r9. */
int32_t relo_call_model(uintptr_t entry, uint8_t *arena, void *static_base);

#endif /* RELO_PORT_BOARD_H */
