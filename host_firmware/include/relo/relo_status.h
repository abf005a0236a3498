/* SPDX-License-Identifier: Apache-2.0 */
/* The core reports every outcome as one of the RELO_STATUS_* codes of relo_format.h, so a
 * failure deep inside (a bad relocation, a flash error) reaches the host unchanged. */
#ifndef RELO_STATUS_H
#define RELO_STATUS_H

#include <stdint.h>

#include "relo/relo_format.h"

typedef uint8_t relo_status_t;

#endif /* RELO_STATUS_H */
