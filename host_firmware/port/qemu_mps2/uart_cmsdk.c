/* SPDX-License-Identifier: Apache-2.0 */
/* port_uart.h on the CMSDK APB UART0 of the MPS2 boards: receive by interrupt into a ring
 * buffer, transmit by polling.
 *
 * The UART holds one received byte. When the ring is full the interrupt handler leaves that
 * byte in the data register and masks the RX interrupt; the reader unmasks it once it has
 * made room. On QEMU this loses nothing (QEMU stops feeding a full register); on silicon
 * the next byte would overrun, which the overrun counter records. The protocol is
 * stop-and-wait with frames far smaller than the ring, so a full ring means a misbehaving
 * host, not normal traffic. */
#include <stddef.h>
#include <stdint.h>

#include "mps2_port.h"
#include "mps2_regs.h"
#include "relo/port_uart.h"

#define UART MPS2_UART0_BASE
#define UART_BAUD 115200u /* meaningless to QEMU, but BAUDDIV must be valid (>= 16) */
#define RX_RING_SIZE 4096u
_Static_assert((RX_RING_SIZE & (RX_RING_SIZE - 1u)) == 0, "ring size must be a power of two");

/* Single producer (the ISR moves head) and single consumer (the reader moves tail); the
 * free-running indices make full (head - tail == size) and empty (head == tail) distinct. */
static struct {
    uint8_t bytes[RX_RING_SIZE];
    volatile uint32_t head;
    volatile uint32_t tail;
    volatile uint32_t paused;   /* RX interrupt masked because the ring was full */
    volatile uint32_t overruns; /* bytes the hardware dropped (never on QEMU) */
} rx_ring;

/* Moves bytes from the data register into the ring. Runs in the ISR or with interrupts
 * masked, so it is the only producer. */
static void rx_drain_register(void)
{
    while ((CMSDK_UART_STATE(UART) & CMSDK_UART_STATE_RX_FULL) != 0) {
        uint32_t head = rx_ring.head;
        if (head - rx_ring.tail == RX_RING_SIZE) {
            CMSDK_UART_CTRL(UART) &= ~CMSDK_UART_CTRL_RX_INT_EN;
            rx_ring.paused = 1;
            return;
        }
        rx_ring.bytes[head & (RX_RING_SIZE - 1u)] = (uint8_t)CMSDK_UART_DATA(UART);
        rx_ring.head = head + 1u;
    }
    if ((CMSDK_UART_STATE(UART) & CMSDK_UART_STATE_RX_OVERRUN) != 0) {
        CMSDK_UART_STATE(UART) = CMSDK_UART_STATE_RX_OVERRUN; /* write 1 to clear */
        rx_ring.overruns++;
    }
}

void relo_qemu_uart0_rx_isr(void)
{
    /* Clear first: a byte that lands after the drain raises the interrupt again. */
    CMSDK_UART_INTSTATUS(UART) = CMSDK_UART_INT_RX;
    rx_drain_register();
}

/* The byte left in the register while paused raised no interrupt (the UART only flags
 * bytes that arrive with the interrupt enabled), so drain it here before unmasking. */
static void rx_resume(void)
{
    uint32_t primask = relo_irq_save();
    rx_ring.paused = 0;
    CMSDK_UART_CTRL(UART) |= CMSDK_UART_CTRL_RX_INT_EN;
    rx_drain_register();
    relo_irq_restore(primask);
}

void relo_uart_init(void)
{
    NVIC_ICER(0) = 1u << MPS2_UART0_RX_IRQ;
    CMSDK_UART_CTRL(UART) = 0;
    rx_ring.head = 0;
    rx_ring.tail = 0;
    rx_ring.paused = 0;
    rx_ring.overruns = 0;
    CMSDK_UART_BAUDDIV(UART) = MPS2_SYSCLK_HZ / UART_BAUD;
    CMSDK_UART_INTSTATUS(UART) = 0xFu;
    CMSDK_UART_STATE(UART) = CMSDK_UART_STATE_RX_OVERRUN;
    CMSDK_UART_CTRL(UART) = CMSDK_UART_CTRL_TX_EN | CMSDK_UART_CTRL_RX_EN | CMSDK_UART_CTRL_RX_INT_EN;
    NVIC_ICPR(0) = 1u << MPS2_UART0_RX_IRQ;
    NVIC_ISER(0) = 1u << MPS2_UART0_RX_IRQ;
}

int relo_uart_read_byte(void)
{
    uint32_t tail = rx_ring.tail;
    if (tail == rx_ring.head) {
        if (rx_ring.paused) {
            rx_resume();
        }
        return -1;
    }
    uint8_t byte = rx_ring.bytes[tail & (RX_RING_SIZE - 1u)];
    rx_ring.tail = tail + 1u;
    if (rx_ring.paused) {
        rx_resume();
    }
    return byte;
}

static void tx_put(uint8_t byte)
{
    while ((CMSDK_UART_STATE(UART) & CMSDK_UART_STATE_TX_FULL) != 0) {
    }
    CMSDK_UART_DATA(UART) = byte;
}

void relo_uart_write(const uint8_t *data, size_t length)
{
    if (data == NULL) {
        return;
    }
    for (size_t i = 0; i < length; i++) {
        tx_put(data[i]);
    }
}

void relo_qemu_uart_emergency_write(const char *text)
{
    if (CMSDK_UART_BAUDDIV(UART) < 16u) {
        CMSDK_UART_BAUDDIV(UART) = MPS2_SYSCLK_HZ / UART_BAUD;
    }
    CMSDK_UART_CTRL(UART) |= CMSDK_UART_CTRL_TX_EN;
    while (*text != '\0') {
        tx_put((uint8_t)*text++);
    }
}

uint32_t relo_qemu_uart_overruns(void) { return rx_ring.overruns; }

uint32_t relo_qemu_uart_rx_paused(void) { return rx_ring.paused; }

/* With PRIMASK set, WFI still wakes on a pending interrupt, so a byte arriving between the
 * emptiness check and the WFI cannot be slept through. */
void relo_uart_wait_rx(void)
{
    uint32_t primask = relo_irq_save();
    if (rx_ring.head == rx_ring.tail && !rx_ring.paused) {
        __asm__ volatile("dsb\n\twfi" ::: "memory");
    }
    relo_irq_restore(primask);
}
