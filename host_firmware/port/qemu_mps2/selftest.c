/* SPDX-License-Identifier: Apache-2.0 */
/* Board self-test firmware (APP=selftest): exposes each driver of this port over UART0 so
 * tests/test_board_qemu.py can drive it from the host. Not part of the product firmware.
 *
 * Requests are one command byte followed by little-endian arguments; every reply starts
 * with the command byte in lower case.
 *   'I'                       -> 'i' board info, flash geometry, counter unit, UART overruns
 *   'E' u32 n, n bytes        -> each byte echoed as it is read, then 'e'
 *   'X' u32 off               -> 'x' i32 relo_flash_erase_sector(off)
 *   'W' u32 off u32 n, n bytes-> 'w' i32 relo_flash_program(off, bytes, n)  (-2: n too big)
 *   'R' u32 off u32 n         -> 'r' i32 relo_flash_read(off, buf, n), then n bytes if 0
 *   'C' u32 n                 -> 'c' u64 counter around a loop of exactly 2n+c instructions
 *   'M' u32 a u32 b           -> 'm' i32 model(a, b) through relo_call_model, u32 caller r9
 *                                before, u32 caller r9 after
 *   'S'                       -> waits until the RX ring is full and reception paused,
 *                                then 's' (the host sends more behind it: nothing may be lost)
 *   'A'                       -> 'a' u32 words of model RAM that did not hold a test pattern
 *   'L'                       -> 'l' u32 journal offsets x2, slot offsets x2, slot size
 *   'F'                       -> 'f' u32 entry, then calls it without the Thumb bit: the
 *                                fault handler must print "RELO-FAULT ... pc=<entry>" */
#include <stddef.h>
#include <stdint.h>

#include "mps2_port.h"
#include "relo/port_board.h"
#include "relo/port_flash.h"
#include "relo/port_layout.h"
#include "relo/port_uart.h"
#include "relo/relo_endian.h"

#define IO_BUFFER_SIZE 4096u
#define R9_MARKER 0x5A5A1234u

static uint8_t io_buffer[IO_BUFFER_SIZE];

static uint8_t read_u8(void)
{
    int byte;
    while ((byte = relo_uart_read_byte()) < 0) {
        relo_uart_wait_rx();
    }
    return (uint8_t)byte;
}

static uint32_t read_u32(void)
{
    uint8_t bytes[4];
    for (int i = 0; i < 4; i++) {
        bytes[i] = read_u8();
    }
    return relo_load32_le(bytes);
}

static void write_u8(uint8_t value) { relo_uart_write(&value, 1); }

static void write_u32(uint32_t value)
{
    uint8_t bytes[4];
    relo_store32_le(bytes, value);
    relo_uart_write(bytes, sizeof bytes);
}

static void write_u64(uint64_t value)
{
    uint8_t bytes[8];
    relo_store64_le(bytes, value);
    relo_uart_write(bytes, sizeof bytes);
}

static void command_info(void)
{
    const relo_board_info_t *info = relo_board_info();
    const relo_flash_geometry_t *flash = relo_flash_geometry();
    uint8_t name[16] = {0};
    for (size_t i = 0; i < sizeof name - 1 && info->name[i] != '\0'; i++) {
        name[i] = (uint8_t)info->name[i];
    }
    write_u8('i');
    relo_uart_write(name, sizeof name);
    write_u32(info->cpu);
    write_u32(info->fpu);
    write_u32(info->abi);
    write_u32((uint32_t)(uintptr_t)info->model_ram);
    write_u32(info->model_ram_size);
    write_u32(relo_counter_unit());
    write_u32((uint32_t)flash->xip_base);
    write_u32(flash->size);
    write_u32(flash->sector_size);
    write_u32(flash->write_size);
    write_u32(relo_qemu_uart_overruns());
}

static void command_echo(void)
{
    uint32_t count = read_u32();
    for (uint32_t i = 0; i < count; i++) {
        write_u8(read_u8());
    }
    write_u8('e');
}

static void command_erase(void)
{
    uint32_t offset = read_u32();
    write_u8('x');
    write_u32((uint32_t)relo_flash_erase_sector(offset));
}

static void command_program(void)
{
    uint32_t offset = read_u32();
    uint32_t length = read_u32();
    for (uint32_t i = 0; i < length; i++) {
        uint8_t byte = read_u8();
        if (i < IO_BUFFER_SIZE) {
            io_buffer[i] = byte;
        }
    }
    int result = length > IO_BUFFER_SIZE ? -2 : relo_flash_program(offset, io_buffer, length);
    write_u8('w');
    write_u32((uint32_t)result);
}

static void command_read(void)
{
    uint32_t offset = read_u32();
    uint32_t length = read_u32();
    int result = length > IO_BUFFER_SIZE ? -2 : relo_flash_read(offset, io_buffer, length);
    write_u8('r');
    write_u32((uint32_t)result);
    if (result == 0) {
        relo_uart_write(io_buffer, length);
    }
}

/* Exactly two instructions per iteration (subs, bne), so the host knows the expected count. */
static uint64_t count_loop(uint32_t iterations)
{
    relo_counter_start();
    __asm__ volatile(
        "1:\n\t"
        "subs %0, %0, #1\n\t"
        "bne 1b\n\t"
        : "+r"(iterations)::"cc");
    return relo_counter_stop();
}

static void command_count(void)
{
    uint32_t iterations = read_u32();
    write_u8('c');
    write_u64(count_loop(iterations == 0 ? 1 : iterations));
}

/* Stands in for a PIC model's relo_model_run: reads a value through r9 (its "GOT") and one
 * from the arena, then clobbers r9 to prove the trampoline restores the caller's. */
__attribute__((naked)) static int32_t fake_model_entry(uint8_t *arena __attribute__((unused)))
{
    __asm__ volatile(
        "ldr r1, [r9]\n\t"
        "ldr r2, [r0]\n\t"
        "add r0, r1, r2\n\t"
        "mov r9, #0\n\t"
        "bx lr\n\t");
}

static void command_model(void)
{
    uint32_t static_value = read_u32();
    uint32_t arena_value = read_u32();
    static uint32_t fake_got[1];
    static uint32_t fake_arena[1];
    fake_got[0] = static_value;
    fake_arena[0] = arena_value;
    uint32_t entry = (uint32_t)(uintptr_t)fake_model_entry | 1u;
    uint32_t r9_before = R9_MARKER;
    uint32_t r9_after;
    int32_t result;
    /* Set the caller's r9 to a marker and read it back after the call. */
    __asm__ volatile(
        "mov r9, %[marker]\n\t"
        "mov r0, %[entry]\n\t"
        "mov r1, %[arena]\n\t"
        "mov r2, %[got]\n\t"
        "bl relo_call_model\n\t"
        "mov %[after], r9\n\t"
        "mov %[result], r0\n\t"
        : [after] "=r"(r9_after), [result] "=r"(result)
        : [marker] "r"(r9_before), [entry] "r"(entry), [arena] "r"(fake_arena), [got] "r"(fake_got)
        : "r0", "r1", "r2", "r3", "r9", "r12", "lr", "memory", "cc");
    write_u8('m');
    write_u32((uint32_t)result);
    write_u32(r9_before);
    write_u32(r9_after);
}

static void command_stall(void)
{
    while (!relo_qemu_uart_rx_paused()) {
        relo_uart_wait_rx(); /* returns at once while bytes are waiting */
    }
    write_u8('s');
}

/* Writes an address-dependent pattern over all of model RAM, then checks it: proves the
 * region the board lends to models is real RAM on this machine. */
static void command_model_ram(void)
{
    const relo_board_info_t *info = relo_board_info();
    volatile uint32_t *words = (volatile uint32_t *)(void *)info->model_ram;
    uint32_t count = info->model_ram_size / 4u;
    uint32_t bad = 0;
    for (uint32_t i = 0; i < count; i++) {
        words[i] = ~(uint32_t)(uintptr_t)&words[i];
    }
    for (uint32_t i = 0; i < count; i++) {
        bad += words[i] != ~(uint32_t)(uintptr_t)&words[i];
    }
    write_u8('a');
    write_u32(bad);
}

static void command_layout(void)
{
    const relo_flash_layout_t *layout = relo_flash_layout();
    write_u8('l');
    write_u32(layout->journal_offset[0]);
    write_u32(layout->journal_offset[1]);
    write_u32(layout->slot_offset[0]);
    write_u32(layout->slot_offset[1]);
    write_u32(layout->slot_size);
}

static void command_fault(void)
{
    uintptr_t entry = (uintptr_t)fake_model_entry & ~(uintptr_t)1u;
    static uint32_t fake_got[1];
    static uint32_t fake_arena[1];
    write_u8('f');
    write_u32((uint32_t)entry);
    relo_call_model(entry, (uint8_t *)fake_arena, fake_got);
}

int main(void)
{
    relo_board_init();
    relo_uart_init();
    for (;;) {
        switch (read_u8()) {
        case 'I': command_info(); break;
        case 'E': command_echo(); break;
        case 'X': command_erase(); break;
        case 'W': command_program(); break;
        case 'R': command_read(); break;
        case 'C': command_count(); break;
        case 'M': command_model(); break;
        case 'S': command_stall(); break;
        case 'A': command_model_ram(); break;
        case 'L': command_layout(); break;
        case 'F': command_fault(); break;
        default: write_u8('?'); break;
        }
    }
}
