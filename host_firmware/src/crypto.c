/* SPDX-License-Identifier: Apache-2.0 */
/* Hashing and signature checks streamed in small chunks, so a package is authenticated
 * straight from flash without a RAM copy. No curve arithmetic lives here: Monocypher does
 * the group equation, libsodium the hashes. */
#include <string.h>

#include "crypto_hash_sha256.h"
#include "crypto_hash_sha512.h"
#include "monocypher.h"
#include "relo/relo_crypto.h"

#define CHUNK_SIZE 256u

/* Feeds reader bytes [offset, offset + length) to `update` chunk by chunk. */
typedef void (*hash_update_fn)(void *state, const uint8_t *data, uint32_t length);

static int hash_range(const relo_reader_t *reader, uint32_t offset, uint32_t length, hash_update_fn update,
                      void *state)
{
    uint8_t chunk[CHUNK_SIZE];
    while (length > 0) {
        uint32_t n = length < CHUNK_SIZE ? length : CHUNK_SIZE;
        if (relo_reader_read(reader, offset, chunk, n) != 0) {
            return -1;
        }
        update(state, chunk, n);
        offset += n;
        length -= n;
    }
    return 0;
}

static void sha256_update(void *state, const uint8_t *data, uint32_t length)
{
    crypto_hash_sha256_update(state, data, length);
}

static void sha512_update(void *state, const uint8_t *data, uint32_t length)
{
    crypto_hash_sha512_update(state, data, length);
}

int relo_crypto_sha256(const relo_reader_t *reader, uint32_t offset, uint32_t length, uint8_t digest[32])
{
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    if (hash_range(reader, offset, length, sha256_update, &state) != 0) {
        return -1;
    }
    crypto_hash_sha256_final(&state, digest);
    return 0;
}

int relo_crypto_ed25519_verify(const uint8_t signature[64], const uint8_t public_key[32],
                               const relo_reader_t *message, uint32_t length)
{
    if (signature == 0 || public_key == 0 || message == 0) {
        return -1;
    }
    /* RFC 8032 5.1.7: k = SHA-512(R || A || M) mod L, then check [S]B = R + [k]A. */
    crypto_hash_sha512_state state;
    uint8_t hram[64];
    uint8_t k[32];
    crypto_hash_sha512_init(&state);
    crypto_hash_sha512_update(&state, signature, 32);
    crypto_hash_sha512_update(&state, public_key, 32);
    if (hash_range(message, 0, length, sha512_update, &state) != 0) {
        return -1;
    }
    crypto_hash_sha512_final(&state, hram);
    crypto_eddsa_reduce(k, hram);
    return crypto_eddsa_check_equation(signature, public_key, k) == 0 ? 0 : -1;
}
