/* SPDX-License-Identifier: Apache-2.0 */
/* Port contract: the serial link to the host. Receive is interrupt-driven into a ring
 * buffer large enough for one whole frame (the protocol is stop-and-wait, so the host
 * never sends more than one frame before the device answers). */
#ifndef RELO_PORT_UART_H
#define RELO_PORT_UART_H

#include <stddef.h>
#include <stdint.h>

void relo_uart_init(void);
/* Next received byte, or -1 if none is waiting. Never blocks. */
int relo_uart_read_byte(void);
/* Sleeps until a received byte may be waiting (returns at once if one is). Call it when
 * relo_uart_read_byte() returns -1 instead of spinning: on the emulator a spinning guest
 * keeps a host CPU busy. */
void relo_uart_wait_rx(void);
/* Blocks until every byte is queued for transmission. */
void relo_uart_write(const uint8_t *data, size_t length);

#endif /* RELO_PORT_UART_H */
