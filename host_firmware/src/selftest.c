/* SPDX-License-Identifier: Apache-2.0 */
/* Golden test vectors, streamed from flash through a small buffer: no RAM beyond it. */
#include <string.h>

#include "relo/relo_endian.h"
#include "relo/relo_reader.h"
#include "relo/relo_runtime.h"
#include "relo/relo_selftest.h"

#define CHUNK 64u

static uint64_t tensor_bytes(const relo_package_t *package, uint32_t first, uint32_t count)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; i++) {
        total += package->tensors[first + i].size_bytes;
    }
    return total;
}

/* Streams one input's bytes from the vector into the model. */
static relo_status_t load_input(relo_model_t *model, const relo_reader_t *bytes, uint32_t at, uint32_t index)
{
    uint8_t chunk[CHUNK];
    uint32_t size = relo_package_input(&model->package, index)->size_bytes;
    for (uint32_t done = 0; done < size; done += CHUNK) {
        uint32_t length = size - done < CHUNK ? size - done : CHUNK;
        if (relo_reader_read(bytes, at + done, chunk, length) != 0) {
            return RELO_STATUS_FLASH_ERROR;
        }
        relo_status_t status = relo_runtime_tensor_write(model, index, done, chunk, length);
        if (status != RELO_STATUS_OK) {
            return status;
        }
    }
    return RELO_STATUS_OK;
}

/* Compares one output with the expected bytes; *same = 0 at the first difference. */
static relo_status_t compare_output(const relo_model_t *model, const relo_reader_t *bytes, uint32_t at,
                                    uint32_t index, int *same)
{
    uint8_t expected[CHUNK];
    uint8_t actual[CHUNK];
    uint32_t size = relo_package_output(&model->package, index)->size_bytes;
    *same = 1;
    for (uint32_t done = 0; done < size && *same; done += CHUNK) {
        uint32_t length = size - done < CHUNK ? size - done : CHUNK;
        if (relo_reader_read(bytes, at + done, expected, length) != 0) {
            return RELO_STATUS_FLASH_ERROR;
        }
        relo_status_t status = relo_runtime_tensor_read(model, index, done, length, actual);
        if (status != RELO_STATUS_OK) {
            return status;
        }
        *same = memcmp(expected, actual, length) == 0;
    }
    return RELO_STATUS_OK;
}

/* Inputs in, one inference, outputs compared. *same = 0 when any output differs. */
static relo_status_t run_vector(relo_model_t *model, const relo_reader_t *bytes, uint32_t at, int *same,
                                uint32_t *detail)
{
    const relo_package_t *package = &model->package;
    relo_status_t status = RELO_STATUS_OK;
    for (uint32_t i = 0; i < package->input_count && status == RELO_STATUS_OK; i++) {
        status = load_input(model, bytes, at, i);
        at += package->tensors[i].size_bytes;
    }
    int32_t model_status = 0;
    uint64_t count = 0;
    if (status == RELO_STATUS_OK) {
        status = relo_runtime_invoke(model, &model_status, &count, detail);
    }
    *same = 1;
    for (uint32_t i = 0; i < package->output_count && status == RELO_STATUS_OK && *same; i++) {
        status = compare_output(model, bytes, at, i, same);
        at += relo_package_output(package, i)->size_bytes;
    }
    return status;
}

/* Reads the vector count and checks the segment holds exactly that many vectors. */
static relo_status_t vector_count(const relo_package_t *package, const relo_reader_t *bytes, uint32_t *count,
                                  uint32_t *stride)
{
    const relo_segment_t *segment = &package->segments[package->tests_index];
    uint8_t header[RELO_TEST_VECTORS_HEADER_SIZE];
    if (relo_reader_read(bytes, segment->offset, header, sizeof header) != 0) {
        return RELO_STATUS_FLASH_ERROR;
    }
    *count = relo_load32_le(header + RELO_TEST_VECTORS_HEADER_COUNT_OFF);
    uint64_t vector = tensor_bytes(package, 0, package->input_count) +
                      tensor_bytes(package, package->input_count, package->output_count);
    uint64_t body = (uint64_t)segment->size - RELO_TEST_VECTORS_HEADER_SIZE;
    if (*count == 0 || vector == 0 || vector > UINT32_MAX || body != (uint64_t)*count * vector) {
        return RELO_STATUS_MALFORMED_PACKAGE;
    }
    *stride = (uint32_t)vector;
    return RELO_STATUS_OK;
}

relo_status_t relo_selftest_run(relo_model_t *model, uint32_t *vectors_run, uint32_t *detail)
{
    *vectors_run = 0;
    *detail = 0;
    if (model == 0 || !model->loaded) {
        return RELO_STATUS_NO_MODEL;
    }
    const relo_package_t *package = &model->package;
    if (package->tests_index == RELO_NO_SEGMENT) {
        return RELO_STATUS_OK;
    }
    relo_reader_t bytes = relo_reader_from_flash(model->slot_offset, package->package_size);
    uint32_t count = 0;
    uint32_t stride = 0;
    relo_status_t status = vector_count(package, &bytes, &count, &stride);
    if (status == RELO_STATUS_OK) {
        status = relo_runtime_reset_state(model, detail);
    }
    uint32_t at = package->segments[package->tests_index].offset + RELO_TEST_VECTORS_HEADER_SIZE;
    for (uint32_t v = 0; v < count && status == RELO_STATUS_OK; v++, at += stride) {
        int same = 0;
        status = run_vector(model, &bytes, at, &same, detail);
        *vectors_run = v + 1u;
        if (status == RELO_STATUS_OK && !same) {
            *detail = v;
            status = RELO_STATUS_SELF_TEST_FAILED;
        }
    }
    uint32_t reset_detail = 0;
    relo_status_t reset = relo_runtime_reset_state(model, &reset_detail); /* leave no trace in the state */
    if (status == RELO_STATUS_OK && reset != RELO_STATUS_OK) {
        *detail = reset_detail;
        status = reset;
    }
    return status;
}
