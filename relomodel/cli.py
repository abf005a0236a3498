"""The `relomodel` command line. Commands are thin: they parse options and call the library.

(Skeleton: keygen/getpub. The transport helper extends this file with the other commands.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from relomodel import keys
from relomodel.errors import RelomodelError


@click.group()
@click.version_option(package_name="relomodel")
def cli() -> None:
    """Compile TFLite models into signed relocatable Cortex-M blobs and update devices over UART."""


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


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="relomodel", standalone_mode=False)
    except RelomodelError as exc:
        click.echo(f"error: {exc}", err=True)
        if exc.hint:
            click.echo(f"hint: {exc.hint}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
