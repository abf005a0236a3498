"""TFLite -> graph IR -> memory plan -> C code for one model.

Entry point: `compile_model()` (compiler.driver). The result type, CompiledModel, is in
compiler.model: it is the contract with build/.
"""

from relomodel.compiler.driver import compile_model

__all__ = ["compile_model"]
