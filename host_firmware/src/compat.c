/* SPDX-License-Identifier: Apache-2.0 */
/* Package-versus-board compatibility. */
#include "relo/relo_compat.h"

uint8_t *relo_compat_ram_image_base(const relo_board_info_t *board)
{
    uintptr_t base = (uintptr_t)board->model_ram;
    return board->model_ram + ((RELO_MODEL_RAM_ALIGN - base % RELO_MODEL_RAM_ALIGN) % RELO_MODEL_RAM_ALIGN);
}

/* Code built for a smaller FPU runs on a larger one of the same family; not the reverse. */
static int fpu_ok(uint16_t package_fpu, uint16_t board_fpu)
{
    if (package_fpu == RELO_FPU_NONE || package_fpu == board_fpu) {
        return 1;
    }
    return package_fpu == RELO_FPU_FPV5_SP_D16 && board_fpu == RELO_FPU_FPV5_D16;
}

/* soft and softfp share the calling convention (floats in core registers); hard does not. */
static int abi_ok(uint16_t package_abi, uint16_t board_abi)
{
    if (package_abi == board_abi) {
        return 1;
    }
    return package_abi != RELO_FLOAT_ABI_HARD && board_abi != RELO_FLOAT_ABI_HARD;
}

relo_status_t relo_compat_check(const relo_package_t *package, const relo_board_info_t *board, uint32_t slot_size,
                                uint32_t *detail)
{
    *detail = 0;
    if (package->target_cpu != board->cpu) {
        *detail = package->target_cpu;
        return RELO_STATUS_WRONG_CPU;
    }
    if (!fpu_ok(package->target_fpu, board->fpu)) {
        *detail = package->target_fpu;
        return RELO_STATUS_WRONG_FPU;
    }
    if (!abi_ok(package->target_abi, board->abi)) {
        *detail = package->target_abi;
        return RELO_STATUS_WRONG_ABI;
    }
    if (package->package_size > slot_size) {
        *detail = slot_size;
        return RELO_STATUS_TOO_LARGE;
    }
    uint8_t *image = relo_compat_ram_image_base(board);
    uint64_t needed = relo_package_ram_needed(package, (uintptr_t)image) + (uint64_t)(image - board->model_ram);
    if (needed > board->model_ram_size) {
        *detail = needed > UINT32_MAX ? UINT32_MAX : (uint32_t)needed;
        return RELO_STATUS_NOT_ENOUGH_RAM;
    }
    return RELO_STATUS_OK;
}
