/* SPDX-License-Identifier: Apache-2.0 */
/* Framing on the UART: frame = COBS(packet || CRC-32(packet) little-endian) 0x00.
 * The decoder is fed one byte at a time (from the UART ring buffer) and never holds more
 * than its buffer's capacity; the encoder writes a whole frame into a caller buffer. */
#ifndef RELO_FRAME_H
#define RELO_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define RELO_FRAME_CRC_SIZE 4u
/* Worst-case encoded size of a packet of n bytes, delimiter included. */
#define RELO_FRAME_ENCODED_MAX(n) ((n) + RELO_FRAME_CRC_SIZE + ((n) + RELO_FRAME_CRC_SIZE) / 254u + 2u)

typedef enum {
    RELO_FRAME_PENDING = 0, /* byte consumed, frame not finished */
    RELO_FRAME_READY,       /* a packet with a good CRC is in the buffer */
    RELO_FRAME_BAD_FRAME,   /* malformed COBS, too short, or longer than the buffer */
    RELO_FRAME_BAD_CRC,     /* well-formed frame whose CRC does not match */
} relo_frame_event_t;

typedef struct {
    uint8_t *buffer;   /* decoded bytes: packet then CRC */
    size_t capacity;
    size_t length;     /* decoded bytes so far */
    uint8_t block_left; /* bytes still to copy in the current COBS block, 0 = expect a code */
    uint8_t block_code; /* code byte of the current block */
    uint8_t overflow;   /* set when the frame exceeded capacity; reported at the delimiter */
} relo_frame_decoder_t;

/* capacity must hold the largest packet plus RELO_FRAME_CRC_SIZE. */
void relo_frame_decoder_init(relo_frame_decoder_t *decoder, uint8_t *buffer, size_t capacity);

/* Feeds one received byte. On RELO_FRAME_READY the packet is buffer[0, *packet_length);
 * on RELO_FRAME_BAD_CRC *packet_length is the length of the (untrusted) packet. The decoder
 * restarts by itself after every delimiter. */
relo_frame_event_t relo_frame_decoder_feed(relo_frame_decoder_t *decoder, uint8_t byte, size_t *packet_length);

/* Encodes packet into out (delimiter included); returns the frame length, or 0 if out is
 * smaller than RELO_FRAME_ENCODED_MAX(length). */
size_t relo_frame_encode(const uint8_t *packet, size_t length, uint8_t *out, size_t out_capacity);

#endif /* RELO_FRAME_H */
