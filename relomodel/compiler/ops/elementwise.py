"""Checks and C glue shared by the int8 elementwise operators (activations and binary ops)."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator, Tensor
from relomodel.compiler.ops.base import LoweredOp, c_array, c_identifier, c_struct, fail, int8_in_out


def unary_int8(graph: Graph, op: Operator) -> tuple[Tensor, Tensor]:
    """The int8 input and output of a one-input activation, with matching shapes."""
    io = int8_in_out(graph, op)
    data, output = io.data, io.output
    if data.element_count != output.element_count:
        raise fail(op, f"input shape {data.shape} and output shape {output.shape} differ in size")
    return data, output


LOOKUP_KERNEL = "relo_lookup_s8.c"
LOOKUP_ENTRIES = 256  # one per int8 value (RELO_LOOKUP_S8_ENTRIES)
# From this many elements a costly function (tabulate=True) runs as table lookups: the table
# costs 256 bytes of RAM and one evaluation of every int8 value at init.
LOOKUP_MIN_ELEMENTS = 64


def lower_unary(op: Operator, data: Tensor, output: Tensor, *, kernel: str, function: str,
                params_type: str, params: dict, tabulate: bool = False) -> LoweredOp:
    """A LoweredOp calling `function(&params, input, output)` from `kernel`; with `tabulate`
    (a costly function of one int8 value) and a big enough tensor, a lookup in a table that
    relo_model_init fills with `function` itself."""
    if tabulate and data.element_count >= LOOKUP_MIN_ELEMENTS:
        return _lower_lookup(op, data, output, kernel=kernel, function=function, params_type=params_type,
                             params=params)
    name = c_identifier(op, "params")
    declarations = [c_struct(params_type, name, {"size": data.element_count, **params})]

    def emit_call(arena) -> str:
        return f"{function}(&{name}, (const int8_t *){arena(data.index)}, (int8_t *){arena(output.index)})"

    return LoweredOp(op=op, kernel_files=(kernel,), declarations=declarations, emit_call=emit_call,
                     output_shape=output.shape)


def _lower_lookup(op: Operator, data: Tensor, output: Tensor, *, kernel: str, function: str,
                  params_type: str, params: dict) -> LoweredOp:
    table, table_params = c_identifier(op, "table"), c_identifier(op, "table_params")
    declarations = [f"static int8_t {table}[{LOOKUP_ENTRIES}]; /* filled by relo_model_init */",
                    c_struct(params_type, table_params, {"size": LOOKUP_ENTRIES, **params})]

    def emit_call(arena) -> str:
        return (f"relo_lookup_s8({table}, (const int8_t *){arena(data.index)}, (int8_t *){arena(output.index)}, "
                f"{data.element_count})")

    return LoweredOp(op=op, kernel_files=(kernel, LOOKUP_KERNEL), declarations=declarations, emit_call=emit_call,
                     output_shape=output.shape,
                     init_calls=(f"relo_lookup_s8_domain({table})", f"{function}(&{table_params}, {table}, {table})"),
                     notes={"kernel": "relo_lookup_s8"})


def operand_reference(op: Operator, tensor: Tensor, role: str, ctype: str, declarations: list[str]):
    """How the C call reaches an operand: a constant array (declared here) or the arena."""
    if tensor.is_constant:
        name = c_identifier(op, role)
        declarations.append(c_array(ctype, name, tensor.data))
        return lambda arena: name
    return lambda arena: f"(const {ctype} *){arena(tensor.index)}"
