"""Benchmarks, run on demand (never timed tests).

    python -m bench              # every benchmark, quick sizes
    python -m bench NAME [ARGS]  # one benchmark with its own options (NAME --help)

Each prints its figures beside their targets, with ratios against a reference
measured in the same run. PostgreSQL runs use BENCH_DATABASE_URL, which is emptied.
"""

from __future__ import annotations

import importlib
import sys

# name → module under bench/; each module has main(argv).
BENCHMARKS = ("tick", "ack", "memory", "history", "fanout", "matching")


def main(argv: list[str]) -> None:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        print("benchmarks:", ", ".join(BENCHMARKS))
        return
    if argv:
        name, rest = argv[0], argv[1:]
        if name not in BENCHMARKS:
            raise SystemExit(
                f"bench: no benchmark called {name!r}; try one of {', '.join(BENCHMARKS)}"
            )
        importlib.import_module(f"bench.{name}").main(rest)
        return
    for name in BENCHMARKS:
        print(f"\n== {name} ==", flush=True)
        importlib.import_module(f"bench.{name}").main([])


if __name__ == "__main__":
    main(sys.argv[1:])
