/* SPDX-License-Identifier: Apache-2.0 */
/* The host simulator uses the emulated board's layout, so tests exercise the real one:
 * journal in sectors 0-1, eight 1 MiB slots from 0x40000 (0x40000, 0x140000, ...). */
#include "relo/port_layout.h"

#define SLOT(i) (0x40000u + (i) * 0x100000u)

static const relo_flash_layout_t layout = {
    .journal_offset = {0x00000u, 0x20000u},
    .slot_count = 8u,
    .slot_offset = {SLOT(0), SLOT(1), SLOT(2), SLOT(3), SLOT(4), SLOT(5), SLOT(6), SLOT(7)},
    .slot_size = 0x100000u,
};

const relo_flash_layout_t *relo_flash_layout(void) { return &layout; }
