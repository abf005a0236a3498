#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Fetch the pinned third-party crypto sources (see requirements.txt) and extract only the
# files the firmware compiles into OUTDIR:
#   OUTDIR/monocypher/{monocypher.c,monocypher.h}
#   OUTDIR/sodium/{hash_sha512_cp.c,hash_sha256_cp.c} and the headers they include.
# Idempotent: does nothing when OUTDIR/.complete exists. Needs PyPI (pip download).
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
OUTDIR=$1
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON=${RELO_PYTHON:-python3}

if [ -f "$OUTDIR/.complete" ]; then
    exit 0
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM

# --require-hashes makes pip refuse any archive whose SHA-256 differs from requirements.txt.
if ! "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: --require-hashes \
        -r "$HERE/requirements.txt" -d "$WORK/dl" >"$WORK/pip.log" 2>&1; then
    cat "$WORK/pip.log" >&2
    echo "error: could not download the pinned crypto sources from PyPI (offline? wrong hash?)" >&2
    echo "hint: run $0 $OUTDIR once with network access; the result is reused afterwards" >&2
    exit 1
fi

MONO=pymonocypher-4.0.3.4
NACL=pynacl-1.6.2
SODIUM=$NACL/src/libsodium/src/libsodium
tar -xzf "$WORK/dl/$MONO.tar.gz" -C "$WORK" "$MONO/monocypher.c" "$MONO/monocypher.h"
tar -xzf "$WORK/dl/$NACL.tar.gz" -C "$WORK" \
    "$SODIUM/crypto_hash/sha512/cp/hash_sha512_cp.c" \
    "$SODIUM/crypto_hash/sha256/cp/hash_sha256_cp.c" \
    "$SODIUM/include/sodium/crypto_hash_sha512.h" \
    "$SODIUM/include/sodium/crypto_hash_sha256.h" \
    "$SODIUM/include/sodium/export.h" \
    "$SODIUM/include/sodium/utils.h" \
    "$SODIUM/include/sodium/private/common.h"

mkdir -p "$OUTDIR/monocypher" "$OUTDIR/sodium/private"
cp "$WORK/$MONO/monocypher.c" "$WORK/$MONO/monocypher.h" "$OUTDIR/monocypher/"
cp "$WORK/$SODIUM/crypto_hash/sha512/cp/hash_sha512_cp.c" \
   "$WORK/$SODIUM/crypto_hash/sha256/cp/hash_sha256_cp.c" \
   "$WORK/$SODIUM/include/sodium/crypto_hash_sha512.h" \
   "$WORK/$SODIUM/include/sodium/crypto_hash_sha256.h" \
   "$WORK/$SODIUM/include/sodium/export.h" \
   "$WORK/$SODIUM/include/sodium/utils.h" "$OUTDIR/sodium/"
cp "$WORK/$SODIUM/include/sodium/private/common.h" "$OUTDIR/sodium/private/"
touch "$OUTDIR/.complete"
