/* SPDX-License-Identifier: Apache-2.0 */
/* The one public key the firmware trusts, generated at build time by
 * `relomodel getpub --lang c` (never copied by hand). */
#ifndef RELO_TRUSTED_KEY_H
#define RELO_TRUSTED_KEY_H

#include <stdint.h>

#include "relo/relo_format.h"

extern const uint8_t relo_trusted_public_key[32];
extern const uint8_t relo_trusted_key_id[RELO_KEY_ID_LENGTH];

#endif /* RELO_TRUSTED_KEY_H */
