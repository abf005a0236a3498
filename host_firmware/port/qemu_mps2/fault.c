/* SPDX-License-Identifier: Apache-2.0 */
/* Fault and unexpected-exception reports: one text line on UART0, then wait for reset.
 * The line starts with "RELO-FAULT" so the host can tell a crash (typically a model jumping
 * or loading somewhere wrong) from protocol noise, and carries the stacked PC to find it. */
#include <stdint.h>

#include "mps2_port.h"
#include "mps2_regs.h"

/* Exception frame words pushed by the core on entry. */
enum { FRAME_R0, FRAME_R1, FRAME_R2, FRAME_R3, FRAME_R12, FRAME_LR, FRAME_PC, FRAME_XPSR };

static char *append_text(char *out, const char *text)
{
    while (*text != '\0') {
        *out++ = *text++;
    }
    return out;
}

static char *append_hex(char *out, const char *label, uint32_t value)
{
    static const char digits[] = "0123456789abcdef";
    out = append_text(out, label);
    *out++ = '0';
    *out++ = 'x';
    for (int shift = 28; shift >= 0; shift -= 4) {
        *out++ = digits[(value >> shift) & 0xFu];
    }
    return out;
}

static const char *exception_name(uint32_t ipsr)
{
    switch (ipsr & 0x1FFu) {
    case 2: return "NMI";
    case 3: return "HardFault";
    case 4: return "MemManage";
    case 5: return "BusFault";
    case 6: return "UsageFault";
    case 11: return "SVCall";
    case 12: return "DebugMonitor";
    case 14: return "PendSV";
    default: return "IRQ";
    }
}

/* Called by the entry stubs with the frame the core stacked (on MSP or PSP). */
__attribute__((noreturn, used)) void relo_qemu_fault_report(const uint32_t *frame, uint32_t ipsr)
{
    char line[200];
    char *out = append_text(line, "\r\nRELO-FAULT ");
    out = append_text(out, exception_name(ipsr));
    out = append_hex(out, " exc=", ipsr & 0x1FFu);
    out = append_hex(out, " pc=", frame[FRAME_PC]);
    out = append_hex(out, " lr=", frame[FRAME_LR]);
    out = append_hex(out, " xpsr=", frame[FRAME_XPSR]);
    out = append_hex(out, " cfsr=", SCB_CFSR);
    out = append_hex(out, " hfsr=", SCB_HFSR);
    out = append_hex(out, " bfar=", SCB_BFAR);
    out = append_text(out, "\r\n");
    *out = '\0';
    relo_qemu_uart_emergency_write(line);
    relo_irq_disable();
    for (;;) {
        __asm__ volatile("wfi");
    }
}

/* Entry of every fault and of any exception nobody expects (the IPSR names it).
 * Bit 2 of EXC_RETURN says which stack holds the frame. */
__attribute__((naked)) void relo_qemu_fault_entry(void)
{
    __asm__ volatile(
        "tst lr, #4\n\t"
        "ite eq\n\t"
        "mrseq r0, msp\n\t"
        "mrsne r0, psp\n\t"
        "mrs r1, ipsr\n\t"
        "b relo_qemu_fault_report\n\t");
}
