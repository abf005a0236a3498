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

/* Checks [from, to) reads as zeros; sets *bad_offset to the first byte that does not. */
static relo_status_t check_zero_range(const relo_reader_t *bytes, uint32_t from, uint32_t to, uint32_t *bad_offset)
{
    uint8_t chunk[64];
    while (from < to) {
        uint32_t n = to - from < sizeof chunk ? to - from : (uint32_t)sizeof chunk;
        if (relo_reader_read(bytes, from, chunk, n) != 0) {
            *bad_offset = from;
            return RELO_STATUS_FLASH_ERROR;
        }
        for (uint32_t i = 0; i < n; i++) {
            if (chunk[i] != 0) {
                *bad_offset = from + i;
                return RELO_STATUS_MALFORMED_PACKAGE;
            }
        }
        from += n;
    }
    return RELO_STATUS_OK;
}

/* Padding between the head and the segments is neither signed nor digested, so it must be
 * zero: otherwise a package could be altered without any check noticing. */
relo_status_t relo_verify_padding(const relo_package_t *package, const relo_reader_t *bytes, uint32_t *bad_offset)
{
    uint32_t gap_start = package->head_size;
    for (uint32_t i = 0; i < package->segment_count; i++) {
        const relo_segment_t *segment = &package->segments[i];
        relo_status_t status = check_zero_range(bytes, gap_start, segment->offset, bad_offset);
        if (status != RELO_STATUS_OK) {
            return status;
        }
        gap_start = segment->offset + segment->size;
    }
    return check_zero_range(bytes, gap_start, package->package_size, bad_offset);
}

relo_status_t relo_verify_package(const relo_package_t *package, const relo_reader_t *bytes,
                                  const relo_trusted_key_t *key, uint32_t *detail)
{
    *detail = 0;
    relo_status_t status = relo_verify_signature(package, bytes, key);
    if (status == RELO_STATUS_OK) {
        status = relo_verify_segments(package, bytes, detail);
    }
    if (status == RELO_STATUS_OK) {
        status = relo_verify_padding(package, bytes, detail);
    }
    return status;
}
