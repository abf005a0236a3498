/* SPDX-License-Identifier: Apache-2.0 */
/* port_flash.h on the MPS2 PSRAM, which QEMU backs with a file (-object memory-backend-file).
 * The PSRAM is plain RAM, so this port imposes the rules of the STM32H743 flash itself:
 * 128 KiB sectors, erase to 0xFF, a 32-byte (256-bit) program unit that can be programmed
 * only once after an erase. Code built against this port therefore behaves the same on the
 * real part. The PSRAM address is board data (RELO_QEMU_PSRAM_BASE, from the board .mk). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "relo/port_flash.h"

#ifndef RELO_QEMU_PSRAM_BASE
#error "RELO_QEMU_PSRAM_BASE must come from the board makefile"
#endif

#define FLASH_SIZE (16u * 1024u * 1024u)
#define FLASH_SECTOR_SIZE (128u * 1024u)
#define FLASH_WRITE_SIZE 32u
#define FLASH_ERASED_WORD 0xFFFFFFFFu

static const relo_flash_geometry_t psram_geometry = {
    .xip_base = RELO_QEMU_PSRAM_BASE,
    .size = FLASH_SIZE,
    .sector_size = FLASH_SECTOR_SIZE,
    .write_size = FLASH_WRITE_SIZE,
};

static volatile uint32_t *flash_words(uint32_t offset)
{
    return (volatile uint32_t *)(RELO_QEMU_PSRAM_BASE + offset);
}

static int range_ok(uint32_t offset, uint32_t length)
{
    return offset <= FLASH_SIZE && length <= FLASH_SIZE - offset;
}

const relo_flash_geometry_t *relo_flash_geometry(void) { return &psram_geometry; }

int relo_flash_erase_sector(uint32_t offset)
{
    if (offset % FLASH_SECTOR_SIZE != 0 || offset >= FLASH_SIZE) {
        return -1;
    }
    volatile uint32_t *words = flash_words(offset);
    for (uint32_t i = 0; i < FLASH_SECTOR_SIZE / 4u; i++) {
        words[i] = FLASH_ERASED_WORD;
    }
    return 0;
}

static int units_erased(uint32_t offset, uint32_t length)
{
    const volatile uint32_t *words = flash_words(offset);
    for (uint32_t i = 0; i < length / 4u; i++) {
        if (words[i] != FLASH_ERASED_WORD) {
            return 0;
        }
    }
    return 1;
}

/* All units are checked before any is written, so a refused program changes nothing. */
int relo_flash_program(uint32_t offset, const void *data, uint32_t length)
{
    if (data == NULL || offset % FLASH_WRITE_SIZE != 0 || length % FLASH_WRITE_SIZE != 0 ||
        !range_ok(offset, length)) {
        return -1;
    }
    if (!units_erased(offset, length)) {
        return -1;
    }
    const uint8_t *bytes = data;
    volatile uint32_t *words = flash_words(offset);
    for (uint32_t i = 0; i < length / 4u; i++) {
        uint32_t word;
        memcpy(&word, bytes + 4u * i, sizeof word); /* `data` need not be aligned */
        words[i] = word;
    }
    return 0;
}

int relo_flash_read(uint32_t offset, void *out, uint32_t length)
{
    if (out == NULL || !range_ok(offset, length)) {
        return -1;
    }
    memcpy(out, (const void *)(RELO_QEMU_PSRAM_BASE + offset), length);
    return 0;
}
