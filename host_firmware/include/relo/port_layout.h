/* SPDX-License-Identifier: Apache-2.0 */
/* Port contract: where the model slots and the slot journal live in the flash of
 * port_flash.h. Every region starts on a sector boundary and is a whole number of sectors. */
#ifndef RELO_PORT_LAYOUT_H
#define RELO_PORT_LAYOUT_H

#include <stdint.h>

#define RELO_SLOT_MAX 8u /* the journal has room for this many slots */

typedef struct {
    uint32_t journal_offset[2];            /* two sectors for the power-fail-safe journal */
    uint8_t slot_count;                    /* 2 .. RELO_SLOT_MAX */
    uint32_t slot_offset[RELO_SLOT_MAX];   /* the first slot_count are used */
    uint32_t slot_size;                    /* bytes of each slot */
} relo_flash_layout_t;

const relo_flash_layout_t *relo_flash_layout(void);

#endif /* RELO_PORT_LAYOUT_H */
