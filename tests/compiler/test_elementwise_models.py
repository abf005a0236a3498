"""Whole models with the elementwise and shape operators: the shared simple_add model, the
dynamic-batch pattern folded at pack time, and the clear refusals."""

import shutil
import subprocess

import numpy as np
import pytest

from relomodel.build.toolchain import LINK_FLAGS, PIC_FLAGS
from relomodel.compiler import compile_model
from relomodel.compiler.passes import run_passes
from relomodel.compiler.tflite_reader import read_tflite
from relomodel.errors import ModelError, UnsupportedOpError
from relomodel.kernels import KERNEL_DIR
from relomodel.modelgen import elementwise as models
from relomodel.modelgen.tflite_writer import ModelSpec
from relomodel.reference import run_reference_sequence

from .conftest import TARGET, host_model, shared_model_bytes


def _assert_sequence_matches(data, inputs):
    model = host_model(data)
    expected = run_reference_sequence(data, inputs)  # stateless models: one interpreter is fine
    for i, (x, want) in enumerate(zip(inputs, expected)):
        got = model.run(x)
        assert np.array_equal(got[0], want[0]), f"sample {i}: {np.count_nonzero(got[0] != want[0])} differ"


def test_simple_add_model_bit_exact():
    data = shared_model_bytes("simple_add_model.tflite")
    rng = np.random.default_rng(42)
    inputs = [[rng.integers(-128, 128, (1, 128, 128, 1)).astype(np.int8) for _ in range(2)]
              for _ in range(40)]
    # extremes: every pairing of the saturating corners
    for a in (-128, 127):
        for b in (-128, 127):
            inputs.append([np.full((1, 128, 128, 1), a, np.int8), np.full((1, 128, 128, 1), b, np.int8)])
    _assert_sequence_matches(data, inputs)


def test_dynamic_batch_pattern_is_folded():
    graph = run_passes(read_tflite(models.dynamic_batch_model()))
    assert [op.name for op in graph.operators] == ["RESHAPE", "MUL", "LOGISTIC"]
    reshape = graph.operators[0]
    assert graph.tensor(reshape.inputs[1]).data.tolist() == [1, 24]


def test_dynamic_batch_model_runs_bit_exact():
    data = models.dynamic_batch_model((3, 5), seed=4)
    rng = np.random.default_rng(5)
    _assert_sequence_matches(data, [[rng.integers(-128, 128, (1, 3, 5)).astype(np.int8)] for _ in range(30)])


def test_unfoldable_shape_ops_are_refused_with_their_index():
    model = ModelSpec()
    x = model.add_tensor("x", "int32", (2,))
    y = model.add_tensor("y", "int32", (2,))
    packed = model.add_tensor("packed", "int32", (2, 2))
    model.add_op("PACK", [x, y], [packed], values_count=2, axis=0)  # run-time values: not foldable
    shape = model.add_tensor("shape", "int32", (2,))
    model.add_op("SHAPE", [packed], [shape])  # static shape: folded
    z = model.add_tensor("z", "int8", (4,), scale=0.1, zero_point=0)
    reshaped = model.add_tensor("reshaped", "int8", (2, 2), scale=0.1, zero_point=0)
    model.add_op("RESHAPE", [z, shape], [reshaped], new_shape=[2, 2])
    model.inputs, model.outputs = [x, y, z], [packed, reshaped]
    with pytest.raises(UnsupportedOpError) as error:
        compile_model(model.to_bytes(), name="t", target=TARGET)
    assert error.value.ops == [(0, "PACK")]
    assert "PACK (operator #0)" in str(error.value) and "supported operators" in error.value.hint


def _single(name, options=None, **quant):
    return models.unary_model(name, (1, 8), input_quant=quant.get("input_quant", (0.05, 3)),
                              output_quant=quant.get("output_quant", (0.05, 3)), **(options or {}))


@pytest.mark.parametrize("data, message", [
    (_single("RELU6", output_quant=(0.1, 3)), "RELU6 ignores the output's quantization"),
    (_single("LOGISTIC", output_quant=(0.1, -128)), "scale 0.00390625 and zero point -128"),
    (_single("TANH", output_quant=(1 / 128, 5)), "scale 0.0078125 and zero point 0"),
    (models.strided_slice_model((4, 4), (4, 4), [0, 0], [4, 4], [1, 1], ellipsis_mask=1), "ellipsis_mask"),
    (models.strided_slice_model((4, 4), (4, 4), [0, 0], [4, 4], [1, 1], new_axis_mask=2), "new_axis_mask"),
    (models.strided_slice_model((4, 4), (2, 4), [0, 0], [4, 4], [1, 1]), "does not match the slice"),
    (models.binary_model("ADD", (2, 3), (4,), (2, 3), quants=((0.1, 0),) * 3), "do not broadcast"),
    (models.transpose_model((2, 3), (0, 0)), "is not a permutation"),
])
def test_bad_models_get_specific_errors(data, message):
    with pytest.raises(ModelError) as error:
        compile_model(data, name="t", target=TARGET)
    assert message in str(error.value)
    assert str(error.value).startswith("operator #")


GCC = "arm-none-eabi-gcc"


@pytest.mark.skipif(shutil.which(GCC) is None, reason=f"{GCC} is not installed")
def test_models_link_position_independent(tmp_path):
    """Generated code with constant operands and CONCATENATION's pointer list links into a blob
    whose only dynamic relocations are R_ARM_RELATIVE (no pointer tables in flash)."""
    model = ModelSpec()
    a = model.add_tensor("a", "int8", (2, 3), scale=0.05, zero_point=1)
    b = model.add_tensor("b", "int8", (2, 2), scale=0.04, zero_point=-2)
    joined = model.add_tensor("joined", "int8", (2, 5), scale=0.05, zero_point=1)
    model.add_op("CONCATENATION", [a, b], [joined], axis=1)
    k = model.add_tensor("k", "int8", (5,), scale=0.02, zero_point=0, data=np.arange(5))
    y = model.add_tensor("y", "int8", (2, 5), scale=0.01, zero_point=0)
    model.add_op("MUL", [joined, k], [y])
    model.inputs, model.outputs = [a, b], [y]
    compiled = compile_model(model.to_bytes(), name="arm", target=TARGET)
    (tmp_path / "model.c").write_text(compiled.c_sources["model.c"])
    objects = []
    for source in [tmp_path / "model.c", *compiled.kernel_files]:
        obj = tmp_path / (source.stem + ".o")
        result = subprocess.run([GCC, *TARGET.cflags, *PIC_FLAGS, "-O2", "-std=c11", "-Wall", "-Wextra",
                                 "-Werror", f"-I{KERNEL_DIR}", "-c", str(source), "-o", str(obj)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        objects.append(obj)
    elf = tmp_path / "model.elf"
    link = subprocess.run([GCC, *TARGET.cflags, *LINK_FLAGS, "-Wl,-e,relo_model_run", *map(str, objects),
                           "-o", str(elf)], capture_output=True, text=True)
    assert link.returncode == 0, link.stderr
    assert _dynamic_relocation_types(elf) == {"R_ARM_RELATIVE"}
    sections = subprocess.run(["arm-none-eabi-readelf", "-S", "-W", str(objects[0])], capture_output=True,
                              text=True, check=True).stdout
    assert ".data.rel.ro" not in sections  # no pointer tables in constant data


def _dynamic_relocation_types(elf) -> set[str]:
    from elftools.elf.descriptions import describe_reloc_type
    from elftools.elf.elffile import ELFFile
    from elftools.elf.relocation import RelocationSection

    with open(elf, "rb") as handle:
        image = ELFFile(handle)
        return {describe_reloc_type(rel["r_info_type"], image)
                for section in image.iter_sections()
                if isinstance(section, RelocationSection) and section.name in (".rel.dyn", ".rela.dyn")
                for rel in section.iter_relocations()}


def test_folding_evaluates_shape_arithmetic_like_tflite():
    """A Flatten-style target: PACK(SHAPE(x)[0], -1), plus int32 arithmetic and concatenation."""
    model = ModelSpec()
    x = model.add_tensor("x", "int8", (1, 2, 3), scale=0.1, zero_point=0)
    shape = model.add_tensor("shape", "int32", (3,))
    model.add_op("SHAPE", [x], [shape])
    tail = model.add_tensor("tail", "int32", (2,))
    arguments = [model.add_tensor(n, "int32", (1,), data=np.array([v])) for n, v in
                 (("b", -2), ("e", 0), ("s", 1))]
    model.add_op("STRIDED_SLICE", [shape, *arguments], [tail], end_mask=1)  # shape[-2:] == [2, 3]
    doubled = model.add_tensor("doubled", "int32", (2,))
    model.add_op("MUL", [tail, model.add_tensor("two", "int32", (), data=np.array(2))], [doubled])
    joined = model.add_tensor("joined", "int32", (4,))
    model.add_op("CONCATENATION", [tail, doubled], [joined], axis=0)
    flat = model.add_tensor("flat", "int8", (1, 6), scale=0.1, zero_point=0)
    model.add_op("RESHAPE", [x, model.add_tensor("flat_shape", "int32", (2,), data=np.array([1, -1]))], [flat],
                 new_shape=[1, -1])
    y = model.add_tensor("y", "int8", (1, 6), scale=0.2, zero_point=0)
    model.add_op("ADD", [flat, flat], [y])
    z = model.add_tensor("z", "int8", (2, 2), scale=0.1, zero_point=0)
    keep = model.add_tensor("keep", "int8", (4,), scale=0.1, zero_point=0)
    model.add_op("RESHAPE", [z, joined], [keep], new_shape=[4])
    model.inputs, model.outputs = [x, z], [y, keep]
    graph = run_passes(read_tflite(model.to_bytes()))
    assert [op.name for op in graph.operators] == ["RESHAPE", "ADD", "RESHAPE"]
    assert graph.tensor(joined).data.tolist() == [2, 3, 4, 6]


@pytest.mark.parametrize("name, quants", [
    ("ADD", ((0.05, 3), (0.02, -7), (0.07, 1))),
    ("ADD", ((0.625, 0), (0.5, 1), (1.25, 0))),
    ("SUB", ((0.625, 0), (0.5, 1), (1.25, 0))),  # a rounding tie that a negated-ADD SUB gets wrong
    ("SUB", ((0.013, -20), (0.2, 100), (0.3, -5))),
    ("MUL", ((0.05, 3), (0.02, -7), (0.003, 1))),
    ("MUL", ((0.9, -128), (0.9, 127), (0.5, 0))),
])
def test_binary_ops_every_int8_pair(name, quants):
    """All 65536 input pairs at once: (256, 1) op (1, 256) broadcasts to every combination."""
    data = models.binary_model(name, (256, 1), (1, 256), (256, 256), quants=quants)
    column = np.arange(-128, 128, dtype=np.int8).reshape(256, 1)
    _assert_sequence_matches(data, [[column, column.reshape(1, 256)]])


def test_logistic_with_dtln_quantization_every_int8():
    """The LOGISTIC of dtln_noise_suppression.tflite, on its own, over every int8 input."""
    data = models.unary_model("LOGISTIC", (1, 256), input_quant=(0.03877529129385948, -2),
                              output_quant=(1.0 / 256, -128))
    _assert_sequence_matches(data, [[np.arange(-128, 128, dtype=np.int8).reshape(1, 256)]])


@pytest.mark.parametrize("name, output_quant", [("LOGISTIC", (1.0 / 256, -128)), ("TANH", (1.0 / 128, 0)),
                                                ("HARD_SWISH", (0.03, -7))])
@pytest.mark.parametrize("elements", [16, 300])
def test_costly_activations_become_exact_lookup_tables_on_big_tensors(name, output_quant, elements):
    # 300 elements: a 256-entry table relo_model_init fills with the op's own kernel; 16: the
    # kernel itself. Every int8 value goes through each, in both orders.
    data = models.unary_model(name, (1, elements), input_quant=(0.045, 11), output_quant=output_quant)
    source = compile_model(data, name="lut", target=TARGET).c_sources["model.c"]
    assert ("relo_lookup_s8(" in source) == (elements >= 64)
    every = np.arange(-128, 128, dtype=np.int8)
    values = np.resize(np.concatenate([every, every[::-1]]), (4, elements))
    _assert_sequence_matches(data, [[row.reshape(1, elements)] for row in values])
