# relomodel: top-level entry points. `make demo` and `make test` work on a fresh Debian machine.
#
#   make setup     install what is missing: ARM toolchain + QEMU (apt), .venv with the package
#   make demo      build firmware, boot the emulated board, pack + push + run a model, compare
#   make test      the whole test suite (what .ci/run calls)
#   make firmware  build bootloader + resident firmware for BOARD (default qemu-m4)

BOARD ?= qemu-m4
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm clang libclang-rt-14-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup tools venv demo test firmware clean

setup: tools venv

# Debian packages, installed only when a tool is missing.
tools:
	@missing=""; \
	command -v arm-none-eabi-gcc >/dev/null || missing="$$missing gcc-arm-none-eabi"; \
	[ -f /usr/lib/arm-none-eabi/newlib/libc.a ] || [ -d /usr/lib/arm-none-eabi/newlib ] || missing="$$missing libnewlib-arm-none-eabi"; \
	command -v qemu-system-arm >/dev/null || missing="$$missing qemu-system-arm"; \
	command -v clang >/dev/null || missing="$$missing clang"; \
	ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || missing="$$missing libclang-rt-14-dev"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

# The optional `tensorflow` extra (Keras/SavedModel inputs of `pack`): `make test` exercises it,
# `make demo` does not need it.
$(VENV)/.installed-tensorflow: $(VENV)/.installed
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test,tensorflow]'
	touch $@

firmware: setup
	$(MAKE) -C bootloader BOARD=$(BOARD) PYTHON=$(abspath $(PY))
	$(MAKE) -C host_firmware BOARD=$(BOARD) PYTHON=$(abspath $(PY))

demo: firmware
	$(PY) -m relomodel.demo --board $(BOARD)

test: firmware $(VENV)/.installed-tensorflow
	$(PY) -m pytest -q -p no:cacheprovider tests

clean:
	rm -rf host_firmware/build bootloader/build build out
