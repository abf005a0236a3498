/* SPDX-License-Identifier: Apache-2.0 */
/* CRC-32 and COBS framing. */
#include <string.h>

#include "relo/relo_crc32.h"
#include "relo/relo_frame.h"
#include "relo_test.h"

static void test_crc32_known_value(void)
{
    const uint8_t text[] = "123456789";
    CHECK_EQ(relo_crc32_compute(text, 9), 0xCBF43926u); /* the standard check value */
    CHECK_EQ(relo_crc32_compute(text, 0), 0);
    CHECK_EQ(relo_crc32_update(relo_crc32_compute(text, 4), text + 4, 5), 0xCBF43926u);
}

static void test_encode_empty_packet(void)
{
    /* packet "" || CRC 00 00 00 00 -> COBS 01 01 01 01 01, then the delimiter */
    uint8_t out[16];
    const uint8_t expected[] = {1, 1, 1, 1, 1, 0};
    size_t n = relo_frame_encode((const uint8_t *)"", 0, out, sizeof out);
    CHECK_EQ(n, sizeof expected);
    CHECK(memcmp(out, expected, sizeof expected) == 0);
}

static void test_encode_refuses_small_buffer(void)
{
    uint8_t packet[10] = {0};
    uint8_t out[12];
    CHECK_EQ(relo_frame_encode(packet, sizeof packet, out, sizeof out), 0);
}

/* Decodes a whole frame byte by byte; returns the last event. */
static relo_frame_event_t feed_all(relo_frame_decoder_t *decoder, const uint8_t *frame, size_t length, size_t *packet_length)
{
    relo_frame_event_t event = RELO_FRAME_PENDING;
    for (size_t i = 0; i < length; i++) {
        relo_frame_event_t e = relo_frame_decoder_feed(decoder, frame[i], packet_length);
        if (i + 1 < length && e != RELO_FRAME_PENDING) {
            return e; /* a frame must not end early */
        }
        event = e;
    }
    return event;
}

static void fill_pattern(uint8_t *packet, size_t length, unsigned seed)
{
    for (size_t i = 0; i < length; i++) {
        unsigned v = (unsigned)(i * 31u + seed * 7u);
        packet[i] = (v % 5u == 0) ? 0 : (uint8_t)(v | 1u); /* zeros scattered, long non-zero runs */
    }
}

static void test_roundtrip_many_lengths(void)
{
    static uint8_t packet[1100], frame[RELO_FRAME_ENCODED_MAX(1100)], buffer[1100 + 4];
    for (size_t length = 0; length <= 1100; length += (length < 600 ? 1 : 37)) {
        for (unsigned seed = 0; seed < 2; seed++) {
            if (seed == 0) {
                memset(packet, 0x5A, length); /* no zeros: exercises full 254-byte blocks */
            } else {
                fill_pattern(packet, length, (unsigned)length);
            }
            size_t n = relo_frame_encode(packet, length, frame, sizeof frame);
            CHECK(n > 0);
            CHECK(memchr(frame, 0, n - 1) == NULL);
            CHECK_EQ(frame[n - 1], 0);
            relo_frame_decoder_t decoder;
            relo_frame_decoder_init(&decoder, buffer, sizeof buffer);
            size_t decoded = 0;
            CHECK_EQ(feed_all(&decoder, frame, n, &decoded), RELO_FRAME_READY);
            CHECK_EQ(decoded, length);
            CHECK(memcmp(buffer, packet, length) == 0);
        }
    }
}

static void test_canonical_full_block(void)
{
    /* 250 non-zero bytes + 4 non-zero CRC bytes = one full block: FF + 254 bytes, no 01. */
    uint8_t packet[250], frame[300];
    for (unsigned attempt = 1; attempt < 300; attempt++) {
        memset(packet, (int)attempt, sizeof packet);
        uint32_t crc = relo_crc32_compute(packet, sizeof packet);
        if ((crc & 0xFF) && (crc >> 8 & 0xFF) && (crc >> 16 & 0xFF) && (crc >> 24)) {
            break;
        }
    }
    size_t n = relo_frame_encode(packet, sizeof packet, frame, sizeof frame);
    CHECK_EQ(n, 1 + 254 + 1);
    CHECK_EQ(frame[0], 0xFF);
}

static void test_bad_crc_detected(void)
{
    uint8_t packet[40], frame[64], buffer[64];
    memset(packet, 0x33, sizeof packet); /* no zeros: frame[1..40] are the packet bytes verbatim */
    size_t n = relo_frame_encode(packet, sizeof packet, frame, sizeof frame);
    frame[5] = 0x34;
    relo_frame_decoder_t decoder;
    relo_frame_decoder_init(&decoder, buffer, sizeof buffer);
    size_t decoded = 0;
    CHECK_EQ(feed_all(&decoder, frame, n, &decoded), RELO_FRAME_BAD_CRC);
    CHECK_EQ(decoded, sizeof packet);
}

static void test_truncated_and_overlong_frames_resync(void)
{
    uint8_t packet[100], frame[128], buffer[64];
    fill_pattern(packet, sizeof packet, 1);
    relo_frame_decoder_t decoder;
    relo_frame_decoder_init(&decoder, buffer, sizeof buffer);
    size_t decoded = 0;
    /* longer than the decoder buffer: BAD_FRAME at the delimiter, never an overrun */
    size_t n = relo_frame_encode(packet, sizeof packet, frame, sizeof frame);
    CHECK_EQ(feed_all(&decoder, frame, n, &decoded), RELO_FRAME_BAD_FRAME);
    /* a block cut short by the delimiter */
    const uint8_t cut[] = {0x05, 0x11, 0x22, 0x00};
    CHECK_EQ(feed_all(&decoder, cut, sizeof cut, &decoded), RELO_FRAME_BAD_FRAME);
    /* idle delimiters are not frames, and the next good frame decodes */
    CHECK_EQ(relo_frame_decoder_feed(&decoder, 0, &decoded), RELO_FRAME_PENDING);
    n = relo_frame_encode(packet, 20, frame, sizeof frame);
    CHECK_EQ(feed_all(&decoder, frame, n, &decoded), RELO_FRAME_READY);
    CHECK_EQ(decoded, 20);
    CHECK(memcmp(buffer, packet, 20) == 0);
}

RELO_TEST_SUITE(suite_frame, {"crc32_known_value", test_crc32_known_value},
                {"frame_encode_empty_packet", test_encode_empty_packet},
                {"frame_encode_refuses_small_buffer", test_encode_refuses_small_buffer},
                {"frame_roundtrip_many_lengths", test_roundtrip_many_lengths},
                {"frame_canonical_full_block", test_canonical_full_block},
                {"frame_bad_crc_detected", test_bad_crc_detected},
                {"frame_truncated_and_overlong_resync", test_truncated_and_overlong_frames_resync});
