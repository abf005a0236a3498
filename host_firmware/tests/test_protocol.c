/* SPDX-License-Identifier: Apache-2.0 */
/* Packet dispatch, error details and the retry cache. */
#include <string.h>

#include "relo/relo_endian.h"
#include "relo/relo_protocol.h"
#include "relo_test.h"

static int echo_calls;

static relo_status_t echo_handler(void *context, const relo_request_t *request, relo_response_t *response)
{
    (void)context;
    echo_calls++;
    memcpy(response->payload, request->payload, request->length);
    response->length = request->length;
    return RELO_STATUS_OK;
}

static relo_status_t failing_handler(void *context, const relo_request_t *request, relo_response_t *response)
{
    (void)context;
    (void)request;
    response->detail = 0x12345678u;
    return RELO_STATUS_OUT_OF_ORDER;
}

static const relo_command_entry_t table[] = {
    {RELO_CMD_HELLO, echo_handler},
    {RELO_CMD_INSTALL_DATA, failing_handler},
};

static relo_protocol_t protocol;

static const uint8_t *send(uint8_t cmd, uint8_t seq, const char *payload, uint32_t *length)
{
    uint8_t packet[64] = {cmd, seq, 0, 0};
    size_t n = strlen(payload);
    memcpy(packet + 4, payload, n);
    return relo_protocol_handle(&protocol, packet, 4 + n, length);
}

static void test_dispatch_and_echo(void)
{
    relo_protocol_init(&protocol, table, 2, 0);
    echo_calls = 0;
    uint32_t length = 0;
    const uint8_t *response = send(RELO_CMD_HELLO, 7, "abc", &length);
    CHECK_EQ(length, 7);
    CHECK_EQ(response[0], RELO_CMD_HELLO | RELO_RESPONSE_BIT);
    CHECK_EQ(response[1], 7);
    CHECK_EQ(response[2], RELO_STATUS_OK);
    CHECK(memcmp(response + 4, "abc", 3) == 0);
    CHECK_EQ(echo_calls, 1);
}

static void test_error_carries_detail(void)
{
    relo_protocol_init(&protocol, table, 2, 0);
    uint32_t length = 0;
    const uint8_t *response = send(RELO_CMD_INSTALL_DATA, 1, "", &length);
    CHECK_EQ(length, RELO_PACKET_HEADER_SIZE + RELO_ERROR_DETAIL_SIZE);
    CHECK_EQ(response[2], RELO_STATUS_OUT_OF_ORDER);
    CHECK_EQ(relo_load32_le(response + 4), 0x12345678u);
}

static void test_unknown_command_and_short_packet(void)
{
    relo_protocol_init(&protocol, table, 2, 0);
    uint32_t length = 0;
    const uint8_t *response = send(0x55, 2, "", &length);
    CHECK_EQ(response[0], 0x55 | RELO_RESPONSE_BIT);
    CHECK_EQ(response[2], RELO_STATUS_UNKNOWN_COMMAND);
    const uint8_t short_packet[2] = {RELO_CMD_HELLO, 3};
    response = relo_protocol_handle(&protocol, short_packet, sizeof short_packet, &length);
    CHECK_EQ(response[2], RELO_STATUS_BAD_LENGTH);
}

static void test_retry_is_answered_from_cache(void)
{
    relo_protocol_init(&protocol, table, 2, 0);
    echo_calls = 0;
    uint32_t length = 0;
    send(RELO_CMD_HELLO, 9, "first", &length);
    /* the host lost the answer and resends: same seq and cmd -> same answer, not re-run */
    const uint8_t *response = send(RELO_CMD_HELLO, 9, "first", &length);
    CHECK_EQ(echo_calls, 1);
    CHECK(memcmp(response + 4, "first", 5) == 0);
    /* a damaged frame in between does not spoil the cache */
    uint32_t reject_length = 0;
    const uint8_t garbage[6] = {RELO_CMD_HELLO, 9, 0, 0, 1, 2};
    const uint8_t *reject = relo_protocol_reject(&protocol, garbage, sizeof garbage, RELO_STATUS_BAD_CRC, &reject_length);
    CHECK_EQ(reject[2], RELO_STATUS_BAD_CRC);
    CHECK_EQ(reject[1], 9);
    response = send(RELO_CMD_HELLO, 9, "first", &length);
    CHECK_EQ(echo_calls, 1);
    CHECK(memcmp(response + 4, "first", 5) == 0);
    /* next seq runs again */
    send(RELO_CMD_HELLO, 10, "second", &length);
    CHECK_EQ(echo_calls, 2);
}

RELO_TEST_SUITE(suite_protocol, {"protocol_dispatch_and_echo", test_dispatch_and_echo},
                {"protocol_error_carries_detail", test_error_carries_detail},
                {"protocol_unknown_command_and_short_packet", test_unknown_command_and_short_packet},
                {"protocol_retry_is_answered_from_cache", test_retry_is_answered_from_cache});
