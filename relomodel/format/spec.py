"""THE source of truth for the .rmod package format and the UART protocol.

Python (packer, transport, CLI messages) imports this module; the firmware includes
`host_firmware/include/relo/relo_format.h`, generated from it by `gen_c.py`
(`python -m relomodel.format.gen_c`). A test fails when the committed header is stale.
docs/package-format.md and docs/protocol.md explain the design; numbers live only here.

All multi-byte values are little-endian.
"""

from relomodel.format.layout import Code, Enum, Field, Layout

# ---------------------------------------------------------------------------
# Package (.rmod)
#
#   [PackageHeader][Manifest][TensorDesc x n][SegmentEntry x m]  <- signed region
#   [SignatureBlock]
#   [segment bytes ...]      each segment starts on a SEGMENT_ALIGN boundary
#
# The signature covers bytes [0, signed_size). The manifest carries the SHA-256 of every
# segment, so verifying the signature and then each segment digest authenticates all.
# ---------------------------------------------------------------------------

PACKAGE_MAGIC = 0x444F4D52  # bytes "RMOD"
FORMAT_VERSION = 1
SEGMENT_ALIGN = 64  # code is executed in place: keep it cache-line aligned
MAX_TENSORS = 16  # inputs + outputs
NAME_LENGTH = 32
KEY_ID_LENGTH = 8  # first bytes of SHA-256(public key)

PACKAGE_HEADER = Layout(
    "package_header",
    "Fixed header at offset 0 of every package.",
    [
        Field("magic", "u32", doc="PACKAGE_MAGIC"),
        Field("format_version", "u16", doc="FORMAT_VERSION"),
        Field("header_size", "u16", doc="size of this header"),
        Field("package_size", "u32", doc="total bytes of the package"),
        Field("signed_size", "u32", doc="bytes [0, signed_size) are covered by the signature"),
        Field("manifest_offset", "u32"),
        Field("manifest_size", "u32", doc="manifest plus its tensor descriptors"),
        Field("segtab_offset", "u32"),
        Field("segment_count", "u16"),
        Field("segment_entry_size", "u16"),
        Field("signature_offset", "u32", doc="== signed_size"),
        Field("signature_size", "u16"),
        Field("signature_alg", "u16", doc="SIG_ALG"),
        Field("flags", "u32", doc="PACKAGE_FLAG bits"),
    ],
    size=64,
)

PACKAGE_FLAG_SPLIT_WEIGHTS = 1 << 0  # weights live in their own segment
PACKAGE_FLAG_TEST_VECTORS = 1 << 1  # a TEST_VECTORS segment ends the package

MANIFEST = Layout(
    "manifest",
    "What the model is, what it needs and how to call it. Tensor descriptors follow it.",
    [
        Field("name", "bytes", NAME_LENGTH, "model name, NUL padded"),
        Field("version", "u32", doc="major << 24 | minor << 16 | patch"),
        Field("security_counter", "u32", doc="monotonic anti-rollback counter"),
        Field("target_cpu", "u16", doc="CPU"),
        Field("target_fpu", "u16", doc="FPU"),
        Field("target_abi", "u16", doc="FLOAT_ABI"),
        Field("tensor_desc_size", "u16"),
        Field("input_count", "u16"),
        Field("output_count", "u16"),
        Field("entry_init", "u32", doc="offset of relo_model_init in the code segment, Thumb bit set"),
        Field("entry_run", "u32", doc="offset of relo_model_run in the code segment, Thumb bit set"),
        Field("entry_reset", "u32", doc="offset of relo_model_reset_state, or 0"),
        Field("got_offset", "u32", doc="offset of the GOT origin (the r9 value) in the RAM image"),
        Field("ram_data_size", "u32", doc="initialised RAM image size (the DATA segment)"),
        Field("ram_bss_size", "u32", doc="zero-filled RAM after the data image"),
        Field("arena_size", "u32", doc="activation arena the firmware must provide"),
        Field("arena_align", "u32"),
        Field("stack_size", "u32", doc="worst-case stack use of relo_model_run, 0 if unknown"),
        Field("packer_version", "u32", doc="relomodel version that built it, same encoding as version"),
        Field("flags", "u32", doc="MODEL_FLAG bits"),
        Field("macs", "u64", doc="multiply-accumulates per inference"),
        Field("source_sha256", "bytes", 32, "SHA-256 of the source model file"),
    ],
    size=160,
)

MODEL_FLAG_STATEFUL = 1 << 0  # keeps state between inferences (LSTM, SVDF)
MODEL_FLAG_LITERT_ROUNDING = 1 << 1  # FULLY_CONNECTED rounds once (LiteRT), not twice (TFLM)
MODEL_FLAG_ALLOW_DOWNGRADE = 1 << 2  # may replace a model with a higher version (`pack --allow-downgrade`)

MAX_RANK = 6
TENSOR_DESC = Layout(
    "tensor_desc",
    "One model input or output: shape, type, quantization and where it lives in the arena.",
    [
        Field("name", "bytes", NAME_LENGTH),
        Field("dtype", "u8", doc="DTYPE"),
        Field("rank", "u8"),
        Field("flags", "u16"),
        Field("dims", "bytes", 4 * MAX_RANK, "u32 x MAX_RANK, unused dims are 0"),
        Field("arena_offset", "u32"),
        Field("size_bytes", "u32"),
        Field("scale", "f32", doc="0.0 when not quantized"),
        Field("zero_point", "i32"),
    ],
    size=80,
)

SEGMENT_ENTRY = Layout(
    "segment_entry",
    "Where one segment lies in the package and its SHA-256.",
    [
        Field("kind", "u16", doc="SEGMENT"),
        Field("flags", "u16"),
        Field("offset", "u32", doc="from the start of the package, SEGMENT_ALIGN aligned"),
        Field("size", "u32"),
        Field("reserved", "u32"),
        Field("sha256", "bytes", 32),
    ],
    size=48,
)

SIGNATURE_BLOCK = Layout(
    "signature_block",
    "Follows the signed region. key_id names the key so a device can say which one it lacks.",
    [
        Field("key_id", "bytes", KEY_ID_LENGTH),
        Field("signature", "bytes", 64, "Ed25519 (RFC 8032) over bytes [0, signed_size)"),
    ],
    size=72,
)

SEGMENT = Enum(
    "segment",
    "Segment kinds. CODE is executed in place from flash; DATA is copied to RAM.",
    [
        Code("CODE", 1, "code"),
        Code("WEIGHTS", 2, "weights"),
        Code("DATA", 3, "initialised data"),
        Code("RELOC", 4, "relocation table"),
        Code("TEST_VECTORS", 5, "golden test vectors"),
    ],
)

# The TEST_VECTORS segment: this header, then `count` vectors, each the bytes of every input
# (in order, TENSOR_DESC.size_bytes each) followed by the expected bytes of every output.
# The device runs them on a newly installed model (its self-test) and confirms the model only
# when every output is identical; for a stateful model the vectors are one sequence, run in
# order between two state resets.
TEST_VECTORS_HEADER = Layout(
    "test_vectors_header",
    "Starts the TEST_VECTORS segment.",
    [
        Field("count", "u32", doc="number of vectors, at least 1"),
        Field("reserved", "u32", doc="0"),
    ],
    size=8,
)

# A relocation entry is one u32: the byte offset of a word in the RAM image, with the low two
# bits (always zero in a word offset) naming the base to add. The word initially holds an
# offset relative to that base; the loader checks it lies within [0, size of the target].
RELOC_TARGET = Enum(
    "reloc_target",
    "Which base a relocated word is relative to.",
    [
        Code("CODE", 0, "code segment in flash"),
        Code("WEIGHTS", 1, "weights segment in flash (the code segment unless split)"),
        Code("RAM", 2, "the model's RAM image (data + bss)"),
    ],
)
RELOC_TARGET_MASK = 0x3

SIG_ALG = Enum("sig_alg", "Signature algorithms.", [Code("ED25519", 1, "Ed25519")])

CPU = Enum(
    "cpu",
    "Cortex-M cores a package can target.",
    [
        Code("CORTEX_M4", 4, "Cortex-M4"),
        Code("CORTEX_M7", 7, "Cortex-M7"),
        Code("CORTEX_M33", 33, "Cortex-M33"),
    ],
)

FPU = Enum(
    "fpu",
    "Floating-point units.",
    [
        Code("NONE", 0, "no FPU"),
        Code("FPV4_SP_D16", 1, "FPv4-SP-D16"),
        Code("FPV5_SP_D16", 2, "FPv5-SP-D16"),
        Code("FPV5_D16", 3, "FPv5-D16"),
    ],
)

FLOAT_ABI = Enum(
    "float_abi",
    "Procedure-call float ABI.",
    [Code("SOFT", 0, "soft"), Code("SOFTFP", 1, "softfp"), Code("HARD", 2, "hard")],
)

DTYPE = Enum(
    "dtype",
    "Tensor element types.",
    [
        Code("FLOAT32", 1, "float32"),
        Code("INT8", 2, "int8"),
        Code("UINT8", 3, "uint8"),
        Code("INT16", 4, "int16"),
        Code("INT32", 5, "int32"),
    ],
)
DTYPE_SIZE = {DTYPE.FLOAT32: 4, DTYPE.INT8: 1, DTYPE.UINT8: 1, DTYPE.INT16: 2, DTYPE.INT32: 4}

# ---------------------------------------------------------------------------
# UART protocol
#
#   frame   = COBS(packet || CRC-32(packet)) 0x00
#   packet  = PacketHeader payload
#
# The host sends one request and waits for its response (stop-and-wait), so a device
# without hardware flow control never receives more than one frame at a time.
# A response echoes the request's seq and has cmd = request cmd | RESPONSE_BIT.
# ---------------------------------------------------------------------------

PROTOCOL_VERSION = 1
MAX_PAYLOAD = 2048  # bytes of payload in one packet, both directions
FRAME_DELIMITER = 0x00
RESPONSE_BIT = 0x80
CRC32_POLY = 0xEDB88320  # reflected IEEE 802.3, as zlib.crc32

PACKET_HEADER = Layout(
    "packet_header",
    "Starts every packet.",
    [
        Field("cmd", "u8", doc="CMD; | RESPONSE_BIT in responses"),
        Field("seq", "u8", doc="echoed by the response"),
        Field("status", "u8", doc="STATUS; 0 in requests"),
        Field("flags", "u8"),
    ],
    size=4,
)

CMD = Enum(
    "cmd",
    "Request opcodes.",
    [
        Code("HELLO", 0x01, "identify the device"),
        Code("MODEL_INFO", 0x02, "describe a model (payload: optional MODEL_SELECTOR)"),
        Code("LIST", 0x03, "list the installed models and their slots"),
        Code("INSTALL_BEGIN", 0x10, "start installing a package: payload is its signed head"),
        Code("INSTALL_DATA", 0x11, "payload: INSTALL_DATA header + bytes at that package offset"),
        Code("INSTALL_END", 0x12, "verify, commit and activate the installed package"),
        Code("INSTALL_ABORT", 0x13, "forget an install in progress"),
        Code("TENSOR_WRITE", 0x20, "payload: TENSOR_IO header + bytes for an input tensor"),
        Code("INVOKE", 0x21, "run one inference"),
        Code("TENSOR_READ", 0x22, "payload: TENSOR_IO header; response: the bytes"),
        Code("RESET_STATE", 0x23, "reset a stateful model's state"),
        Code("ACTIVATE", 0x30, "payload: MODEL_NAME; make that model the default one"),
        Code("ROLLBACK", 0x31, "payload: MODEL_NAME; go back to that model's previous version"),
        Code("ERASE", 0x32, "payload: MODEL_NAME; remove that model and its previous version"),
    ],
)

STATUS = Enum(
    "status",
    "Response status codes. The message is what the host prints (detail in parentheses).",
    [
        Code("OK", 0, "ok"),
        # framing and commands
        Code("BAD_CRC", 1, "frame CRC mismatch"),
        Code("BAD_FRAME", 2, "malformed frame"),
        Code("UNKNOWN_COMMAND", 3, "the device does not know this command"),
        Code("BAD_LENGTH", 4, "request payload has the wrong length"),
        Code("BUSY", 5, "device busy"),
        # package header and compatibility (refused before any data is written)
        Code("BAD_MAGIC", 16, "not a relomodel package (bad magic)"),
        Code("UNSUPPORTED_FORMAT", 17, "package format version not supported by this firmware"),
        Code("MALFORMED_PACKAGE", 18, "package header or manifest is inconsistent"),
        Code("WRONG_CPU", 19, "package was built for a different CPU"),
        Code("WRONG_FPU", 20, "package needs an FPU this board does not have"),
        Code("WRONG_ABI", 21, "package float ABI does not match the firmware"),
        Code("TOO_LARGE", 22, "package does not fit in a flash slot"),
        Code("NOT_ENOUGH_RAM", 23, "model needs more RAM than the firmware can give it"),
        Code("UNKNOWN_KEY", 24, "package is signed with a key this device does not trust"),
        Code("BAD_SIGNATURE", 25, "package signature is invalid"),
        Code("DOWNGRADE", 26, "package is older than the installed model"),
        Code("SECURITY_COUNTER", 27, "package security counter is below the device's"),
        # transfer
        Code("NO_INSTALL", 32, "no install in progress"),
        Code("OUT_OF_ORDER", 33, "data offset is not the next expected one"),
        Code("OUT_OF_BOUNDS", 34, "data goes past the end of the package"),
        Code("INCOMPLETE", 35, "package not completely received"),
        Code("FLASH_ERROR", 36, "flash erase or program failed"),
        Code("NO_FREE_SLOT", 37, "no flash slot is free for this model"),
        # verification of the installed image
        Code("DIGEST_MISMATCH", 48, "segment digest mismatch: the package is corrupt"),
        Code("BAD_RELOCATION", 49, "relocation entry out of bounds"),
        Code("LOAD_FAILED", 50, "model could not be instantiated"),
        Code("SELF_TEST_FAILED", 51, "the new model's outputs differ from its golden test vectors"),
        # running
        Code("NO_MODEL", 64, "no model is installed"),
        Code("BAD_TENSOR", 65, "tensor index or range is out of bounds"),
        Code("MODEL_FAILED", 66, "the model returned an error"),
        Code("UNKNOWN_MODEL", 67, "no installed model has that name"),
        Code("NO_BACKUP", 68, "the model has no previous version to roll back to"),
    ],
)

HELLO_RESPONSE = Layout(
    "hello_response",
    "What the device is and what it can take.",
    [
        Field("protocol_version", "u16"),
        Field("max_payload", "u16"),
        Field("firmware_version", "u32", doc="same encoding as manifest.version"),
        Field("board", "bytes", 16, "board name, NUL padded"),
        Field("cpu", "u16", doc="CPU"),
        Field("fpu", "u16", doc="FPU"),
        Field("abi", "u16", doc="FLOAT_ABI of the firmware"),
        Field("slot_count", "u16"),
        Field("slot_size", "u32", doc="bytes available to one package"),
        Field("model_ram_size", "u32", doc="bytes for RAM image + arena"),
        Field("flash_sector_size", "u32"),
        Field("flash_write_size", "u32", doc="program granularity in bytes"),
        Field("key_id", "bytes", KEY_ID_LENGTH, "id of the trusted public key"),
        Field("active_slot", "u8", doc="0xFF when no model is active"),
        Field("last_event", "u8", doc="EVENT: what the device last did to its models by itself"),
        Field("format_version", "u16", doc="package FORMAT_VERSION the firmware reads (0: not reported)"),
        Field("counter_unit", "u32", doc="COUNTER_UNIT of INVOKE measurements"),
        Field("event_detail", "u32", doc="e.g. the failing test vector"),
        Field("security_counter", "u32", doc="lowest security_counter the device accepts"),
    ],
    size=72,
)

EVENT = Enum(
    "event",
    "The last thing the device decided about its models (HELLO last_event), kept in its journal.",
    [
        Code("NONE", 0, "nothing to report"),
        Code("CONFIRMED", 1, "the new model passed its self-test and was confirmed"),
        Code("CONFIRMED_UNTESTED", 2, "the new model has no test vectors: confirmed without a self-test"),
        Code("SELF_TEST_FAILED", 3, "the new model failed its self-test (detail: vector); the previous model was restored"),
        Code("TRIAL_INTERRUPTED", 4, "the device was reset before the new model was confirmed; the previous model was restored"),
        Code("INIT_FAILED", 5, "the new model failed to start (detail: its return value); the previous model was restored"),
        Code("ROLLED_BACK", 6, "a model was rolled back to its previous version (detail: slot)"),
        Code("ERASED", 7, "a model was erased"),
        Code("ACTIVATED", 8, "the default model was changed (detail: slot)"),
    ],
)

# Several named models can be installed at once. Each slot has a role, kept in the device's
# journal; a model is the set of slots whose package has its manifest name: one ACTIVE slot,
# at most one BACKUP (its previous version, for ROLLBACK) and, during an install, one TRIAL.
SLOT_ROLE = Enum(
    "slot_role",
    "What a flash slot holds.",
    [
        Code("FREE", 0, "free"),
        Code("ACTIVE", 1, "active"),
        Code("BACKUP", 2, "previous version"),
        Code("TRIAL", 3, "on trial"),
    ],
)

# Requests that use a model say which: 0 is the default model (the first one installed, or the
# last one activated), else 1 + the slot of the model's ACTIVE version as LIST reports it.
MODEL_SELECTOR_DEFAULT = 0
MODEL_SELECTOR = Layout(
    "model_selector",
    "Optional payload of MODEL_INFO, INVOKE and RESET_STATE (empty payload: the default model).",
    [Field("model", "u8", doc="0: default model, else 1 + its slot"), Field("reserved", "bytes", 3)],
    size=4,
)

MODEL_NAME = Layout(
    "model_name",
    "Payload of ACTIVATE, ROLLBACK and ERASE.",
    [Field("name", "bytes", NAME_LENGTH, "manifest name, NUL padded")],
    size=NAME_LENGTH,
)

LIST_RESPONSE = Layout(
    "list_response",
    "Starts the LIST response; entry_count LIST_ENTRY records (entry_size bytes each) follow.",
    [
        Field("slot_count", "u8"),
        Field("default_slot", "u8", doc="slot of the default model, 0xFF if none"),
        Field("entry_count", "u8", doc="slots that are not FREE"),
        Field("entry_size", "u8"),
    ],
    size=4,
)

LIST_ENTRY = Layout(
    "list_entry",
    "One slot that is not FREE.",
    [
        Field("slot", "u8"),
        Field("role", "u8", doc="SLOT_ROLE"),
        Field("reserved", "bytes", 2),
        Field("package_size", "u32"),
        Field("version", "u32"),
        Field("security_counter", "u32"),
        Field("name", "bytes", NAME_LENGTH),
        Field("signed_sha256", "bytes", 32, "SHA-256 of the package's signed region"),
    ],
    size=80,
)

COUNTER_UNIT = Enum(
    "counter_unit",
    "What INVOKE's measurement counts.",
    [
        Code("INSTRUCTIONS", 1, "instructions (emulator, -icount shift=0)"),
        Code("CYCLES", 2, "CPU cycles (DWT cycle counter)"),
    ],
)

INSTALL_BEGIN_RESPONSE = Layout(
    "install_begin_response",
    "Accepted: where the package goes and where the transfer starts.",
    [
        Field("slot", "u8"),
        Field("reserved", "bytes", 3),
        Field("next_offset", "u32", doc="first package offset the device wants"),
    ],
    size=8,
)

INSTALL_DATA_HEADER = Layout(
    "install_data_header",
    "Precedes the bytes of an INSTALL_DATA request.",
    [Field("offset", "u32", doc="package offset of the first byte")],
    size=4,
)

TENSOR_IO_HEADER = Layout(
    "tensor_io_header",
    "Precedes TENSOR_WRITE data; is the whole TENSOR_READ request.",
    [
        Field("index", "u8", doc="input index for writes, output index for reads"),
        Field("model", "u8", doc="MODEL_SELECTOR model: 0 is the default model"),
        Field("reserved", "bytes", 2),
        Field("offset", "u32", doc="byte offset within the tensor"),
        Field("length", "u32", doc="bytes to read (TENSOR_READ only)"),
    ],
    size=12,
)

INVOKE_RESPONSE = Layout(
    "invoke_response",
    "Result of one inference, measured around the model's run call only.",
    [
        Field("model_status", "i32"),
        Field("counter_unit", "u32", doc="COUNTER_UNIT"),
        Field("count", "u64", doc="instructions or cycles"),
    ],
    size=16,
)

ERROR_DETAIL = Layout(
    "error_detail",
    "Payload of a response whose status is not OK.",
    [Field("detail", "u32", doc="e.g. expected offset, segment index")],
    size=4,
)

MODEL_INFO_RESPONSE = Layout(
    "model_info_response",
    "The active model. Followed by its manifest and tensor descriptors as stored in flash.",
    [
        Field("slot", "u8"),
        Field("reserved", "bytes", 3),
        Field("package_size", "u32"),
        Field("signed_sha256", "bytes", 32, "SHA-256 of the signed region"),
    ],
    size=40,
)

ALL_LAYOUTS = [
    PACKAGE_HEADER,
    MANIFEST,
    TENSOR_DESC,
    SEGMENT_ENTRY,
    SIGNATURE_BLOCK,
    PACKET_HEADER,
    HELLO_RESPONSE,
    INSTALL_BEGIN_RESPONSE,
    INSTALL_DATA_HEADER,
    TENSOR_IO_HEADER,
    INVOKE_RESPONSE,
    ERROR_DETAIL,
    MODEL_INFO_RESPONSE,
    TEST_VECTORS_HEADER,
    MODEL_SELECTOR,
    MODEL_NAME,
    LIST_RESPONSE,
    LIST_ENTRY,
]
ALL_ENUMS = [SEGMENT, RELOC_TARGET, SIG_ALG, CPU, FPU, FLOAT_ABI, DTYPE, CMD, STATUS, COUNTER_UNIT, EVENT, SLOT_ROLE]
CONSTANTS = {
    "PACKAGE_MAGIC": PACKAGE_MAGIC,
    "FORMAT_VERSION": FORMAT_VERSION,
    "SEGMENT_ALIGN": SEGMENT_ALIGN,
    "MAX_TENSORS": MAX_TENSORS,
    "NAME_LENGTH": NAME_LENGTH,
    "KEY_ID_LENGTH": KEY_ID_LENGTH,
    "MAX_RANK": MAX_RANK,
    "PACKAGE_FLAG_SPLIT_WEIGHTS": PACKAGE_FLAG_SPLIT_WEIGHTS,
    "PACKAGE_FLAG_TEST_VECTORS": PACKAGE_FLAG_TEST_VECTORS,
    "MODEL_FLAG_STATEFUL": MODEL_FLAG_STATEFUL,
    "MODEL_FLAG_LITERT_ROUNDING": MODEL_FLAG_LITERT_ROUNDING,
    "MODEL_FLAG_ALLOW_DOWNGRADE": MODEL_FLAG_ALLOW_DOWNGRADE,
    "RELOC_TARGET_MASK": RELOC_TARGET_MASK,
    "PROTOCOL_VERSION": PROTOCOL_VERSION,
    "MAX_PAYLOAD": MAX_PAYLOAD,
    "FRAME_DELIMITER": FRAME_DELIMITER,
    "RESPONSE_BIT": RESPONSE_BIT,
    "MODEL_SELECTOR_DEFAULT": MODEL_SELECTOR_DEFAULT,
    "CRC32_POLY": CRC32_POLY,
}


def encode_version(text: str) -> int:
    """'1.2.3' -> 0x01020003. Raises ValueError on anything else."""
    parts = text.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"version must be MAJOR.MINOR.PATCH, got {text!r}")
    major, minor, patch = (int(p) for p in parts)
    if major > 255 or minor > 255 or patch > 65535:
        raise ValueError(f"version {text!r} out of range (255.255.65535 at most)")
    return major << 24 | minor << 16 | patch


def decode_version(value: int) -> str:
    return f"{value >> 24}.{(value >> 16) & 0xFF}.{value & 0xFFFF}"
