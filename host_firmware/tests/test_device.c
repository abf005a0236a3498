/* SPDX-License-Identifier: Apache-2.0 */
/* End to end over the link: frames in through the host UART port, through protocol and
 * command handlers, frames out; a C function stands in for the model's Thumb code. */
#include <string.h>

#include "board_host.h"
#include "flash_sim.h"
#include "relo/port_uart.h"
#include "relo/relo_crypto.h"
#include "relo/relo_device.h"
#include "relo/relo_endian.h"
#include "relo/relo_frame.h"
#include "relo/relo_link.h"
#include "relo/relo_trusted_key.h"
#include "relo_test.h"
#include "test_support.h"
#include "uart_host.h"

static relo_device_t device;
static relo_link_t serial_link;
static uint8_t seq;

/* The stand-in model: run() writes output[i] = input[i] + 1 for i < 4. */
static int32_t echo_model(uintptr_t entry, uint8_t *arena, void *static_base)
{
    (void)static_base;
    if (entry - device.model.code_address == 0x81) {
        for (int i = 0; i < 4; i++) {
            arena[64 + i] = (uint8_t)(arena[i] + 1);
        }
    }
    return 0;
}

static void boot(int erase)
{
    if (erase) {
        relo_flash_sim_reset(0xFF);
    }
    relo_board_host_set_model(echo_model);
    relo_uart_init();
    relo_trusted_key_t key = support_trusted_key();
    CHECK_EQ(relo_device_init(&device, &key), RELO_STATUS_OK);
    relo_link_init(&serial_link, &device.protocol);
}

typedef struct {
    uint8_t cmd;
    uint8_t seq;
    uint8_t status;
    uint32_t length; /* payload */
    uint8_t payload[RELO_MAX_PAYLOAD];
} reply_t;

/* Pumps the device until it has answered, and decodes the one answer frame. */
static void pump_and_decode(reply_t *reply)
{
    int byte;
    while ((byte = relo_uart_read_byte()) >= 0) {
        relo_link_receive(&serial_link, (uint8_t)byte);
    }
    static uint8_t out[RELO_FRAME_ENCODED_MAX(RELO_PACKET_MAX)], packet[RELO_PACKET_MAX + 4];
    size_t n = relo_uart_host_take(out, sizeof out);
    relo_frame_decoder_t decoder;
    relo_frame_decoder_init(&decoder, packet, sizeof packet);
    size_t packet_length = 0;
    relo_frame_event_t event = RELO_FRAME_PENDING;
    for (size_t i = 0; i < n && event == RELO_FRAME_PENDING; i++) {
        event = relo_frame_decoder_feed(&decoder, out[i], &packet_length);
    }
    CHECK_EQ(event, RELO_FRAME_READY);
    memset(reply, 0, sizeof *reply);
    if (event == RELO_FRAME_READY && packet_length >= RELO_PACKET_HEADER_SIZE) {
        reply->cmd = packet[0];
        reply->seq = packet[1];
        reply->status = packet[2];
        reply->length = (uint32_t)packet_length - RELO_PACKET_HEADER_SIZE;
        memcpy(reply->payload, packet + RELO_PACKET_HEADER_SIZE, reply->length);
    }
}

static void send_with_seq(uint8_t cmd, uint8_t request_seq, const uint8_t *payload, uint32_t length, reply_t *reply)
{
    static uint8_t packet[RELO_PACKET_MAX], frame[RELO_FRAME_ENCODED_MAX(RELO_PACKET_MAX)];
    packet[0] = cmd;
    packet[1] = request_seq;
    packet[2] = 0;
    packet[3] = 0;
    if (length > 0) {
        memcpy(packet + RELO_PACKET_HEADER_SIZE, payload, length);
    }
    size_t n = relo_frame_encode(packet, RELO_PACKET_HEADER_SIZE + length, frame, sizeof frame);
    CHECK_EQ(relo_uart_host_feed(frame, n), 0);
    pump_and_decode(reply);
    CHECK_EQ(reply->cmd, cmd | RELO_RESPONSE_BIT);
    CHECK_EQ(reply->seq, request_seq);
}

static uint8_t request(uint8_t cmd, const uint8_t *payload, uint32_t length, reply_t *reply)
{
    send_with_seq(cmd, ++seq, payload, length, reply);
    return reply->status;
}

static void install_over_link(const uint8_t *raw, uint32_t size)
{
    static reply_t reply;
    relo_package_t package;
    CHECK_EQ(relo_package_parse(raw, size, &package), RELO_STATUS_OK);
    CHECK_EQ(request(RELO_CMD_INSTALL_BEGIN, raw, package.head_size, &reply), RELO_STATUS_OK);
    uint32_t next = relo_load32_le(reply.payload + RELO_INSTALL_BEGIN_RESPONSE_NEXT_OFFSET_OFF);
    CHECK_EQ(next, package.head_size);
    static uint8_t payload[RELO_MAX_PAYLOAD];
    while (next < size) {
        uint32_t n = size - next < RELO_MAX_PAYLOAD - 4 ? size - next : RELO_MAX_PAYLOAD - 4;
        relo_store32_le(payload, next);
        memcpy(payload + 4, raw + next, n);
        CHECK_EQ(request(RELO_CMD_INSTALL_DATA, payload, 4 + n, &reply), RELO_STATUS_OK);
        /* the host lost that answer and retries: same answer, no second write */
        send_with_seq(RELO_CMD_INSTALL_DATA, seq, payload, 4 + n, &reply);
        CHECK_EQ(reply.status, RELO_STATUS_OK);
        next += n;
    }
    CHECK_EQ(request(RELO_CMD_INSTALL_END, NULL, 0, &reply), RELO_STATUS_OK);
}

static void test_hello(void)
{
    boot(1);
    static reply_t reply;
    CHECK_EQ(request(RELO_CMD_HELLO, NULL, 0, &reply), RELO_STATUS_OK);
    CHECK_EQ(reply.length, RELO_HELLO_RESPONSE_SIZE);
    CHECK_EQ(relo_load16_le(reply.payload + RELO_HELLO_RESPONSE_PROTOCOL_VERSION_OFF), RELO_PROTOCOL_VERSION);
    CHECK_EQ(relo_load16_le(reply.payload + RELO_HELLO_RESPONSE_MAX_PAYLOAD_OFF), RELO_MAX_PAYLOAD);
    CHECK(memcmp(reply.payload + RELO_HELLO_RESPONSE_BOARD_OFF, "host-sim", 9) == 0);
    CHECK_EQ(relo_load16_le(reply.payload + RELO_HELLO_RESPONSE_CPU_OFF), RELO_CPU_CORTEX_M4);
    CHECK_EQ(relo_load16_le(reply.payload + RELO_HELLO_RESPONSE_SLOT_COUNT_OFF), 8);
    CHECK_EQ(relo_load32_le(reply.payload + RELO_HELLO_RESPONSE_SLOT_SIZE_OFF), 0x100000);
    CHECK_EQ(relo_load32_le(reply.payload + RELO_HELLO_RESPONSE_FLASH_WRITE_SIZE_OFF), 32);
    CHECK(memcmp(reply.payload + RELO_HELLO_RESPONSE_KEY_ID_OFF, relo_trusted_key_id, 8) == 0);
    CHECK_EQ(reply.payload[RELO_HELLO_RESPONSE_ACTIVE_SLOT_OFF], 0xFF);
    CHECK_EQ(request(RELO_CMD_INVOKE, NULL, 0, &reply), RELO_STATUS_NO_MODEL);
    CHECK_EQ(request(RELO_CMD_MODEL_INFO, NULL, 0, &reply), RELO_STATUS_NO_MODEL);
    CHECK_EQ(request(0x7E, NULL, 0, &reply), RELO_STATUS_UNKNOWN_COMMAND);
}

static void test_install_invoke_read(void)
{
    boot(1);
    uint32_t size;
    const uint8_t *raw = relo_test_fixture("good.rmod", &size);
    install_over_link(raw, size);
    static reply_t reply;
    CHECK_EQ(request(RELO_CMD_HELLO, NULL, 0, &reply), RELO_STATUS_OK);
    CHECK_EQ(reply.payload[RELO_HELLO_RESPONSE_ACTIVE_SLOT_OFF], 0);
    /* MODEL_INFO: header, then manifest + descriptors exactly as in the package */
    CHECK_EQ(request(RELO_CMD_MODEL_INFO, NULL, 0, &reply), RELO_STATUS_OK);
    relo_package_t package;
    CHECK_EQ(relo_package_parse(raw, size, &package), RELO_STATUS_OK);
    CHECK_EQ(reply.length, RELO_MODEL_INFO_RESPONSE_SIZE + package.manifest_size);
    CHECK_EQ(relo_load32_le(reply.payload + RELO_MODEL_INFO_RESPONSE_PACKAGE_SIZE_OFF), size);
    uint8_t digest[32];
    relo_reader_t bytes = relo_reader_from_buffer(raw, size);
    CHECK_EQ(relo_crypto_sha256(&bytes, 0, package.signed_size, digest), 0);
    CHECK(memcmp(reply.payload + RELO_MODEL_INFO_RESPONSE_SIGNED_SHA256_OFF, digest, 32) == 0);
    CHECK(memcmp(reply.payload + RELO_MODEL_INFO_RESPONSE_SIZE, raw + package.manifest_offset, package.manifest_size) == 0);
    /* TENSOR_WRITE / INVOKE / TENSOR_READ */
    uint8_t write[RELO_TENSOR_IO_HEADER_SIZE + 16] = {0};
    for (int i = 0; i < 16; i++) {
        write[RELO_TENSOR_IO_HEADER_SIZE + i] = (uint8_t)(10 * i);
    }
    CHECK_EQ(request(RELO_CMD_TENSOR_WRITE, write, sizeof write, &reply), RELO_STATUS_OK);
    CHECK_EQ(request(RELO_CMD_INVOKE, NULL, 0, &reply), RELO_STATUS_OK);
    CHECK_EQ(reply.length, RELO_INVOKE_RESPONSE_SIZE);
    CHECK_EQ(relo_load32_le(reply.payload + RELO_INVOKE_RESPONSE_MODEL_STATUS_OFF), 0);
    CHECK_EQ(relo_load32_le(reply.payload + RELO_INVOKE_RESPONSE_COUNTER_UNIT_OFF), RELO_COUNTER_UNIT_CYCLES);
    uint8_t read[RELO_TENSOR_IO_HEADER_SIZE] = {0};
    relo_store32_le(read + RELO_TENSOR_IO_HEADER_OFFSET_OFF, 1);
    relo_store32_le(read + RELO_TENSOR_IO_HEADER_LENGTH_OFF, 3);
    CHECK_EQ(request(RELO_CMD_TENSOR_READ, read, sizeof read, &reply), RELO_STATUS_OK);
    CHECK_EQ(reply.length, 3);
    CHECK_EQ(reply.payload[0], 11);
    CHECK_EQ(reply.payload[2], 31);
    /* range checks */
    relo_store32_le(read + RELO_TENSOR_IO_HEADER_LENGTH_OFF, 4); /* 1 + 4 > 4 bytes */
    CHECK_EQ(request(RELO_CMD_TENSOR_READ, read, sizeof read, &reply), RELO_STATUS_BAD_TENSOR);
    read[RELO_TENSOR_IO_HEADER_INDEX_OFF] = 1; /* only one output */
    CHECK_EQ(request(RELO_CMD_TENSOR_READ, read, sizeof read, &reply), RELO_STATUS_BAD_TENSOR);
    CHECK_EQ(request(RELO_CMD_TENSOR_READ, read, 4, &reply), RELO_STATUS_BAD_LENGTH);
    CHECK_EQ(relo_load32_le(reply.payload), RELO_TENSOR_IO_HEADER_SIZE);
    relo_store32_le(write + RELO_TENSOR_IO_HEADER_OFFSET_OFF, 1); /* 1 + 16 > 16 */
    CHECK_EQ(request(RELO_CMD_TENSOR_WRITE, write, sizeof write, &reply), RELO_STATUS_BAD_TENSOR);
    CHECK_EQ(request(RELO_CMD_RESET_STATE, NULL, 0, &reply), RELO_STATUS_OK);
    /* reboot: the journal's slot is verified and loaded again */
    boot(0);
    CHECK_EQ(device.boot_status, RELO_STATUS_OK);
    CHECK_EQ(request(RELO_CMD_HELLO, NULL, 0, &reply), RELO_STATUS_OK);
    CHECK_EQ(reply.payload[RELO_HELLO_RESPONSE_ACTIVE_SLOT_OFF], 0);
}

static void test_out_of_order_reports_expected_offset(void)
{
    boot(1);
    uint32_t size;
    const uint8_t *raw = relo_test_fixture("good.rmod", &size);
    relo_package_t package;
    CHECK_EQ(relo_package_parse(raw, size, &package), RELO_STATUS_OK);
    static reply_t reply;
    CHECK_EQ(request(RELO_CMD_INSTALL_BEGIN, raw, package.head_size, &reply), RELO_STATUS_OK);
    uint8_t payload[4 + 8];
    relo_store32_le(payload, package.head_size + 64);
    CHECK_EQ(request(RELO_CMD_INSTALL_DATA, payload, sizeof payload, &reply), RELO_STATUS_OUT_OF_ORDER);
    CHECK_EQ(reply.length, RELO_ERROR_DETAIL_SIZE);
    CHECK_EQ(relo_load32_le(reply.payload), package.head_size);
    CHECK_EQ(request(RELO_CMD_INSTALL_ABORT, NULL, 0, &reply), RELO_STATUS_OK);
    CHECK_EQ(request(RELO_CMD_INSTALL_END, NULL, 0, &reply), RELO_STATUS_NO_INSTALL);
}

static void test_damaged_frame_gets_bad_crc(void)
{
    boot(1);
    uint8_t packet[RELO_PACKET_HEADER_SIZE] = {RELO_CMD_HELLO, 42, 0, 0};
    uint8_t frame[32];
    size_t n = relo_frame_encode(packet, sizeof packet, frame, sizeof frame);
    frame[n - 2] ^= 0x40; /* a CRC byte */
    CHECK_EQ(relo_uart_host_feed(frame, n), 0);
    static reply_t reply;
    pump_and_decode(&reply);
    CHECK_EQ(reply.status, RELO_STATUS_BAD_CRC);
    CHECK_EQ(reply.seq, 42);
}

/* Two named models over the link: LIST, requests that select a model, ACTIVATE, ROLLBACK
 * and ERASE by name. */
static void test_named_models_over_link(void)
{
    boot(1);
    uint32_t size, other_size;
    const uint8_t *raw = relo_test_fixture("good.rmod", &size);
    const uint8_t *other = relo_test_fixture("other.rmod", &other_size);
    install_over_link(raw, size);
    install_over_link(other, other_size);
    static reply_t reply;
    CHECK_EQ(request(RELO_CMD_LIST, NULL, 0, &reply), RELO_STATUS_OK);
    CHECK_EQ(reply.length, RELO_LIST_RESPONSE_SIZE + 2 * RELO_LIST_ENTRY_SIZE);
    CHECK_EQ(reply.payload[RELO_LIST_RESPONSE_SLOT_COUNT_OFF], 8);
    CHECK_EQ(reply.payload[RELO_LIST_RESPONSE_DEFAULT_SLOT_OFF], 1); /* installed last */
    CHECK_EQ(reply.payload[RELO_LIST_RESPONSE_ENTRY_COUNT_OFF], 2);
    const uint8_t *second = reply.payload + RELO_LIST_RESPONSE_SIZE + RELO_LIST_ENTRY_SIZE;
    CHECK_EQ(second[RELO_LIST_ENTRY_SLOT_OFF], 1);
    CHECK_EQ(second[RELO_LIST_ENTRY_ROLE_OFF], RELO_SLOT_ROLE_ACTIVE);
    CHECK(memcmp(second + RELO_LIST_ENTRY_NAME_OFF, "other", 6) == 0);
    CHECK_EQ(relo_load32_le(second + RELO_LIST_ENTRY_PACKAGE_SIZE_OFF), other_size);
    CHECK_EQ(relo_load32_le(second + RELO_LIST_ENTRY_VERSION_OFF), 0x00010000u);
    /* MODEL_INFO and tensor I/O name a model with 1 + its slot; empty means the default */
    uint8_t selector[RELO_MODEL_SELECTOR_SIZE] = {1};
    CHECK_EQ(request(RELO_CMD_MODEL_INFO, selector, sizeof selector, &reply), RELO_STATUS_OK);
    CHECK_EQ(reply.payload[RELO_MODEL_INFO_RESPONSE_SLOT_OFF], 0);
    CHECK_EQ(request(RELO_CMD_MODEL_INFO, NULL, 0, &reply), RELO_STATUS_OK);
    CHECK_EQ(reply.payload[RELO_MODEL_INFO_RESPONSE_SLOT_OFF], 1);
    selector[0] = 2;
    uint8_t write[RELO_TENSOR_IO_HEADER_SIZE + 16] = {0};
    write[RELO_TENSOR_IO_HEADER_MODEL_OFF] = 2;
    write[RELO_TENSOR_IO_HEADER_SIZE] = 41;
    CHECK_EQ(request(RELO_CMD_TENSOR_WRITE, write, sizeof write, &reply), RELO_STATUS_OK);
    CHECK_EQ(request(RELO_CMD_INVOKE, selector, sizeof selector, &reply), RELO_STATUS_OK);
    uint8_t read[RELO_TENSOR_IO_HEADER_SIZE] = {0};
    read[RELO_TENSOR_IO_HEADER_MODEL_OFF] = 2;
    relo_store32_le(read + RELO_TENSOR_IO_HEADER_LENGTH_OFF, 1);
    CHECK_EQ(request(RELO_CMD_TENSOR_READ, read, sizeof read, &reply), RELO_STATUS_OK);
    CHECK_EQ(reply.payload[0], 42);
    CHECK_EQ(device.model.slot, 1);
    selector[0] = 4; /* slot 3 holds nothing */
    CHECK_EQ(request(RELO_CMD_INVOKE, selector, sizeof selector, &reply), RELO_STATUS_UNKNOWN_MODEL);
    CHECK_EQ(request(RELO_CMD_INVOKE, selector, 3, &reply), RELO_STATUS_BAD_LENGTH);
    /* management by name */
    uint8_t name[RELO_MODEL_NAME_SIZE] = "fixture";
    CHECK_EQ(request(RELO_CMD_ACTIVATE, name, sizeof name, &reply), RELO_STATUS_OK);
    CHECK_EQ(request(RELO_CMD_HELLO, NULL, 0, &reply), RELO_STATUS_OK);
    CHECK_EQ(reply.payload[RELO_HELLO_RESPONSE_ACTIVE_SLOT_OFF], 0);
    CHECK_EQ(reply.payload[RELO_HELLO_RESPONSE_LAST_EVENT_OFF], RELO_EVENT_ACTIVATED);
    memset(name, 0, sizeof name);
    memcpy(name, "other", 5);
    CHECK_EQ(request(RELO_CMD_ROLLBACK, name, sizeof name, &reply), RELO_STATUS_NO_BACKUP);
    CHECK_EQ(request(RELO_CMD_ERASE, name, sizeof name, &reply), RELO_STATUS_OK);
    CHECK(!device.model.loaded || device.model.slot == 0);
    CHECK_EQ(request(RELO_CMD_ERASE, name, sizeof name, &reply), RELO_STATUS_UNKNOWN_MODEL);
    CHECK_EQ(request(RELO_CMD_ERASE, name, 5, &reply), RELO_STATUS_BAD_LENGTH);
    CHECK_EQ(request(RELO_CMD_LIST, NULL, 0, &reply), RELO_STATUS_OK);
    CHECK_EQ(reply.payload[RELO_LIST_RESPONSE_ENTRY_COUNT_OFF], 1);
    CHECK_EQ(reply.payload[RELO_LIST_RESPONSE_DEFAULT_SLOT_OFF], 0);
    CHECK_EQ(request(RELO_CMD_MODEL_INFO, NULL, 0, &reply), RELO_STATUS_OK);
    CHECK_EQ(reply.payload[RELO_MODEL_INFO_RESPONSE_SLOT_OFF], 0);
    /* a second version of "fixture": its first version becomes the BACKUP, rollback swaps */
    const uint8_t *newer = relo_test_fixture("vectors.rmod", &size);
    install_over_link(newer, size);
    memset(name, 0, sizeof name);
    memcpy(name, "fixture", 7);
    CHECK_EQ(request(RELO_CMD_MODEL_INFO, NULL, 0, &reply), RELO_STATUS_OK);
    CHECK_EQ(reply.payload[RELO_MODEL_INFO_RESPONSE_SLOT_OFF], 1);
    CHECK_EQ(request(RELO_CMD_ROLLBACK, name, sizeof name, &reply), RELO_STATUS_OK);
    CHECK_EQ(request(RELO_CMD_MODEL_INFO, NULL, 0, &reply), RELO_STATUS_OK);
    CHECK_EQ(reply.payload[RELO_MODEL_INFO_RESPONSE_SLOT_OFF], 0);
    CHECK_EQ(request(RELO_CMD_ROLLBACK, name, sizeof name, &reply), RELO_STATUS_OK); /* and forward again */
    CHECK_EQ(request(RELO_CMD_MODEL_INFO, NULL, 0, &reply), RELO_STATUS_OK);
    CHECK_EQ(reply.payload[RELO_MODEL_INFO_RESPONSE_SLOT_OFF], 1);
}

RELO_TEST_SUITE(suite_device, {"device_hello", test_hello}, {"device_named_models_over_link", test_named_models_over_link}, {"device_install_invoke_read", test_install_invoke_read},
                {"device_out_of_order_reports_expected_offset", test_out_of_order_reports_expected_offset},
                {"device_damaged_frame_gets_bad_crc", test_damaged_frame_gets_bad_crc});
