"""The .rmod package format and UART protocol: spec (numbers), package (bytes), gen_c (C header)."""
