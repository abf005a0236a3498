/* SPDX-License-Identifier: Apache-2.0 */
/* port_flash.h for host tests: NOR rules enforced strictly, so a core bug that would
 * corrupt real flash (programming twice, misaligned writes) fails a test instead. */
#include <string.h>

#include "flash_sim.h"
#include "relo/port_flash.h"

static uint8_t storage_ram[RELO_FLASH_SIM_SIZE];
static uint8_t *storage = storage_ram; /* or a caller's (file-backed) buffer: relo_flash_sim_attach */
static void (*power_cut_hook)(uint32_t operation, int tear);

static struct {
    relo_flash_geometry_t geometry;
    uint32_t operations;
    uint32_t cut_after; /* operations left before the cut, when armed */
    int cut_armed;
    int tear;
    int powered;
} sim = {{0, RELO_FLASH_SIM_SIZE, RELO_FLASH_SIM_SECTOR_SIZE, RELO_FLASH_SIM_WRITE_SIZE}, 0, 0, 0, 0, 1};

void relo_flash_sim_reset(uint8_t fill)
{
    memset(storage, fill, RELO_FLASH_SIM_SIZE);
    sim.operations = 0;
    sim.cut_armed = 0;
    sim.powered = 1;
}

uint32_t relo_flash_sim_operations(void) { return sim.operations; }

void relo_flash_sim_cut_power_after(uint32_t operations, int tear)
{
    sim.cut_after = operations;
    sim.cut_armed = 1;
    sim.tear = tear;
}

void relo_flash_sim_power_on(void)
{
    sim.cut_armed = 0;
    sim.powered = 1;
}

int relo_flash_sim_powered(void) { return sim.powered; }

uint8_t *relo_flash_sim_storage(void) { return storage; }

const relo_flash_geometry_t *relo_flash_geometry(void)
{
    sim.geometry.xip_base = (uintptr_t)storage;
    return &sim.geometry;
}

/* Decides whether this operation is the one the power cut interrupts. 1 = cut now. */
static int power_cut_now(void)
{
    if (!sim.cut_armed) {
        return 0;
    }
    if (sim.cut_after > 0) {
        sim.cut_after--;
        return 0;
    }
    sim.cut_armed = 0;
    sim.powered = 0;
    return 1;
}

void relo_flash_sim_attach(uint8_t *buffer) { storage = buffer != 0 ? buffer : storage_ram; }

void relo_flash_sim_on_power_cut(void (*hook)(uint32_t operation, int tear)) { power_cut_hook = hook; }

/* A torn program stops mid-unit: whole units first, then half of the next one, so the
 * journal and installer meet the partially programmed unit real NOR leaves behind. */
static uint32_t torn_length(uint32_t length)
{
    uint32_t whole = (length / 2u) / RELO_FLASH_SIM_WRITE_SIZE * RELO_FLASH_SIM_WRITE_SIZE;
    return whole + RELO_FLASH_SIM_WRITE_SIZE / 2u;
}

static void report_power_cut(void)
{
    if (power_cut_hook != 0) {
        power_cut_hook(sim.operations, sim.tear);
    }
}

static int in_range(uint32_t offset, uint32_t length)
{
    return (uint64_t)offset + length <= RELO_FLASH_SIM_SIZE;
}

int relo_flash_erase_sector(uint32_t offset)
{
    if (!sim.powered || offset % RELO_FLASH_SIM_SECTOR_SIZE != 0 || !in_range(offset, RELO_FLASH_SIM_SECTOR_SIZE)) {
        return -1;
    }
    if (power_cut_now()) {
        if (sim.tear) {
            memset(storage + offset, 0xFF, RELO_FLASH_SIM_SECTOR_SIZE / 2u);
        }
        report_power_cut();
        return -1;
    }
    memset(storage + offset, 0xFF, RELO_FLASH_SIM_SECTOR_SIZE);
    sim.operations++;
    return 0;
}

int relo_flash_program(uint32_t offset, const void *data, uint32_t length)
{
    if (!sim.powered || data == 0 || length == 0 || offset % RELO_FLASH_SIM_WRITE_SIZE != 0 ||
        length % RELO_FLASH_SIM_WRITE_SIZE != 0 || !in_range(offset, length)) {
        return -1;
    }
    for (uint32_t i = 0; i < length; i++) {
        if (storage[offset + i] != 0xFF) {
            return -1; /* NOR: a unit must be erased before it is programmed */
        }
    }
    if (power_cut_now()) {
        if (sim.tear) {
            memcpy(storage + offset, data, torn_length(length));
        }
        report_power_cut();
        return -1;
    }
    memcpy(storage + offset, data, length);
    sim.operations++;
    return 0;
}

int relo_flash_read(uint32_t offset, void *out, uint32_t length)
{
    if (!sim.powered || out == 0 || !in_range(offset, length)) {
        return -1;
    }
    memcpy(out, storage + offset, length);
    return 0;
}
