/* SPDX-License-Identifier: Apache-2.0 */
/* port_layout.h on the 16 MiB emulated flash (128 KiB sectors): journal in sectors 0 and 1,
 * then two 1 MiB slots. The rest of the flash is unused, leaving room for larger slots. */
#include "relo/port_layout.h"

#define SECTOR_SIZE (128u * 1024u)
#define SLOT_SIZE (1024u * 1024u)

static const relo_flash_layout_t qemu_layout = {
    .journal_offset = {0u * SECTOR_SIZE, 1u * SECTOR_SIZE},
    .slot_offset = {2u * SECTOR_SIZE, 2u * SECTOR_SIZE + SLOT_SIZE}, /* 0x40000, 0x140000 */
    .slot_size = SLOT_SIZE,
};

const relo_flash_layout_t *relo_flash_layout(void) { return &qemu_layout; }
