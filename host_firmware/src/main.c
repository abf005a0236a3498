/* SPDX-License-Identifier: Apache-2.0 */
/* The resident firmware: bring the board up, boot the active model, then serve requests
 * forever: UART bytes -> frames -> dispatch -> response frames. */
#include "relo/port_board.h"
#include "relo/port_uart.h"
#include "relo/relo_device.h"
#include "relo/relo_frame.h"
#include "relo/relo_link.h"
#include "relo/relo_trusted_key.h"

static relo_device_t device;
static relo_link_t serial_link;

int main(void)
{
    relo_board_init();
    relo_uart_init();
    relo_trusted_key_t key = {relo_trusted_public_key, relo_trusted_key_id};
    (void)relo_device_init(&device, &key); /* without slots the device still answers HELLO */
    relo_link_init(&serial_link, &device.protocol);
    for (;;) {
        int byte = relo_uart_read_byte();
        if (byte >= 0) {
            relo_link_receive(&serial_link, (uint8_t)byte);
        } else {
            relo_uart_wait_rx(); /* sleep, don't spin: an emulated spin burns a host core */
        }
    }
}
