"""relomodel: signed, position-independent neural-network blobs for Cortex-M, updated over UART."""

__version__ = "0.1.0"
