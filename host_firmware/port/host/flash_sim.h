/* SPDX-License-Identifier: Apache-2.0 */
/* Test controls of the host flash simulator (port_flash.h over a RAM buffer with strict
 * NOR rules). Power cuts: after `operations` more successful program/erase calls the next
 * one loses power part-way (the first half of its bytes change, when `tear` is set) and
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

#endif /* RELO_FLASH_SIM_H */
