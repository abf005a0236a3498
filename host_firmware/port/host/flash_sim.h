/* SPDX-License-Identifier: Apache-2.0 */
/* Test controls of the host flash simulator (port_flash.h over a RAM buffer with strict
 * NOR rules). Power cuts: after `operations` more successful program/erase calls the next
 * one loses power part-way (when `tear` is set: half an erased sector, or whole program
 * units up to about half the length and then half of one more unit) and
 * fails, and so does every later call until relo_flash_sim_power_on(). */
#ifndef RELO_FLASH_SIM_H
#define RELO_FLASH_SIM_H

#include <stdint.h>

#define RELO_FLASH_SIM_SIZE (16u * 1024u * 1024u)
#define RELO_FLASH_SIM_SECTOR_SIZE (128u * 1024u)
#define RELO_FLASH_SIM_WRITE_SIZE 32u

/* Every byte set to `fill` (0xFF: factory-erased NOR; 0x00: a fresh emulator PSRAM file),
 * counters cleared, power on. */
void relo_flash_sim_reset(uint8_t fill);
uint32_t relo_flash_sim_operations(void); /* successful program + erase calls so far */
void relo_flash_sim_cut_power_after(uint32_t operations, int tear);
void relo_flash_sim_power_on(void);
int relo_flash_sim_powered(void);
uint8_t *relo_flash_sim_storage(void); /* for tests that corrupt flash on purpose */
/* Use `buffer` (RELO_FLASH_SIM_SIZE bytes, e.g. a mapped file that outlives the process) as
 * the flash instead of the built-in RAM; 0 goes back to the built-in RAM. */
void relo_flash_sim_attach(uint8_t *buffer);
/* Called when the power cut happens, after the torn bytes are written (`operation` = the
 * count of operations that completed before it). relo_sim exits there: a real cut. */
void relo_flash_sim_on_power_cut(void (*hook)(uint32_t operation, int tear));

#endif /* RELO_FLASH_SIM_H */
