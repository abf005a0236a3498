/* SPDX-License-Identifier: Apache-2.0 */
/* The serial link: received bytes -> COBS/CRC frames -> protocol -> response frames out
 * through port_uart. Only complete, CRC-valid packets reach the protocol; a damaged frame
 * gets a BAD_CRC or BAD_FRAME answer so the host retries at once rather than timing out. */
#ifndef RELO_LINK_H
#define RELO_LINK_H

#include <stdint.h>

#include "relo/relo_frame.h"
#include "relo/relo_protocol.h"

typedef struct {
    relo_protocol_t *protocol;
    relo_frame_decoder_t decoder;
    uint8_t rx[RELO_PACKET_MAX + RELO_FRAME_CRC_SIZE];
    uint8_t tx[RELO_FRAME_ENCODED_MAX(RELO_PACKET_MAX)];
} relo_link_t;

void relo_link_init(relo_link_t *link, relo_protocol_t *protocol);
/* Feeds one received byte; answers through relo_uart_write when a frame ends. */
void relo_link_receive(relo_link_t *link, uint8_t byte);

#endif /* RELO_LINK_H */
