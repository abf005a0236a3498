"""The `relomodel` command line. Commands are thin: they parse options and call the library.

Errors: a RelomodelError (bad input, environment, device refusal) is one "error:" line plus
an optional "hint:" line on stderr and exit status 2; a serial-port failure is one line
blaming the port; Ctrl-C exits 130. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

import click

from relomodel import keys
from relomodel.errors import RelomodelError, TransportError
from relomodel.format import spec
from relomodel.transport.serial_port import SERIAL_ERRORS

EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


class OneLineError(click.ClickException):
    """A RelomodelError as click shows it: `error: ...` and `hint: ...`, exit status 2."""

    exit_code = EXIT_ERROR

    def __init__(self, error: RelomodelError):
        super().__init__(str(error))
        self.hint = error.hint

    def show(self, file=None) -> None:
        click.echo(f"error: {self.message}", err=True)
        if self.hint:
            click.echo(f"hint: {self.hint}", err=True)


class RelomodelGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RelomodelError as exc:
            raise OneLineError(exc) from None
        except SERIAL_ERRORS as exc:
            raise OneLineError(TransportError(f"serial port failure: {exc}", hint="check the cable and --port")) from None


@click.group(cls=RelomodelGroup)
@click.version_option(package_name="relomodel")
def cli() -> None:
    """Compile TFLite models into signed relocatable Cortex-M blobs and update devices over UART."""


port_option = click.option(
    "-p", "--port", required=True, envvar="RELOMODEL_PORT", help="serial device or URL (socket://127.0.0.1:N from `relomodel emulate`)"
)
baud_option = click.option("--baud", type=int, default=115200, show_default=True)
trace_option = click.option("--trace", is_flag=True, help="log every frame to stderr")


def _open_device(port: str, baud: int, trace: bool):
    from relomodel.transport.device import Device

    return Device.open(port, baud=baud, trace=sys.stderr if trace else None)


# ---------------------------------------------------------------------------------------
# keys


@cli.command()
@click.option("-k", "--key", "key_path", type=click.Path(path_type=Path), required=True, help="new key file (PEM)")
def keygen(key_path: Path) -> None:
    """Create an Ed25519 signing key."""
    key = keys.generate_key(key_path)
    click.echo(f"wrote {key_path} (key id {keys.key_id(keys.public_bytes(key)).hex()})")


@cli.command()
@click.option("-k", "--key", "key_path", type=click.Path(path_type=Path), required=True)
@click.option("--lang", type=click.Choice(["c"]), default="c", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="write here instead of stdout")
def getpub(key_path: Path, lang: str, output: Path | None) -> None:
    """Print the public key as source code for a firmware build."""
    public = keys.public_bytes(keys.load_private_key(key_path))
    text = keys.public_key_source(public, lang, key_path.name)
    if output:
        output.write_text(text)
    else:
        click.echo(text, nl=False)


# ---------------------------------------------------------------------------------------
# packages


@cli.command()
@click.argument("model", type=click.Path(path_type=Path, exists=True))
@click.option("-k", "--key", "key_path", type=click.Path(path_type=Path), required=True, help="signing key (PEM)")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="package to write (.rmod)")
@click.option("--target", type=click.Choice(["cortex-m4", "cortex-m7"]), default="cortex-m4", show_default=True)
@click.option("--version", "version", default="1.0.0", show_default=True, help="model version MAJOR.MINOR.PATCH")
@click.option("--security-counter", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True, help="anti-rollback counter")
@click.option("--split-weights", is_flag=True, help="weights in their own segment")
@click.option("--litert-rounding", is_flag=True, help="FULLY_CONNECTED rounds like LiteRT, not TFLM")
@click.option("--name", help="model name in the manifest (default: file name)")
@click.option("--allow-downgrade", is_flag=True, help="may replace an installed model of a higher version (signed into the package)")
@click.option("--test-vectors", type=click.IntRange(0, 64), default=None,
              help="golden test vectors for the device's self-test [default: 2 for .tflite, 0 for .c; 0: none]")
@click.option("--representative-data", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Keras/SavedModel input: .npy of samples (first axis) calibrating the int8 quantization")
@click.option("--float-io", is_flag=True, help="Keras/SavedModel input: keep float32 input and output (default int8)")
def pack(
    model: Path,
    key_path: Path,
    output: Path,
    target: str,
    version: str,
    security_counter: int,
    split_weights: bool,
    litert_rounding: bool,
    name: str | None,
    allow_downgrade: bool,
    test_vectors: int | None,
    representative_data: Path | None,
    float_io: bool,
) -> None:
    """Compile MODEL.tflite into a signed package.

    MODEL may also be a Keras file (.keras/.h5) or a SavedModel directory (needs the
    `tensorflow` extra and --representative-data): it is converted to int8 OUTPUT.tflite first."""
    from relomodel import packer

    report = packer.pack(
        model,
        key_path,
        output,
        target=target,
        version=version,
        split_weights=split_weights,
        litert_rounding=litert_rounding,
        name=name,
        security_counter=security_counter,
        allow_downgrade=allow_downgrade,
        test_vectors=test_vectors,
        representative_data=_load_npy(representative_data) if representative_data else None,
        float_io=float_io,
    )
    click.echo(f"wrote {output}: {report.summary()}")


@cli.command()
@click.argument("package_path", metavar="MODEL.rmod", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.option("-k", "--key", "key_path", type=click.Path(path_type=Path), help="verify the signature with this key (PEM)")
def info(package_path: Path, as_json: bool, key_path: Path | None) -> None:
    """Show everything in a package's manifest."""
    from relomodel.format.package import describe, parse_package

    public = keys.public_bytes(keys.load_private_key(key_path)) if key_path else None
    description = describe(parse_package(package_path.read_bytes(), public_key=public))
    description["signature_checked"] = public is not None
    if as_json:
        click.echo(json.dumps(description, indent=2, default=_json_default))
        return
    click.echo(f"{package_path}:")
    _echo_tree(description, indent=1)
    if public is None:
        click.echo("  signature: not checked (give -k KEY.pem to verify)")
    else:
        click.echo(f"  signature: valid for key {keys.key_id(public).hex()}")


def _json_default(value):
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, tuple):
        return list(value)
    return str(value)


def _echo_tree(value, indent: int) -> None:
    """Nested dicts and lists as indented `key: value` lines."""
    pad = "  " * indent
    for key, item in value.items():
        if key == "signature_checked":
            continue
        if isinstance(item, dict):
            click.echo(f"{pad}{key}:")
            _echo_tree(item, indent + 1)
        elif isinstance(item, list) and item and isinstance(item[0], dict):
            click.echo(f"{pad}{key}:")
            for index, entry in enumerate(item):
                click.echo(f"{pad}  [{index}]")
                _echo_tree(entry, indent + 2)
        else:
            click.echo(f"{pad}{key}: {_scalar(item)}")


def _scalar(value) -> str:
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


# ---------------------------------------------------------------------------------------
# before and after flashing: analyze a model, validate the device against the reference

EXIT_CHECK_FAILED = 1  # analyze: a layer cannot be compiled; validate: outputs differ


@cli.command()
@click.argument("model", metavar="MODEL.tflite", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.option("--plot", "plot_path", type=click.Path(path_type=Path, dir_okay=False), help="draw per-layer MACs and the memory plan (PNG)")
@click.option("--target", type=click.Choice(["cortex-m4", "cortex-m7"]), default="cortex-m4", show_default=True)
def analyze(model: Path, as_json: bool, plot_path: Path | None, target: str) -> None:
    """Per-layer costs, the memory plan and flash/RAM totals, before flashing anything.

    Exit status 1 when some layer cannot be compiled (the table still shows every layer)."""
    from relomodel.analyze import analyze as analyze_model
    from relomodel.analyze import format_report

    analysis = analyze_model(model, target=target)
    if plot_path:
        from relomodel.analyze_plot import plot_analysis

        plot_analysis(analysis, plot_path)
    if as_json:
        click.echo(json.dumps(analysis.to_json(), indent=2, default=_json_default))
    else:
        click.echo(format_report(analysis))
        if plot_path:
            click.echo(f"wrote {plot_path}")
    if analysis.unsupported:
        click.get_current_context().exit(EXIT_CHECK_FAILED)


@cli.command()
@click.argument("model", metavar="MODEL.tflite", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@port_option
@baud_option
@trace_option
@click.option("-n", "--runs", type=click.IntRange(1, 100_000), default=20, show_default=True, help="random inputs (a sequence for stateful models)")
@click.option("--seed", type=int, default=0, show_default=True, help="seed of the random inputs")
@click.option("--atol", type=click.FloatRange(0), default=0.0, show_default=True, help="largest absolute error (stored units) that still passes")
def validate(model: Path, port: str, baud: int, trace: bool, runs: int, seed: int, atol: float) -> None:
    """Run random inputs on the device and on TFLite Micro; compare every output.

    Exit status 1 when an output differs by more than --atol."""
    from relomodel.validate import format_report
    from relomodel.validate import validate as validate_model

    with _open_device(port, baud, trace) as device:
        result = validate_model(device, model, runs=runs, seed=seed)
    click.echo(format_report(result, atol))
    if not result.passed(atol):
        click.get_current_context().exit(EXIT_CHECK_FAILED)


# ---------------------------------------------------------------------------------------
# emulated board


def _default_flash(board: str) -> Path:
    return Path.home() / ".cache" / "relomodel" / f"{board}-flash.img"


@cli.command()
@click.option("--board", type=click.Choice(["qemu-m4", "qemu-m7"]), default="qemu-m4", show_default=True)
@click.option("--flash", type=click.Path(path_type=Path, dir_okay=False), help="flash image (default ~/.cache/relomodel/BOARD-flash.img)")
@click.option("--icount/--no-icount", default=True, show_default=True, help="deterministic instruction counting")
def emulate(board: str, flash: Path | None, icount: bool) -> None:
    """Boot the emulated board and serve its UART until Ctrl-C."""
    from relomodel.board.firmware import ensure_built
    from relomodel.board.qemu import QemuBoard, create_flash

    flash = flash or _default_flash(board)
    create_flash(flash)  # a wrong flash file is refused before a long build
    click.echo(f"building firmware for {board} (make decides what is stale)...", err=True)
    firmware = ensure_built(board)
    with QemuBoard(board=board, flash=flash, icount=icount, firmware=firmware) as emulated:
        click.echo(f"{board} running, flash {flash}")
        click.echo(f"use: --port {emulated.url}")
        click.echo("press Ctrl-C to stop", err=True)
        signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops QEMU in order too
        try:
            while emulated.running:
                time.sleep(0.2)
        except KeyboardInterrupt:
            click.echo("stopping the emulated board", err=True)
            return
        raise RelomodelError(f"QEMU stopped unexpectedly: {emulated.stderr_text() or 'no message'}")


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


# ---------------------------------------------------------------------------------------
# device


@cli.command()
@click.argument("package_path", metavar="MODEL.rmod", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@port_option
@baud_option
@trace_option
def push(package_path: Path, port: str, baud: int, trace: bool) -> None:
    """Install a package on the device and make it the active model."""
    from tqdm import tqdm

    package = package_path.read_bytes()
    with _open_device(port, baud, trace) as device:
        hello = device.hello()
        click.echo(f"device: {hello['board']} firmware {hello['firmware_version']}")
        started = time.monotonic()
        with tqdm(total=len(package), unit="B", unit_scale=True, unit_divisor=1024, desc="push", file=sys.stderr) as bar:
            model = device.install(package, progress=lambda done, total: bar.update(done - bar.n))
        elapsed = time.monotonic() - started
        after = device.hello()  # the device's verdict on the trial
    if device.resumed_from:
        click.echo(f"resumed an interrupted transfer at byte {device.resumed_from} of {len(package)}")
    from relomodel.transport import protocol

    click.echo(f"device: {protocol.event_message(after['last_event'], after['event_detail'])}")
    sent = len(package) - device.resumed_from
    click.echo(
        f"now running: {model['name']} {model['version']} in slot {model['slot']} "
        f"({sent} bytes in {elapsed:.2f} s, {sent / 1024 / max(elapsed, 1e-9):.1f} KiB/s)"
    )


def _load_npy(path: Path):
    import numpy as np

    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise RelomodelError(f"cannot read {path} as a .npy array: {exc}") from None


@cli.command()
@port_option
@baud_option
@trace_option
@click.option("-i", "--input", "inputs", multiple=True, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False), help="one .npy per model input, in order")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(path_type=Path, dir_okay=False), help="one .npy per model output, in order")
@click.option("-m", "--model", "model_name", help="installed model to run (default: the device's default model)")
def run(port: str, baud: int, trace: bool, inputs: tuple[Path, ...], outputs: tuple[Path, ...], model_name: str | None) -> None:
    """Run one inference on an installed model."""
    import numpy as np

    arrays = [_load_npy(path) for path in inputs]
    with _open_device(port, baud, trace) as device:
        unit = device.hello()["counter_unit"]
        device.select(model_name)
        results, count = device.run(arrays)
    if outputs and len(outputs) != len(results):
        raise RelomodelError(f"the model has {len(results)} output(s) but {len(outputs)} --output file(s) were given")
    for index, result in enumerate(results):
        click.echo(f"output {index} {result.dtype.name} {list(result.shape)}:")
        click.echo(np.array2string(result, threshold=64))
    for path, result in zip(outputs, results):
        np.save(path, result)
    counted = "cycles" if unit == spec.COUNTER_UNIT.CYCLES else "instructions"
    click.echo(f"{counted}: {count}")


@cli.command("list")
@port_option
@baud_option
@trace_option
def list_models(port: str, baud: int, trace: bool) -> None:
    """List the installed models: version, role, slot, size and signed-head hash."""
    from relomodel.transport import protocol

    with _open_device(port, baud, trace) as device:
        hello = device.hello()
        listing = device.list_models()
    models = listing["models"]
    if not models:
        click.echo(f"no model installed ({listing['slot_count']} slots free)")
    else:
        click.echo(f"{'':2}{'name':24} {'version':10} {'state':17} {'slot':>4} {'bytes':>9}  signed head sha256")
        for m in models:
            mark = "* " if m["default"] else "  "
            state = spec.SLOT_ROLE.message_of(spec.SLOT_ROLE.by_name[m["role"].upper()].value)
            click.echo(f"{mark}{m['name']:24} {m['version']:10} {state:17} {m['slot']:>4} "
                       f"{m['package_size']:>9}  {m['signed_sha256'][:16]}")
        click.echo("(* = default model, used when a request names none)")
    click.echo(f"last event: {protocol.event_message(hello['last_event'], hello['event_detail'])}")


def _manage_command(name: str, verb: str, done: str, help_text: str):
    @port_option
    @baud_option
    @trace_option
    @click.argument("model_name", metavar="NAME")
    def command(port: str, baud: int, trace: bool, model_name: str) -> None:
        with _open_device(port, baud, trace) as device:
            getattr(device, verb)(model_name)
        click.echo(f"{model_name}: {done}")

    command.__doc__ = help_text
    return cli.command(name)(command)


_manage_command("activate", "activate", "is now the default model", "Make model NAME the device's default model.")
_manage_command("rollback", "rollback", "rolled back to its previous version",
                "Go back to the previous version of model NAME.")
_manage_command("erase", "erase", "erased", "Remove model NAME and its previous version from the device.")


@cli.command("device-info")
@port_option
@baud_option
@trace_option
def device_info(port: str, baud: int, trace: bool) -> None:
    """Show what the device is and which model it runs."""
    from relomodel.errors import DeviceError
    from relomodel.transport import protocol
    from relomodel.transport.device import NUMPY_DTYPES

    with _open_device(port, baud, trace) as device:
        hello = device.hello()
        try:
            model = device.model_info()
        except DeviceError as exc:
            if exc.status != spec.STATUS.NO_MODEL:
                raise
            model = None
    click.echo(f"board:        {hello['board']}")
    click.echo(f"firmware:     {hello['firmware_version']} (protocol {hello['protocol_version']}, max payload {hello['max_payload']})")
    click.echo(
        f"cpu:          {spec.CPU.message_of(hello['cpu'])}, {spec.FPU.message_of(hello['fpu'])}, "
        f"{spec.FLOAT_ABI.message_of(hello['abi'])} float ABI"
    )
    click.echo(f"slots:        {hello['slot_count']} x {hello['slot_size']} bytes, active {_slot(hello['active_slot'])}")
    click.echo(f"model RAM:    {hello['model_ram_size']} bytes")
    click.echo(f"flash:        {hello['flash_sector_size']}-byte sectors, {hello['flash_write_size']}-byte writes")
    click.echo(f"trusted key:  {hello['key_id']}")
    click.echo(f"measures:     {spec.COUNTER_UNIT.message_of(hello['counter_unit'])}")
    click.echo(f"anti-rollback: security counter {hello['security_counter']}")
    click.echo(f"last event:   {protocol.event_message(hello['last_event'], hello['event_detail'])}")
    if model is None:
        click.echo("model:        none installed")
        return
    click.echo(f"model:        {model['name']} {model['version']} (slot {model['slot']}, {model['package_size']} bytes)")
    click.echo(f"  target:     {spec.CPU.message_of(model['target_cpu'])}, {spec.FPU.message_of(model['target_fpu'])}")
    click.echo(f"  RAM:        data {model['ram_data_size']} + bss {model['ram_bss_size']} + arena {model['arena_size']} bytes")
    click.echo(f"  MACs:       {model['macs']}{', stateful' if model['stateful'] else ''}")
    click.echo(f"  signed head sha256 {model['signed_sha256']}")
    for kind in ("inputs", "outputs"):
        for index, tensor in enumerate(model[kind]):
            dtype = NUMPY_DTYPES.get(tensor["dtype"])
            quant = f" scale {tensor['scale']:g} zero point {tensor['zero_point']}" if tensor["scale"] else ""
            click.echo(f"  {kind[:-1]} {index}: {tensor['name']!r} {dtype.name if dtype else '?'} {list(tensor['shape'])}{quant}")


def _slot(slot: int | None) -> str:
    return "none" if slot is None else str(slot)


def main(argv: list[str] | None = None) -> None:
    try:
        code = cli.main(args=argv, prog_name="relomodel", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)
