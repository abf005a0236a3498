/* SPDX-License-Identifier: Apache-2.0 */
/* UNTESTED ON SILICON. port_flash.h on STM32H743 bank 2 (1 MiB at 0x08100000, 8 sectors of
 * 128 KiB, 256-bit flash words). Same rules as the emulated port: a flash word may be
 * programmed once after an erase (the ECC forbids more), checked before writing anything.
 * Interrupts are not masked: nothing may execute from bank 2 while it is being written. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "relo/port_flash.h"
#include "stm32h7_regs.h"

#define FLASH_SIZE (1024u * 1024u)
#define FLASH_SECTOR_SIZE (128u * 1024u)
#define FLASH_WORD_SIZE 32u

static const relo_flash_geometry_t bank2_geometry = {
    .xip_base = FLASH_BANK2_BASE,
    .size = FLASH_SIZE,
    .sector_size = FLASH_SECTOR_SIZE,
    .write_size = FLASH_WORD_SIZE,
};

const relo_flash_geometry_t *relo_flash_geometry(void) { return &bank2_geometry; }

static void flash_unlock(void)
{
    if ((FLASH_CR2 & FLASH_CR_LOCK) != 0) {
        FLASH_KEYR2 = FLASH_KEY1;
        FLASH_KEYR2 = FLASH_KEY2;
    }
}

/* Waits for the operation to finish; returns 0, or -1 (errors cleared) if the controller
 * reported any. */
static int flash_wait(void)
{
    while ((FLASH_SR2 & (FLASH_SR_BSY | FLASH_SR_QW)) != 0) {
    }
    uint32_t errors = FLASH_SR2 & FLASH_SR_ERRORS;
    FLASH_CCR2 = FLASH_CCR_ALL;
    return errors == 0 ? 0 : -1;
}

/* Reads must not be served from stale D-cache lines after the flash changed. */
static void dcache_invalidate(uint32_t offset, uint32_t length)
{
    for (uint32_t at = offset & ~31u; at < offset + length; at += 32u) {
        SCB_DCIMVAC = FLASH_BANK2_BASE + at;
    }
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}

int relo_flash_erase_sector(uint32_t offset)
{
    if (offset % FLASH_SECTOR_SIZE != 0 || offset >= FLASH_SIZE) {
        return -1;
    }
    flash_unlock();
    if (flash_wait() != 0) {
        return -1;
    }
    FLASH_CR2 = FLASH_CR_SER | FLASH_CR_PSIZE_X32 | ((offset / FLASH_SECTOR_SIZE) << FLASH_CR_SNB_SHIFT);
    FLASH_CR2 |= FLASH_CR_START;
    int result = flash_wait();
    FLASH_CR2 &= ~FLASH_CR_SER;
    dcache_invalidate(offset, FLASH_SECTOR_SIZE);
    return result;
}

static int words_erased(uint32_t offset, uint32_t length)
{
    const volatile uint32_t *words = (const volatile uint32_t *)(FLASH_BANK2_BASE + offset);
    for (uint32_t i = 0; i < length / 4u; i++) {
        if (words[i] != 0xFFFFFFFFu) {
            return 0;
        }
    }
    return 1;
}

/* The controller programs a flash word once its 8 32-bit writes have filled the buffer. */
static int program_flash_word(uint32_t offset, const uint8_t *data)
{
    volatile uint32_t *dest = (volatile uint32_t *)(FLASH_BANK2_BASE + offset);
    FLASH_CR2 = FLASH_CR_PG | FLASH_CR_PSIZE_X32;
    __asm__ volatile("dsb" ::: "memory");
    for (uint32_t i = 0; i < FLASH_WORD_SIZE / 4u; i++) {
        uint32_t word;
        memcpy(&word, data + 4u * i, sizeof word);
        dest[i] = word;
    }
    __asm__ volatile("dsb" ::: "memory");
    int result = flash_wait();
    FLASH_CR2 &= ~FLASH_CR_PG;
    return result;
}

int relo_flash_program(uint32_t offset, const void *data, uint32_t length)
{
    if (data == NULL || offset % FLASH_WORD_SIZE != 0 || length % FLASH_WORD_SIZE != 0 || offset > FLASH_SIZE ||
        length > FLASH_SIZE - offset || !words_erased(offset, length)) {
        return -1;
    }
    flash_unlock();
    if (flash_wait() != 0) {
        return -1;
    }
    const uint8_t *bytes = data;
    int result = 0;
    for (uint32_t done = 0; done < length && result == 0; done += FLASH_WORD_SIZE) {
        result = program_flash_word(offset + done, bytes + done);
    }
    dcache_invalidate(offset, length);
    SCB_ICIALLU = 0; /* models execute in place from here */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    return result;
}

int relo_flash_read(uint32_t offset, void *out, uint32_t length)
{
    if (out == NULL || offset > FLASH_SIZE || length > FLASH_SIZE - offset) {
        return -1;
    }
    memcpy(out, (const void *)(FLASH_BANK2_BASE + offset), length);
    return 0;
}
