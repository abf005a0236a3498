/* SPDX-License-Identifier: Apache-2.0 */
/* Authenticate a parsed package: key id, then signature over the signed region, then each
 * segment's SHA-256 (the digests are inside the signed region). */
#ifndef RELO_VERIFY_H
#define RELO_VERIFY_H

#include <stdint.h>

#include "relo/relo_package.h"
#include "relo/relo_reader.h"
#include "relo/relo_status.h"

typedef struct {
    const uint8_t *public_key; /* 32 bytes */
    const uint8_t *key_id;     /* RELO_KEY_ID_LENGTH bytes */
} relo_trusted_key_t;

/* UNKNOWN_KEY when the package names another key. */
relo_status_t relo_verify_key(const relo_package_t *package, const relo_trusted_key_t *key);
/* Key id, then the signature over bytes [0, signed_size) of `bytes`: OK, UNKNOWN_KEY,
 * BAD_SIGNATURE or FLASH_ERROR (unreadable). */
relo_status_t relo_verify_signature(const relo_package_t *package, const relo_reader_t *bytes,
                                    const relo_trusted_key_t *key);
/* Every segment digest: OK, DIGEST_MISMATCH (*bad_segment = its index) or FLASH_ERROR. */
relo_status_t relo_verify_segments(const relo_package_t *package, const relo_reader_t *bytes,
                                   uint32_t *bad_segment);
/* All of the above, as done before a package is activated or booted. */
/* Every byte outside the head and the segments is zero. MALFORMED_PACKAGE with *bad_offset
 * = the first non-zero byte; FLASH_ERROR if a read fails. */
relo_status_t relo_verify_padding(const relo_package_t *package, const relo_reader_t *bytes, uint32_t *bad_offset);

relo_status_t relo_verify_package(const relo_package_t *package, const relo_reader_t *bytes,
                                  const relo_trusted_key_t *key, uint32_t *detail);

#endif /* RELO_VERIFY_H */
