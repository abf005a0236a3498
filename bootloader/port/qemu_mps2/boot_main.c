/* SPDX-License-Identifier: Apache-2.0 */
/* Board glue of the bootloader on QEMU MPS2: vector table, UART0 line output, and the jump
 * into the resident firmware once src/image_check.c accepts it. Silent on success, so the
 * host's first bytes are the firmware's. */
#include <stdint.h>

#include "relo_boot/image_info.h"

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define UART0_DATA REG32(0x40004000u)
#define UART0_STATE REG32(0x40004004u)
#define UART0_CTRL REG32(0x40004008u)
#define UART0_BAUDDIV REG32(0x40004010u)
#define UART_STATE_TX_FULL 1u
#define UART_CTRL_TX_EN 1u
#define UART_BAUDDIV_115200 217u /* 25 MHz APB clock; QEMU only needs >= 16 */
#define SCB_VTOR REG32(0xE000ED08u)

/* Memory map shared with host_firmware/port/qemu_mps2/firmware.ld. */
#define FIRMWARE_LOAD_ADDRESS 0x00010000u
#define FIRMWARE_MAX_SIZE 0x003F0000u
#define FIRMWARE_RAM_START 0x20000000u
#define FIRMWARE_RAM_END 0x20100000u

extern uint32_t __relo_boot_stack_top[];
void relo_boot_reset(void);
void relo_boot_fault(void);

__attribute__((section(".vector_table"), used))
const uintptr_t relo_boot_vectors[16] = {
    (uintptr_t)__relo_boot_stack_top,
    (uintptr_t)relo_boot_reset,
    (uintptr_t)relo_boot_fault, /* NMI */
    (uintptr_t)relo_boot_fault, /* HardFault; the others escalate to it */
};

static void uart_write(const char *text)
{
    UART0_BAUDDIV = UART_BAUDDIV_115200;
    UART0_CTRL = UART_CTRL_TX_EN;
    while (*text != '\0') {
        while ((UART0_STATE & UART_STATE_TX_FULL) != 0) {
        }
        UART0_DATA = (uint8_t)*text++;
    }
}

static void uart_write_hex(uint32_t value)
{
    char text[11] = "0x";
    for (int i = 0; i < 8; i++) {
        text[2 + i] = "0123456789abcdef"[(value >> (28 - 4 * i)) & 0xFu];
    }
    text[10] = '\0';
    uart_write(text);
}

__attribute__((noreturn)) static void halt(void)
{
    for (;;) {
        __asm__ volatile("wfi");
    }
}

__attribute__((noreturn)) void relo_boot_fault(void)
{
    uart_write("relo-boot: fault in the bootloader\r\n");
    halt();
}

/* The firmware starts as if from reset: its vector table, its initial stack. */
__attribute__((noreturn)) static void jump_to(const uint8_t *image)
{
    uint32_t sp = ((const uint32_t *)image)[0];
    uint32_t entry = ((const uint32_t *)image)[1];
    SCB_VTOR = (uint32_t)(uintptr_t)image;
    __asm__ volatile(
        "dsb\n\t"
        "isb\n\t"
        "msr msp, %0\n\t"
        "bx %1\n\t" ::"r"(sp),
        "r"(entry)
        : "memory");
    __builtin_unreachable();
}

__attribute__((noreturn)) void relo_boot_reset(void)
{
    static const relo_image_region_t region = {
        .load_address = FIRMWARE_LOAD_ADDRESS,
        .max_size = FIRMWARE_MAX_SIZE,
        .ram_start = FIRMWARE_RAM_START,
        .ram_end = FIRMWARE_RAM_END,
    };
    const uint8_t *image = (const uint8_t *)(uintptr_t)FIRMWARE_LOAD_ADDRESS;
    uint32_t crc;
    relo_image_status_t status = relo_image_check(image, &region, &crc);
    if (status == RELO_IMAGE_OK) {
        jump_to(image);
    }
    uart_write("relo-boot: resident firmware at ");
    uart_write_hex(FIRMWARE_LOAD_ADDRESS);
    uart_write(" refused: ");
    uart_write(relo_image_status_text(status));
    if (status == RELO_IMAGE_BAD_CRC) {
        uart_write(" (computed ");
        uart_write_hex(crc);
        uart_write(")");
    }
    uart_write("; halted\r\n");
    halt();
}
