/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CONCATENATION, int8, along any axis: for each of the `outer` rows (the dimensions before
 * the axis), each input's block is copied after the previous one. TFLite Micro requires every
 * input to share the output's quantization; an input that does not is requantized here with
 * the arithmetic of TFLite Micro's QUANTIZE int8 -> int8, as if a QUANTIZE preceded it.
 */
#include "relo_nn_functions.h"
#include "relo_nn_math.h"

static void relo_concatenation_copy(const relo_concat_input_t *in, const int8_t *source,
                                    int8_t *destination)
{
    for (int32_t i = 0; i < in->block; ++i) {
        destination[i] = source[i];
    }
}

static void relo_concatenation_requantize(const relo_concat_input_t *in, const int8_t *source,
                                          int8_t *destination)
{
    for (int32_t i = 0; i < in->block; ++i) {
        const int32_t centred = (int32_t)source[i] + in->input_offset;
        const int32_t value = relo_nn_requantize(centred, in->multiplier, in->shift) + in->output_offset;
        destination[i] = (int8_t)relo_nn_clamp_s32(value, -128, 127);
    }
}

static int32_t relo_concatenation_check(const relo_concat_params_t *params,
                                        const relo_concat_input_t *inputs,
                                        const int8_t *const *input_data)
{
    int32_t total = 0;
    for (int32_t k = 0; k < params->input_count; ++k) {
        if (input_data[k] == 0) {
            return RELO_NN_ERR_NULL_ARG;
        }
        if (inputs[k].block < 0) {
            return RELO_NN_ERR_BAD_SIZE;
        }
        if (inputs[k].requantize && (inputs[k].shift > 22 || inputs[k].shift < -31)) {
            return RELO_NN_ERR_BAD_PARAM;
        }
        total += inputs[k].block;
    }
    return total == params->output_block ? RELO_NN_OK : RELO_NN_ERR_BAD_SIZE;
}

int32_t relo_concatenation_s8(const relo_concat_params_t *params, const relo_concat_input_t *inputs,
                              const int8_t *const *input_data, int8_t *output)
{
    if (params == 0 || inputs == 0 || input_data == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (params->outer <= 0 || params->input_count <= 0 || params->output_block <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    const int32_t status = relo_concatenation_check(params, inputs, input_data);
    if (status != RELO_NN_OK) {
        return status;
    }
    for (int32_t row = 0; row < params->outer; ++row) {
        int8_t *destination = output + row * params->output_block;
        for (int32_t k = 0; k < params->input_count; ++k) {
            const relo_concat_input_t *in = &inputs[k];
            const int8_t *source = input_data[k] + row * in->block;
            if (in->requantize) {
                relo_concatenation_requantize(in, source, destination);
            } else {
                relo_concatenation_copy(in, source, destination);
            }
            destination += in->block;
        }
    }
    return RELO_NN_OK;
}
