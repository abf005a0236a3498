/* SPDX-License-Identifier: Apache-2.0 */
/* port_uart.h for host tests: two in-memory byte queues. */
#include <string.h>

#include "relo/port_uart.h"
#include "uart_host.h"

#define QUEUE_SIZE 16384u

typedef struct {
    uint8_t bytes[QUEUE_SIZE];
    size_t head; /* next byte to take */
    size_t tail; /* next free position */
} byte_queue_t;

static byte_queue_t rx, tx;

static int queue_put(byte_queue_t *queue, const uint8_t *data, size_t length)
{
    if (queue->head == queue->tail) {
        queue->head = queue->tail = 0;
    }
    if (length > QUEUE_SIZE - queue->tail) {
        return -1;
    }
    memcpy(queue->bytes + queue->tail, data, length);
    queue->tail += length;
    return 0;
}

void relo_uart_init(void)
{
    rx.head = rx.tail = 0;
    tx.head = tx.tail = 0;
}

int relo_uart_read_byte(void)
{
    return rx.head < rx.tail ? rx.bytes[rx.head++] : -1;
}

/* Host tests feed bytes before draining, so there is never anything to wait for. */
void relo_uart_wait_rx(void) {}

void relo_uart_write(const uint8_t *data, size_t length)
{
    (void)queue_put(&tx, data, length); /* a test that overflows it fails on the content */
}

int relo_uart_host_feed(const uint8_t *data, size_t length) { return queue_put(&rx, data, length); }

size_t relo_uart_host_take(uint8_t *out, size_t capacity)
{
    size_t n = tx.tail - tx.head < capacity ? tx.tail - tx.head : capacity;
    memcpy(out, tx.bytes + tx.head, n);
    tx.head += n;
    return n;
}
