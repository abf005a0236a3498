/* SPDX-License-Identifier: Apache-2.0 */
/* Test controls of the host UART port: queue bytes as if received, take what was sent. */
#ifndef RELO_UART_HOST_H
#define RELO_UART_HOST_H

#include <stddef.h>
#include <stdint.h>

/* Returns -1 if the receive queue is full. */
int relo_uart_host_feed(const uint8_t *data, size_t length);
/* Moves up to capacity transmitted bytes into out; returns how many. */
size_t relo_uart_host_take(uint8_t *out, size_t capacity);

#endif /* RELO_UART_HOST_H */
