"""Model formats other than .tflite, converted to int8 .tflite before the compiler sees them.

Each front end imports its framework lazily: packing a .tflite never loads TensorFlow.
"""
