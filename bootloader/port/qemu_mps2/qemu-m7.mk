# Board data: QEMU mps2-an500 (Cortex-M7). The bootloader uses no floating point, so it is
# built soft-float and never needs the FPU enabled.
BOARD_PORT_DIR := port/qemu_mps2
BOARD_CPU_FLAGS := -mcpu=cortex-m7 -mthumb -mfloat-abi=soft
BOARD_LINKER_SCRIPT := $(BOARD_PORT_DIR)/bootloader.ld
BOARD_SRCS := $(BOARD_PORT_DIR)/boot_main.c
