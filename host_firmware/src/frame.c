/* SPDX-License-Identifier: Apache-2.0 */
/* COBS framing with a CRC-32 trailer. COBS removes every 0x00 from the frame body, so a
 * receiver that lost sync resynchronises at the next delimiter. */
#include "relo/relo_crc32.h"
#include "relo/relo_endian.h"
#include "relo/relo_format.h"
#include "relo/relo_frame.h"

void relo_frame_decoder_init(relo_frame_decoder_t *decoder, uint8_t *buffer, size_t capacity)
{
    decoder->buffer = buffer;
    decoder->capacity = capacity;
    decoder->length = 0;
    decoder->block_left = 0;
    decoder->block_code = 0;
    decoder->overflow = 0;
}

static void decoder_restart(relo_frame_decoder_t *decoder)
{
    decoder->length = 0;
    decoder->block_left = 0;
    decoder->block_code = 0;
    decoder->overflow = 0;
}

static void decoder_append(relo_frame_decoder_t *decoder, uint8_t byte)
{
    if (decoder->length < decoder->capacity) {
        decoder->buffer[decoder->length++] = byte;
    } else {
        decoder->overflow = 1;
    }
}

static relo_frame_event_t decoder_finish(relo_frame_decoder_t *decoder, size_t *packet_length)
{
    /* block_left != 0: the frame ended inside a block (bytes were lost). */
    if (decoder->overflow || decoder->block_left != 0 || decoder->length < RELO_FRAME_CRC_SIZE) {
        *packet_length = decoder->length; /* lets the reply echo the header */
        return RELO_FRAME_BAD_FRAME;
    }
    size_t length = decoder->length - RELO_FRAME_CRC_SIZE;
    *packet_length = length;
    uint32_t received = relo_load32_le(decoder->buffer + length);
    return relo_crc32_compute(decoder->buffer, length) == received ? RELO_FRAME_READY : RELO_FRAME_BAD_CRC;
}

relo_frame_event_t relo_frame_decoder_feed(relo_frame_decoder_t *decoder, uint8_t byte, size_t *packet_length)
{
    if (byte == RELO_FRAME_DELIMITER) {
        int empty = decoder->length == 0 && decoder->block_code == 0 && !decoder->overflow;
        relo_frame_event_t event = empty ? RELO_FRAME_PENDING : decoder_finish(decoder, packet_length);
        decoder_restart(decoder);
        return event; /* back-to-back delimiters are idle line, not frames */
    }
    if (decoder->block_left == 0) {
        /* A code byte. The previous block stood for its bytes plus a zero, unless it was a
         * full 254-byte block (code 0xFF), which has no implied zero. */
        if (decoder->block_code != 0 && decoder->block_code != 0xFF) {
            decoder_append(decoder, 0);
        }
        decoder->block_code = byte;
        decoder->block_left = (uint8_t)(byte - 1u);
    } else {
        decoder_append(decoder, byte);
        decoder->block_left--;
    }
    return RELO_FRAME_PENDING;
}

/* Streams packet || crc through the COBS encoder without copying the packet. */
typedef struct {
    uint8_t *out;
    size_t length;
    size_t code_at; /* where the current block's code byte goes */
    uint8_t code;
} cobs_encoder_t;

static void encoder_put(cobs_encoder_t *enc, uint8_t byte)
{
    if (enc->code == 0xFF) {
        /* The previous block is full: open the next one only now, so data that ends on a
         * block boundary gets no empty trailing block (canonical COBS). */
        enc->out[enc->code_at] = enc->code;
        enc->code_at = enc->length++;
        enc->code = 1;
    }
    if (byte == 0) {
        enc->out[enc->code_at] = enc->code;
        enc->code_at = enc->length++;
        enc->code = 1;
    } else {
        enc->out[enc->length++] = byte;
        enc->code++;
    }
}

size_t relo_frame_encode(const uint8_t *packet, size_t length, uint8_t *out, size_t out_capacity)
{
    if (packet == 0 || out == 0 || out_capacity < RELO_FRAME_ENCODED_MAX(length)) {
        return 0;
    }
    uint8_t crc[RELO_FRAME_CRC_SIZE];
    relo_store32_le(crc, relo_crc32_compute(packet, length));
    cobs_encoder_t enc = {out, 1, 0, 1};
    for (size_t i = 0; i < length; i++) {
        encoder_put(&enc, packet[i]);
    }
    for (size_t i = 0; i < RELO_FRAME_CRC_SIZE; i++) {
        encoder_put(&enc, crc[i]);
    }
    out[enc.code_at] = enc.code;
    out[enc.length++] = RELO_FRAME_DELIMITER;
    return enc.length;
}
