/* SPDX-License-Identifier: Apache-2.0 */
/* Packet header handling, command dispatch and the retry cache. */
#include <string.h>

#include "relo/relo_endian.h"
#include "relo/relo_protocol.h"

int relo_protocol_parse_header(const uint8_t *packet, size_t length, relo_packet_header_t *header)
{
    if (packet == 0 || header == 0 || length < RELO_PACKET_HEADER_SIZE) {
        return -1;
    }
    header->cmd = packet[RELO_PACKET_HEADER_CMD_OFF];
    header->seq = packet[RELO_PACKET_HEADER_SEQ_OFF];
    header->status = packet[RELO_PACKET_HEADER_STATUS_OFF];
    header->flags = packet[RELO_PACKET_HEADER_FLAGS_OFF];
    return 0;
}

void relo_protocol_build_header(uint8_t *packet, const relo_packet_header_t *header)
{
    packet[RELO_PACKET_HEADER_CMD_OFF] = header->cmd;
    packet[RELO_PACKET_HEADER_SEQ_OFF] = header->seq;
    packet[RELO_PACKET_HEADER_STATUS_OFF] = header->status;
    packet[RELO_PACKET_HEADER_FLAGS_OFF] = header->flags;
}

void relo_protocol_init(relo_protocol_t *protocol, const relo_command_entry_t *commands, size_t command_count,
                        void *context)
{
    memset(protocol, 0, sizeof *protocol);
    protocol->commands = commands;
    protocol->command_count = command_count;
    protocol->context = context;
}

static relo_command_handler_t find_handler(const relo_protocol_t *protocol, uint8_t cmd)
{
    for (size_t i = 0; i < protocol->command_count; i++) {
        if (protocol->commands[i].cmd == cmd) {
            return protocol->commands[i].handler;
        }
    }
    return 0;
}

/* Writes header + payload (or the error detail) into out; the payload is already there. */
static uint32_t build_response(uint8_t *out, uint8_t cmd, uint8_t seq, relo_status_t status,
                               const relo_response_t *response)
{
    relo_packet_header_t header = {(uint8_t)(cmd | RELO_RESPONSE_BIT), seq, status, 0};
    relo_protocol_build_header(out, &header);
    if (status != RELO_STATUS_OK) {
        relo_store32_le(out + RELO_PACKET_HEADER_SIZE + RELO_ERROR_DETAIL_DETAIL_OFF, response->detail);
        return RELO_PACKET_HEADER_SIZE + RELO_ERROR_DETAIL_SIZE;
    }
    return RELO_PACKET_HEADER_SIZE + response->length;
}

const uint8_t *relo_protocol_handle(relo_protocol_t *protocol, const uint8_t *packet, size_t length,
                                    uint32_t *response_length)
{
    relo_packet_header_t request_header;
    if (relo_protocol_parse_header(packet, length, &request_header) != 0) {
        return relo_protocol_reject(protocol, packet, length, RELO_STATUS_BAD_LENGTH, response_length);
    }
    if (protocol->has_last && request_header.seq == protocol->last_seq && request_header.cmd == protocol->last_cmd) {
        *response_length = protocol->response_length; /* a retry: answer again, do not redo */
        return protocol->response;
    }
    relo_response_t response = {protocol->response + RELO_PACKET_HEADER_SIZE, RELO_MAX_PAYLOAD, 0, 0};
    relo_request_t request = {request_header.cmd, packet + RELO_PACKET_HEADER_SIZE,
                              (uint32_t)(length - RELO_PACKET_HEADER_SIZE)};
    relo_status_t status;
    relo_command_handler_t handler = find_handler(protocol, request_header.cmd);
    if (length > RELO_PACKET_MAX) {
        status = RELO_STATUS_BAD_LENGTH;
    } else if (handler == 0) {
        status = RELO_STATUS_UNKNOWN_COMMAND;
    } else {
        status = handler(protocol->context, &request, &response);
        if (status == RELO_STATUS_OK && response.length > RELO_MAX_PAYLOAD) {
            status = RELO_STATUS_BAD_LENGTH; /* a handler bug must not overrun the buffer */
        }
    }
    protocol->response_length =
        build_response(protocol->response, request_header.cmd, request_header.seq, status, &response);
    *response_length = protocol->response_length;
    protocol->last_cmd = request_header.cmd;
    protocol->last_seq = request_header.seq;
    protocol->has_last = 1;
    return protocol->response;
}

const uint8_t *relo_protocol_reject(relo_protocol_t *protocol, const uint8_t *packet, size_t length,
                                    relo_status_t status, uint32_t *response_length)
{
    relo_packet_header_t header = {0, 0, 0, 0};
    if (relo_protocol_parse_header(packet, length, &header) != 0) {
        header.cmd = 0;
        header.seq = 0;
    }
    relo_response_t response = {0, 0, 0, 0};
    /* Answered from its own buffer: the cached response stays valid for the host's retry. */
    *response_length = build_response(protocol->reject, header.cmd & (uint8_t)~RELO_RESPONSE_BIT, header.seq,
                                      status, &response);
    return protocol->reject;
}
