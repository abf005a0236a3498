/* SPDX-License-Identifier: Apache-2.0 */
/* Package authentication. The key id is checked first so a device can say which key it
 * lacks (UNKNOWN_KEY) rather than just "bad signature". */
#include <string.h>

#include "relo/relo_crypto.h"
#include "relo/relo_verify.h"

relo_status_t relo_verify_key(const relo_package_t *package, const relo_trusted_key_t *key)
{
    if (package == 0 || key == 0 || memcmp(package->key_id, key->key_id, RELO_KEY_ID_LENGTH) != 0) {
        return RELO_STATUS_UNKNOWN_KEY;
    }
    return RELO_STATUS_OK;
}

relo_status_t relo_verify_signature(const relo_package_t *package, const relo_reader_t *bytes,
                                    const relo_trusted_key_t *key)
{
    relo_status_t status = relo_verify_key(package, key);
    if (status != RELO_STATUS_OK) {
        return status;
    }
    if (bytes == 0 || bytes->size < package->signed_size) {
        return RELO_STATUS_FLASH_ERROR;
    }
    if (relo_crypto_ed25519_verify(package->signature, key->public_key, bytes, package->signed_size) != 0) {
        return RELO_STATUS_BAD_SIGNATURE;
    }
    return RELO_STATUS_OK;
}

relo_status_t relo_verify_segments(const relo_package_t *package, const relo_reader_t *bytes, uint32_t *bad_segment)
{
    for (uint32_t i = 0; i < package->segment_count; i++) {
        const relo_segment_t *segment = &package->segments[i];
        uint8_t digest[RELO_SHA256_SIZE];
        if (relo_crypto_sha256(bytes, segment->offset, segment->size, digest) != 0) {
            *bad_segment = i;
            return RELO_STATUS_FLASH_ERROR;
        }
        if (memcmp(digest, segment->sha256, RELO_SHA256_SIZE) != 0) {
            *bad_segment = i;
            return RELO_STATUS_DIGEST_MISMATCH;
        }
    }
    return RELO_STATUS_OK;
}

relo_status_t relo_verify_package(const relo_package_t *package, const relo_reader_t *bytes,
                                  const relo_trusted_key_t *key, uint32_t *detail)
{
    *detail = 0;
    relo_status_t status = relo_verify_signature(package, bytes, key);
    if (status == RELO_STATUS_OK) {
        status = relo_verify_segments(package, bytes, detail);
    }
    return status;
}
