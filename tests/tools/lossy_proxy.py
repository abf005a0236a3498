"""A lossy serial link for tests: a TCP proxy on 127.0.0.1 between the host and the
emulated board that corrupts, drops and delays bytes, seeded and bounded.

Faults are spaced at least `fault_gap` bytes apart in each direction (so a frame and its
resend are never both hit: the link is bad, not dead), at most `max_faults` per direction,
and stalls never exceed `max_stall` seconds. Every decision comes from one seeded RNG per
direction, so a failing seed replays.

    python -m tests.tools.lossy_proxy --target 5555 [--seed 1]   # prints the port to use
"""

from __future__ import annotations

import argparse
import random
import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Faults:
    corrupt_rate: float = 1e-3  # per byte: flip one bit
    drop_rate: float = 1e-3  # per byte: the byte never arrives
    stall_rate: float = 1e-3  # per byte: hold everything for up to max_stall before it
    max_stall: float = 0.3
    fault_gap: int = 4500  # > two of the largest frames (2 x ~2.1 KB)
    max_faults: int = 40
    counts: dict = field(default_factory=lambda: {"corrupted": 0, "dropped": 0, "stalled": 0, "bytes": 0})


class _Direction:
    """One direction's byte stream: applies the faults, decides with its own RNG."""

    def __init__(self, faults: Faults, rng: random.Random):
        self.faults = faults
        self.rng = rng
        self.since_fault = faults.fault_gap

    def _fault_allowed(self) -> bool:
        f = self.faults
        total = f.counts["corrupted"] + f.counts["dropped"] + f.counts["stalled"]
        return self.since_fault >= f.fault_gap and total < f.max_faults

    def process(self, data: bytes) -> list[tuple[float, bytes]]:
        """[(seconds to wait first, bytes to send)] for one received chunk."""
        out: list[tuple[float, bytes]] = []
        pending = bytearray()
        f = self.faults
        for byte in data:
            f.counts["bytes"] += 1
            self.since_fault += 1
            if self._fault_allowed():
                roll = self.rng.random()
                if roll < f.drop_rate:
                    f.counts["dropped"] += 1
                    self.since_fault = 0
                    continue
                if roll < f.drop_rate + f.corrupt_rate:
                    f.counts["corrupted"] += 1
                    self.since_fault = 0
                    byte ^= 1 << self.rng.randrange(8)
                elif roll < f.drop_rate + f.corrupt_rate + f.stall_rate:
                    f.counts["stalled"] += 1
                    self.since_fault = 0
                    out.append((0.0, bytes(pending)))
                    pending.clear()
                    out.append((self.rng.uniform(0.0, f.max_stall), b""))
            pending.append(byte)
        out.append((0.0, bytes(pending)))
        return out


class LossyProxy:
    """`with LossyProxy(target_port, seed=1) as proxy:` then connect to proxy.url."""

    def __init__(self, target_port: int, seed: int = 1, faults: Faults | None = None):
        self.target_port = target_port
        self.seed = seed
        self.faults = faults or Faults()
        self._listener = socket.create_server(("127.0.0.1", 0))  # loopback only
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._connections = 0

    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def start(self) -> LossyProxy:
        self._listener.settimeout(0.1)
        self._spawn(self._accept_loop)
        return self

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            board = socket.create_connection(("127.0.0.1", self.target_port))
            self._connections += 1
            base = self.seed * 1000 + self._connections * 2
            self._spawn(self._pump, client, board, _Direction(self.faults, random.Random(base)))
            self._spawn(self._pump, board, client, _Direction(self.faults, random.Random(base + 1)))

    def _pump(self, source: socket.socket, sink: socket.socket, direction: _Direction) -> None:
        source.settimeout(0.1)
        try:
            while not self._stop.is_set():
                try:
                    data = source.recv(4096)
                except socket.timeout:
                    continue
                if not data:
                    break
                for wait, chunk in direction.process(data):
                    if wait:
                        time.sleep(wait)
                    if chunk:
                        sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()
        for thread in self._threads:
            thread.join(2)

    def __enter__(self) -> LossyProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", type=int, required=True, help="the board's TCP port on 127.0.0.1")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with LossyProxy(args.target, args.seed) as proxy:
        print(f"lossy link: {proxy.url} -> 127.0.0.1:{args.target} (seed {args.seed}); Ctrl-C to stop", flush=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            print(proxy.faults.counts)


if __name__ == "__main__":
    main()
