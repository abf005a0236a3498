# Board data: QEMU mps2-an500 (Cortex-M7, FPv5 double precision). Included by host_firmware/Makefile.
BOARD_PORT_DIR := port/qemu_mps2
BOARD_CPU_FLAGS := -mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16
BOARD_DEFINES := -DRELO_QEMU_BOARD_NAME='"qemu-m7"' -DRELO_QEMU_CPU=RELO_CPU_CORTEX_M7 \
                 -DRELO_QEMU_FPU=RELO_FPU_FPV5_D16 -DRELO_QEMU_PSRAM_BASE=0x60000000u
BOARD_LINKER_SCRIPT := $(BOARD_PORT_DIR)/firmware.ld
BOARD_LOAD_ADDRESS := 0x00010000
BOARD_SRCS := $(addprefix $(BOARD_PORT_DIR)/,startup.c fault.c image_info.c uart_cmsdk.c flash_psram.c flash_layout.c board.c call_model.S)
