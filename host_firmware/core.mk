# SPDX-License-Identifier: Apache-2.0
# The portable core of the resident firmware, for inclusion by a board Makefile or the
# host tests. The includer sets BUILD_DIR before including; this file defines:
#   RELO_CORE_SRCS        portable core sources, main.c included
#   RELO_CORE_LIB_SRCS    the same without main.c (host tests, tools)
#   RELO_THIRD_PARTY_SRCS fetched crypto sources (Monocypher, libsodium SHA-2)
#   RELO_TRUSTED_KEY_SRC  generated C file with the trusted public key
#   RELO_INCLUDES         -I flags for all of the above
#   RELO_DEFINES          -D flags the third-party sources need
#   RELO_THIRD_PARTY_CFLAGS  warnings relaxed for code we do not own
# The rules here come first in the includer's makefile: set .DEFAULT_GOAL there.
# Also defines the rules producing $(BUILD_DIR)/third_party and $(RELO_TRUSTED_KEY_SRC).
# Ports add their own port_*.c (flash, uart, board, layout) to the link.

RELO_CORE_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
RELO_REPO_DIR := $(RELO_CORE_DIR)/..

ifndef BUILD_DIR
$(error BUILD_DIR must be set before including core.mk)
endif

RELO_PYTHON ?= $(if $(wildcard $(RELO_REPO_DIR)/.venv/bin/python),$(RELO_REPO_DIR)/.venv/bin/python,python3)
RELO_KEY ?= $(RELO_REPO_DIR)/keys/dev_ed25519.pem

RELO_CORE_LIB_SRCS := $(addprefix $(RELO_CORE_DIR)/src/, \
	crc32.c frame.c protocol.c link.c package.c reader.c crypto.c sodium_glue.c verify.c \
	journal.c slots.c catalog.c compat.c loader.c runtime.c selftest.c installer.c commands.c device.c)
RELO_CORE_SRCS := $(RELO_CORE_LIB_SRCS) $(RELO_CORE_DIR)/src/main.c

RELO_THIRD_PARTY_DIR := $(BUILD_DIR)/third_party
RELO_THIRD_PARTY_SRCS := $(RELO_THIRD_PARTY_DIR)/monocypher/monocypher.c \
	$(RELO_THIRD_PARTY_DIR)/sodium/hash_sha512_cp.c \
	$(RELO_THIRD_PARTY_DIR)/sodium/hash_sha256_cp.c
RELO_TRUSTED_KEY_SRC := $(BUILD_DIR)/trusted_key.c

RELO_INCLUDES := -I$(RELO_CORE_DIR)/include -I$(RELO_THIRD_PARTY_DIR)/monocypher -I$(RELO_THIRD_PARTY_DIR)/sodium
# CONFIGURED=1: libsodium's way of saying "built outside its autotools on purpose".
RELO_DEFINES := -DCONFIGURED=1
RELO_THIRD_PARTY_CFLAGS := -Wno-error -Wno-unused-parameter -Wno-sign-compare

$(RELO_THIRD_PARTY_SRCS): $(RELO_THIRD_PARTY_DIR)/.complete
	@test -f $@ || { echo "error: $@ missing after fetch" >&2; exit 1; }

$(RELO_THIRD_PARTY_DIR)/.complete: $(RELO_CORE_DIR)/third_party/fetch.sh $(RELO_CORE_DIR)/third_party/requirements.txt
	rm -rf $(RELO_THIRD_PARTY_DIR)
	RELO_PYTHON=$(RELO_PYTHON) sh $(RELO_CORE_DIR)/third_party/fetch.sh $(RELO_THIRD_PARTY_DIR)

$(RELO_TRUSTED_KEY_SRC): $(RELO_KEY)
	@mkdir -p $(dir $@)
	$(RELO_PYTHON) -m relomodel getpub -k $(RELO_KEY) --lang c -o $@
