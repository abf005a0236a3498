/* SPDX-License-Identifier: Apache-2.0 */
/* relo_sim's TCP "UART" (uart_tcp.c): set up before the firmware's main loop starts. */
#ifndef RELO_UART_TCP_H
#define RELO_UART_TCP_H

#include <stdint.h>

/* Listens on 127.0.0.1:port (0 = any free port); *bound_port tells which. 0 ok, -1 error. */
int relo_uart_tcp_listen(uint16_t port, uint16_t *bound_port);

#endif /* RELO_UART_TCP_H */
