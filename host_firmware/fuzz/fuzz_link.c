/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the whole receive path of the device, as the UART sees it: arbitrary
 * bytes -> COBS/CRC frame decoder -> protocol (retry cache) -> command handlers (install,
 * tensors, invoke) over the simulated NOR flash, responses encoded and discarded.
 * Seeds are real frames (tests/reliability/test_fuzz.py writes them), so inputs reach the
 * handlers with valid CRCs; libFuzzer's CRC-breaking mutations exercise the rejections. */
#include <stdint.h>

#include "board_host.h"
#include "flash_sim.h"
#include "relo/port_uart.h"
#include "relo/relo_device.h"
#include "relo/relo_link.h"
#include "relo/relo_trusted_key.h"
#include "uart_host.h"

static int32_t model_returns_zero(uintptr_t entry, uint8_t *arena, void *static_base)
{
    (void)entry;
    (void)arena;
    (void)static_base;
    return 0;
}

static void drain_responses(void)
{
    static uint8_t sink[4096];
    while (relo_uart_host_take(sink, sizeof sink) > 0) {
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static relo_device_t device;
    static relo_link_t link;
    static int flash_ready;
    if (!flash_ready) { /* 16 MiB memset once; installs rewrite only what they erase */
        relo_flash_sim_reset(0xFF);
        flash_ready = 1;
    }
    relo_board_host_set_model(model_returns_zero);
    relo_uart_init();
    relo_trusted_key_t key = {relo_trusted_public_key, relo_trusted_key_id};
    (void)relo_device_init(&device, &key);
    relo_link_init(&link, &device.protocol);
    for (size_t i = 0; i < size; i++) {
        relo_link_receive(&link, data[i]);
        drain_responses();
    }
    return 0;
}
