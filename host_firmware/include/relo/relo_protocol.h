/* SPDX-License-Identifier: Apache-2.0 */
/* Packets: header parse/build, dispatch to a command table, and idempotent retries.
 *
 * The host is stop-and-wait and retries a request whose response it lost with the same seq.
 * A request with the same (seq, cmd) as the previous one is therefore answered with the
 * cached previous response and NOT executed again (an INSTALL_DATA must not be written
 * twice, an INVOKE not run twice). */
#ifndef RELO_PROTOCOL_H
#define RELO_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "relo/relo_format.h"
#include "relo/relo_status.h"

#define RELO_PACKET_MAX (RELO_PACKET_HEADER_SIZE + RELO_MAX_PAYLOAD)

typedef struct {
    uint8_t cmd;
    uint8_t seq;
    uint8_t status;
    uint8_t flags;
} relo_packet_header_t;

typedef struct {
    uint8_t cmd;
    const uint8_t *payload;
    uint32_t length;
} relo_request_t;

/* A handler writes at most `capacity` payload bytes and sets `length`; when it returns a
 * status other than OK, the payload sent is an ERROR_DETAIL carrying `detail` instead. */
typedef struct {
    uint8_t *payload;
    uint32_t capacity;
    uint32_t length;
    uint32_t detail;
} relo_response_t;

typedef relo_status_t (*relo_command_handler_t)(void *context, const relo_request_t *request,
                                                relo_response_t *response);

typedef struct {
    uint8_t cmd;
    relo_command_handler_t handler;
} relo_command_entry_t;

typedef struct {
    const relo_command_entry_t *commands;
    size_t command_count;
    void *context;
    uint8_t response[RELO_PACKET_MAX]; /* the last response, kept for retries */
    uint8_t reject[RELO_PACKET_HEADER_SIZE + RELO_ERROR_DETAIL_SIZE]; /* never overwrites it */
    uint32_t response_length;
    uint8_t last_cmd;
    uint8_t last_seq;
    uint8_t has_last;
} relo_protocol_t;

int relo_protocol_parse_header(const uint8_t *packet, size_t length, relo_packet_header_t *header);
void relo_protocol_build_header(uint8_t *packet, const relo_packet_header_t *header);

void relo_protocol_init(relo_protocol_t *protocol, const relo_command_entry_t *commands, size_t command_count,
                        void *context);

/* Handles one received packet; returns the response packet (valid until the next call). */
const uint8_t *relo_protocol_handle(relo_protocol_t *protocol, const uint8_t *packet, size_t length,
                                    uint32_t *response_length);

/* Builds the response to a frame that could not be trusted (bad CRC, malformed), echoing
 * the header bytes when there are any so the host can match it. Not cached. */
const uint8_t *relo_protocol_reject(relo_protocol_t *protocol, const uint8_t *packet, size_t length,
                                    relo_status_t status, uint32_t *response_length);

#endif /* RELO_PROTOCOL_H */
