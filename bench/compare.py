"""Two server set-ups, alternated: `make bench-compare COMPARE_ARGS="WEB_CONCURRENCY=3"`.

A is the app as `make bench` serves it; B is the same with the given
environment settings (anything datespark/serve.py or the app reads:
``WEB_CONCURRENCY=3``, ``DATESPARK_THREADS=8``, ...). On a
fresh benchmark database with the small dataset, each round starts A and B in
turn (B first in every other round, so a drift of the machine does not favour
one) and measures the chosen endpoints on each, R1 (plain Django, the
benchmark's yardstick) first, as `make bench` does. The medians of the
rounds, and B's change against A, are printed at the end; nothing is
written to docs/PERFORMANCE.md. On a shared machine a difference of a few
per cent is noise: the per-round figures show how far the rounds agree.
"""

from __future__ import annotations

import argparse
import statistics
import sys

import run  # bench/run.py: this script's folder is on sys.path

Rounds = dict[tuple[str, str], list[run.Round]]  # (set-up "A" or "B", endpoint) -> its rounds


def setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def order(number: int) -> tuple[str, str]:
    """Which set-up goes first in round ``number`` (1-based): A, then B, then B first, ..."""
    return ("A", "B") if number % 2 else ("B", "A")


def summary(rounds: Rounds, endpoints: list[str]) -> list[str]:
    """One line per endpoint: the medians for A and B, and B against A."""

    def median(setup: str, endpoint: str, field: str) -> float:
        return statistics.median(getattr(r, field) for r in rounds[(setup, endpoint)])

    def cpu(setup: str, endpoint: str, field: str) -> float | None:
        shares = run.CpuSplit.median([r.cpu for r in rounds[(setup, endpoint)]])
        return getattr(shares, field) if shares is not None else None

    lines = [
        f"{'endpoint':<24} {'A req/s':>8} {'B req/s':>8} {'B/A':>6}   {'A × R1':>9} {'B × R1':>9}   "
        f"{'A p99':>6} {'B p99':>6}   idle µs/req A, B   stolen µs/req A, B"
    ]
    for endpoint in endpoints:
        a, b = median("A", endpoint, "rps"), median("B", endpoint, "rps")
        idle = [cpu(setup, endpoint, "idle") for setup in "AB"]
        stolen = [cpu(setup, endpoint, "stolen") for setup in "AB"]
        lines.append(
            f"{run.LABELS[endpoint]:<24} {a:>8.0f} {b:>8.0f} {b / a:>6.2f}   "
            f"{median('A', endpoint, 'ratio'):>9.2f} {median('B', endpoint, 'ratio'):>9.2f}   "
            f"{median('A', endpoint, 'p99_ms'):>6.1f} {median('B', endpoint, 'p99_ms'):>6.1f}   "
            f"{', '.join(f'{v:.0f}' if v is not None else '–' for v in idle):>16}   "
            f"{', '.join(f'{v:.0f}' if v is not None else '–' for v in stolen):>18}"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("settings", nargs="+", type=setting, metavar="NAME=VALUE", help="B's environment settings")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--duration", type=int, default=6, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up before each run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--endpoints", default="healthz,mark,progress", help="comma-separated, from " + ", ".join(run.ENDPOINTS)
    )
    parser.add_argument("--users", type=int, default=40)
    args = parser.parse_args()
    endpoints = [run.R1, *(e for e in args.endpoints.split(",") if e != run.R1)]  # the yardstick first
    unknown = set(endpoints) - set(run.MEASURED)
    if unknown:
        parser.error(f"unknown endpoints: {', '.join(sorted(unknown))}")
    if min(args.rounds, args.duration, args.connections) < 1:
        parser.error("--rounds, --duration and --connections must be at least 1")
    if run.wrk_missing():
        return 2
    base_env = run.bench_environment()
    env = run.seed("small", args.users, 0, base_env).env
    setups = {"A": env, "B": {**env, **dict(args.settings)}}
    r1 = run.YardstickServer(env, run.free_port())
    r1.wait_ready()
    print("B: " + " ".join(f"{name}={value}" for name, value in args.settings), flush=True)
    rounds: Rounds = {(setup, endpoint): [] for setup in setups for endpoint in endpoints}
    for number in range(1, args.rounds + 1):
        for setup in order(number):
            server = run.Server(setups[setup], run.free_port())
            try:
                server.wait_ready()
                model = server.model()
                served: dict[str, run.Served] = {run.R1: r1, "app": server}
                for endpoint, one in run.measure_round(served, endpoints, args.connections, args):
                    rounds[(setup, endpoint)].append(one)
                    print(
                        f"round {number} {setup} ({model})  {run.LABELS[endpoint]:<24} {one.rps:>7.0f} req/s "
                        f"({one.ratio:.2f}× R1)  p99 {one.p99_ms:.1f} ms  errors {one.errors + one.non2xx}",
                        flush=True,
                    )
            finally:
                server.stop()
    r1.stop()
    print("\n".join(["", *summary(rounds, endpoints)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
