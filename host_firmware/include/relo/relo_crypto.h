/* SPDX-License-Identifier: Apache-2.0 */
/* Glue over the third-party primitives: streamed SHA-256 (libsodium) and Ed25519
 * verification (SHA-512 from libsodium, group equation from Monocypher). */
#ifndef RELO_CRYPTO_H
#define RELO_CRYPTO_H

#include <stdint.h>

#include "relo/relo_reader.h"

#define RELO_SHA256_SIZE 32u
#define RELO_ED25519_PUBLIC_KEY_SIZE 32u
#define RELO_ED25519_SIGNATURE_SIZE 64u

/* SHA-256 of reader bytes [offset, offset + length); 0 on success, -1 on a read failure. */
int relo_crypto_sha256(const relo_reader_t *reader, uint32_t offset, uint32_t length, uint8_t digest[32]);

/* RFC 8032 Ed25519 over reader bytes [0, length): 0 valid, -1 invalid or unreadable. */
int relo_crypto_ed25519_verify(const uint8_t signature[64], const uint8_t public_key[32],
                               const relo_reader_t *message, uint32_t length);

#endif /* RELO_CRYPTO_H */
