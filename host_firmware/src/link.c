/* SPDX-License-Identifier: Apache-2.0 */
/* Byte stream <-> packets. */
#include "relo/port_uart.h"
#include "relo/relo_link.h"

void relo_link_init(relo_link_t *link, relo_protocol_t *protocol)
{
    link->protocol = protocol;
    relo_frame_decoder_init(&link->decoder, link->rx, sizeof link->rx);
}

void relo_link_receive(relo_link_t *link, uint8_t byte)
{
    size_t packet_length = 0;
    relo_frame_event_t event = relo_frame_decoder_feed(&link->decoder, byte, &packet_length);
    const uint8_t *response;
    uint32_t response_length;
    switch (event) {
    case RELO_FRAME_READY:
        response = relo_protocol_handle(link->protocol, link->rx, packet_length, &response_length);
        break;
    case RELO_FRAME_BAD_CRC:
        response = relo_protocol_reject(link->protocol, link->rx, packet_length, RELO_STATUS_BAD_CRC, &response_length);
        break;
    case RELO_FRAME_BAD_FRAME:
        response = relo_protocol_reject(link->protocol, link->rx, packet_length, RELO_STATUS_BAD_FRAME,
                                        &response_length);
        break;
    default:
        return;
    }
    size_t frame_length = relo_frame_encode(response, response_length, link->tx, sizeof link->tx);
    if (frame_length > 0) {
        relo_uart_write(link->tx, frame_length);
    }
}
