/* SPDX-License-Identifier: Apache-2.0 */
/* port_layout.h on the 16 MiB emulated flash (128 KiB sectors): journal in sectors 0 and 1,
 * then eight 1 MiB slots from 0x40000: room for several named models, each with its
 * previous version. The last 7.75 MiB are unused. */
#include "relo/port_layout.h"

#define SECTOR_SIZE (128u * 1024u)
#define SLOT_SIZE (1024u * 1024u)
#define SLOT(i) (2u * SECTOR_SIZE + (i) * SLOT_SIZE)

static const relo_flash_layout_t qemu_layout = {
    .journal_offset = {0u * SECTOR_SIZE, 1u * SECTOR_SIZE},
    .slot_count = 8u,
    .slot_offset = {SLOT(0), SLOT(1), SLOT(2), SLOT(3), SLOT(4), SLOT(5), SLOT(6), SLOT(7)}, /* 0x40000 ... 0x740000 */
    .slot_size = SLOT_SIZE,
};

const relo_flash_layout_t *relo_flash_layout(void) { return &qemu_layout; }
