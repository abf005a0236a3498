"""TFLite -> graph IR -> memory plan -> C code for one model.

Entry point: `compile_model()` in compiler.driver (re-exported here once it exists).
The result type, CompiledModel, is in compiler.model: it is the contract with build/.
"""
