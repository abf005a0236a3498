/* SPDX-License-Identifier: Apache-2.0 */
/* UNTESTED ON SILICON. port_uart.h on USART3 of STM32H743 (NUCLEO-H743ZI virtual COM port):
 * RX interrupt into a 4 KiB ring, TX polled. Unlike QEMU, a real USART overruns if a byte is
 * not read in time: with a full ring the byte is dropped and counted (the host's
 * stop-and-wait protocol never sends more than one frame, far below the ring size).
 * Clock, GPIO (PD8/PD9 AF7) and baud-rate set-up belong to the board start-up code, which
 * this skeleton does not include: RELO_STM32H7_USART_BRR must match the USART3 kernel clock. */
#include <stddef.h>
#include <stdint.h>

#include "relo/port_uart.h"
#include "stm32h7_regs.h"

#ifndef RELO_STM32H7_USART_BRR
#define RELO_STM32H7_USART_BRR (64000000u / 115200u) /* assumes the 64 MHz HSI kernel clock */
#endif

#define UART USART3_BASE
#define RX_RING_SIZE 4096u

static struct {
    uint8_t bytes[RX_RING_SIZE];
    volatile uint32_t head;
    volatile uint32_t tail;
    volatile uint32_t dropped; /* overruns plus bytes that found the ring full */
} rx_ring;

void relo_stm32h7_usart3_isr(void)
{
    uint32_t status = USART_ISR(UART);
    if ((status & USART_ISR_ORE) != 0) {
        USART_ICR(UART) = USART_ICR_ORECF;
        rx_ring.dropped++;
    }
    if ((status & USART_ISR_RXNE) != 0) {
        uint8_t byte = (uint8_t)USART_RDR(UART); /* reading clears RXNE */
        uint32_t head = rx_ring.head;
        if (head - rx_ring.tail == RX_RING_SIZE) {
            rx_ring.dropped++;
            return;
        }
        rx_ring.bytes[head & (RX_RING_SIZE - 1u)] = byte;
        rx_ring.head = head + 1u;
    }
}

void relo_uart_init(void)
{
    USART_CR1(UART) = 0;
    rx_ring.head = rx_ring.tail = rx_ring.dropped = 0;
    USART_BRR(UART) = RELO_STM32H7_USART_BRR;
    USART_CR1(UART) = USART_CR1_UE | USART_CR1_RE | USART_CR1_TE | USART_CR1_RXNEIE;
    NVIC_ISER(USART3_IRQ / 32u) = 1u << (USART3_IRQ % 32u);
}

int relo_uart_read_byte(void)
{
    uint32_t tail = rx_ring.tail;
    if (tail == rx_ring.head) {
        return -1;
    }
    uint8_t byte = rx_ring.bytes[tail & (RX_RING_SIZE - 1u)];
    rx_ring.tail = tail + 1u;
    return byte;
}

void relo_uart_wait_rx(void)
{
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    if (rx_ring.head == rx_ring.tail) {
        __asm__ volatile("dsb\n\twfi" ::: "memory");
    }
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
}

void relo_uart_write(const uint8_t *data, size_t length)
{
    if (data == NULL) {
        return;
    }
    for (size_t i = 0; i < length; i++) {
        while ((USART_ISR(UART) & USART_ISR_TXE) == 0) {
        }
        USART_TDR(UART) = data[i];
    }
}
