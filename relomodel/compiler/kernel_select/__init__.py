"""Which kernel runs a layer: the portable C one, or a DSP-extension one when the target has it
(Cortex-M4/M7), with the weight layout that kernel reads, made here at pack time.

The op modules lower every operator for the portable kernel first (all validation and
quantization arithmetic lives there); the functions here then swap in a DSP kernel where it
applies and is provably exact, replacing the weight arrays, the requantization constants and
the call. Weights keep their `.rodata.relo_weights.*` section. docs/kernels.md tells which
kernel is chosen when; layout contracts are documented in the C files.

- convolution.py: CONV_2D and DEPTHWISE_CONV_2D
- fully_connected.py: FULLY_CONNECTED
- recurrent.py: UNIDIRECTIONAL_SEQUENCE_LSTM and SVDF
- requant.py: when the fast requantizations are exact (bounds proven here)
- layouts.py: the weight layouts and folded constants
- common.py: kernel file names, notes keys, C-declaration helpers
"""

from relomodel.compiler.kernel_select.common import (
    KERNEL_NOTE, ONE_CHANNEL_KERNEL, PORTABLE_NOTE, column_length, scratch_key,
)
from relomodel.compiler.kernel_select.convolution import conv_2d, depthwise_conv_2d
from relomodel.compiler.kernel_select.fully_connected import fully_connected
from relomodel.compiler.kernel_select.layouts import (
    conv_filter_layout, depthwise_filter_layout, fc_row_constants, four_rows_layout, image_scratch_bytes,
    one_channel_filter_layout, one_channel_offset_terms, one_channel_scratch_bytes, svdf_unit_constants,
)
from relomodel.compiler.kernel_select.recurrent import lstm, svdf
from relomodel.compiler.kernel_select.requant import RESCALE_BOUND, fast_requant, rescale_record

__all__ = [
    "KERNEL_NOTE", "ONE_CHANNEL_KERNEL", "PORTABLE_NOTE", "RESCALE_BOUND", "column_length", "conv_2d",
    "conv_filter_layout", "depthwise_conv_2d", "depthwise_filter_layout", "fast_requant", "fc_row_constants",
    "four_rows_layout", "fully_connected", "image_scratch_bytes", "lstm", "one_channel_filter_layout",
    "one_channel_offset_terms", "one_channel_scratch_bytes", "rescale_record", "scratch_key", "svdf",
    "svdf_unit_constants",
]
