/* SPDX-License-Identifier: Apache-2.0 */
/* The host simulator uses the emulated board's layout, so tests exercise the real one:
 * journal in sectors 0-1, 1 MiB slots at 0x40000 and 0x140000. */
#include "relo/port_layout.h"

static const relo_flash_layout_t layout = {{0x00000u, 0x20000u}, {0x40000u, 0x140000u}, 0x100000u};

const relo_flash_layout_t *relo_flash_layout(void) { return &layout; }
