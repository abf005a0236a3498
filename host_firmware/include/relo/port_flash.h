/* SPDX-License-Identifier: Apache-2.0 */
/* Port contract: the flash that holds model slots.
 *
 * Every port must behave like NOR flash, whatever backs it (the emulated board's file-backed
 * PSRAM, the host simulator, real STM32 flash):
 *   - erase works on whole sectors and sets every byte to 0xFF;
 *   - program works on whole write units (offset and length multiples of write_size) and
 *     fails, changing nothing, if any byte of a unit is not erased;
 *   - offsets are relative to the start of the flash area given to the firmware.
 * The portable core never touches flash any other way. */
#ifndef RELO_PORT_FLASH_H
#define RELO_PORT_FLASH_H

#include <stdint.h>

typedef struct {
    uintptr_t xip_base;   /* CPU address of offset 0 for execute-in-place, 0 if not mapped */
    uint32_t size;        /* bytes */
    uint32_t sector_size; /* erase unit */
    uint32_t write_size;  /* program unit */
} relo_flash_geometry_t;

const relo_flash_geometry_t *relo_flash_geometry(void);

/* Each returns 0 on success, -1 on failure (bad alignment, out of range, unerased, hardware). */
int relo_flash_erase_sector(uint32_t offset);
int relo_flash_program(uint32_t offset, const void *data, uint32_t length);
int relo_flash_read(uint32_t offset, void *out, uint32_t length);

#endif /* RELO_PORT_FLASH_H */
