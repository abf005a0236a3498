"""Generate real .tflite models from our own descriptions (for tests, demos and benchmarks)."""
