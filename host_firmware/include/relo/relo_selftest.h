/* SPDX-License-Identifier: Apache-2.0 */
/* The self-test of a newly installed model: run the package's own golden test vectors
 * (TEST_VECTORS segment, produced by `relomodel pack` from the reference interpreter) and
 * compare every output byte. The installer confirms a model only when this passes. */
#ifndef RELO_SELFTEST_H
#define RELO_SELFTEST_H

#include <stdint.h>

#include "relo/relo_loader.h"
#include "relo/relo_status.h"

/* Runs every vector on the loaded `model`, whose package is stored at model->slot_offset and
 * already verified. A stateful model's state is reset before the first vector and after
 * the last. *vectors_run = how many vectors ran (0 when the package has none: OK).
 * SELF_TEST_FAILED (detail = index of the first vector whose outputs differ),
 * MODEL_FAILED (detail = the model's return value), MALFORMED_PACKAGE (the segment's size
 * disagrees with its count and the tensors), FLASH_ERROR, NO_MODEL. */
relo_status_t relo_selftest_run(relo_model_t *model, uint32_t *vectors_run, uint32_t *detail);

#endif /* RELO_SELFTEST_H */
