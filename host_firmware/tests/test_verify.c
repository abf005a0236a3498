/* SPDX-License-Identifier: Apache-2.0 */
/* Ed25519 against RFC 8032 section 7.1 tests 1-3, SHA-256 against FIPS 180 "abc", and
 * package verification of packages signed by Python `cryptography` (relomodel.keys). */
#include <stdlib.h>
#include <string.h>

#include "flash_sim.h"
#include "relo/relo_crypto.h"
#include "relo/relo_package.h"
#include "relo/relo_verify.h"
#include "relo_test.h"
#include "test_support.h"

static void from_hex(const char *hex, uint8_t *out)
{
    for (size_t i = 0; hex[2 * i] != 0; i++) {
        char byte[3] = {hex[2 * i], hex[2 * i + 1], 0};
        out[i] = (uint8_t)strtoul(byte, NULL, 16);
    }
}

typedef struct {
    const char *public_key;
    const char *message;
    const char *signature;
} rfc8032_vector_t;

static const rfc8032_vector_t vectors[] = {
    {"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

static void test_rfc8032_vectors(void)
{
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        uint8_t public_key[32], signature[64], message[8];
        from_hex(vectors[i].public_key, public_key);
        from_hex(vectors[i].signature, signature);
        from_hex(vectors[i].message, message);
        uint32_t length = (uint32_t)strlen(vectors[i].message) / 2u;
        relo_reader_t reader = relo_reader_from_buffer(message, length);
        CHECK_EQ(relo_crypto_ed25519_verify(signature, public_key, &reader, length), 0);
        signature[10] ^= 0x04; /* R damaged */
        CHECK_EQ(relo_crypto_ed25519_verify(signature, public_key, &reader, length), -1);
        signature[10] ^= 0x04;
        signature[40] ^= 0x01; /* S damaged */
        CHECK_EQ(relo_crypto_ed25519_verify(signature, public_key, &reader, length), -1);
        signature[40] ^= 0x01;
        if (length > 0) {
            message[0] ^= 0x80;
            CHECK_EQ(relo_crypto_ed25519_verify(signature, public_key, &reader, length), -1);
        }
    }
}

static void test_sha256_abc(void)
{
    uint8_t expected[32], digest[32];
    from_hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", expected);
    relo_reader_t reader = relo_reader_from_buffer((const uint8_t *)"abc", 3);
    CHECK_EQ(relo_crypto_sha256(&reader, 0, 3, digest), 0);
    CHECK(memcmp(digest, expected, 32) == 0);
    CHECK_EQ(relo_crypto_sha256(&reader, 1, 3, digest), -1); /* past the view */
}

static void test_package_signed_by_python_verifies(void)
{
    uint32_t size;
    const uint8_t *raw = relo_test_fixture("good.rmod", &size);
    relo_package_t package;
    CHECK_EQ(relo_package_parse(raw, size, &package), RELO_STATUS_OK);
    relo_trusted_key_t key = support_trusted_key();
    relo_reader_t bytes = relo_reader_from_buffer(raw, size);
    uint32_t detail = 99;
    CHECK_EQ(relo_verify_package(&package, &bytes, &key, &detail), RELO_STATUS_OK);
    /* the same from flash, streamed in chunks */
    relo_flash_sim_reset(0xFF);
    CHECK_EQ(support_store(SUPPORT_SLOT1, raw, size), 0);
    relo_reader_t flash = relo_reader_from_flash(SUPPORT_SLOT1, size);
    CHECK_EQ(relo_verify_package(&package, &flash, &key, &detail), RELO_STATUS_OK);
    /* large.rmod: digests over several sectors */
    raw = relo_test_fixture("large.rmod", &size);
    CHECK_EQ(relo_package_parse(raw, size, &package), RELO_STATUS_OK);
    CHECK_EQ(support_store(SUPPORT_SLOT1, raw, size), 0);
    flash = relo_reader_from_flash(SUPPORT_SLOT1, size);
    CHECK_EQ(relo_verify_package(&package, &flash, &key, &detail), RELO_STATUS_OK);
}

static void test_unknown_key_before_signature(void)
{
    uint32_t size;
    const uint8_t *raw = relo_test_fixture("otherkey.rmod", &size);
    relo_package_t package;
    CHECK_EQ(relo_package_parse(raw, size, &package), RELO_STATUS_OK);
    relo_trusted_key_t key = support_trusted_key();
    relo_reader_t bytes = relo_reader_from_buffer(raw, size);
    CHECK_EQ(relo_verify_signature(&package, &bytes, &key), RELO_STATUS_UNKNOWN_KEY);
}

static void test_tampering_detected(void)
{
    uint32_t size;
    const uint8_t *raw = relo_test_fixture("good.rmod", &size);
    uint8_t *copy = malloc(size);
    relo_package_t package;
    relo_trusted_key_t key = support_trusted_key();
    uint32_t detail = 0;
    relo_reader_t bytes = relo_reader_from_buffer(copy, size);
    /* a manifest byte (inside the signed region): bad signature */
    memcpy(copy, raw, size);
    copy[RELO_PACKAGE_HEADER_SIZE + RELO_MANIFEST_MACS_OFF] ^= 1;
    CHECK_EQ(relo_package_parse(copy, size, &package), RELO_STATUS_OK);
    CHECK_EQ(relo_verify_package(&package, &bytes, &key, &detail), RELO_STATUS_BAD_SIGNATURE);
    /* the signature itself */
    memcpy(copy, raw, size);
    CHECK_EQ(relo_package_parse(copy, size, &package), RELO_STATUS_OK);
    copy[package.signed_size + RELO_SIGNATURE_BLOCK_SIGNATURE_OFF + 3] ^= 1;
    CHECK_EQ(relo_package_parse(copy, size, &package), RELO_STATUS_OK);
    CHECK_EQ(relo_verify_package(&package, &bytes, &key, &detail), RELO_STATUS_BAD_SIGNATURE);
    /* one byte of each segment: digest mismatch naming that segment */
    for (uint32_t s = 0; s < 3; s++) {
        memcpy(copy, raw, size);
        CHECK_EQ(relo_package_parse(copy, size, &package), RELO_STATUS_OK);
        copy[package.segments[s].offset + package.segments[s].size - 1] ^= 0x10;
        CHECK_EQ(relo_verify_package(&package, &bytes, &key, &detail), RELO_STATUS_DIGEST_MISMATCH);
        CHECK_EQ(detail, s);
    }
    free(copy);
}

RELO_TEST_SUITE(suite_verify, {"verify_rfc8032_vectors", test_rfc8032_vectors}, {"verify_sha256_abc", test_sha256_abc},
                {"verify_package_signed_by_python", test_package_signed_by_python_verifies},
                {"verify_unknown_key_before_signature", test_unknown_key_before_signature},
                {"verify_tampering_detected", test_tampering_detected});
