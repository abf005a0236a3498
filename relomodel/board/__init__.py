"""The emulated board: building the firmware and launching QEMU."""
