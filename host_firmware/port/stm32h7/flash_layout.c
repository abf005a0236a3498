/* SPDX-License-Identifier: Apache-2.0 */
/* UNTESTED ON SILICON. port_layout.h on STM32H743 bank 2 (1 MiB, 128 KiB sectors): journal
 * in sectors 0-1, then two 384 KiB slots (3 sectors each). */
#include "relo/port_layout.h"

#define SECTOR_SIZE (128u * 1024u)
#define SLOT_SIZE (3u * SECTOR_SIZE)

static const relo_flash_layout_t stm32h7_layout = {
    .journal_offset = {0u, SECTOR_SIZE},
    .slot_count = 2u,
    .slot_offset = {2u * SECTOR_SIZE, 2u * SECTOR_SIZE + SLOT_SIZE}, /* 0x40000, 0xA0000 */
    .slot_size = SLOT_SIZE,
};

const relo_flash_layout_t *relo_flash_layout(void) { return &stm32h7_layout; }
