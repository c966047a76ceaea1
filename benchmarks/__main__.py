"""``python -m benchmarks [--quick] [--only SUITE ...] [--out DIR]``: run benchmarks, print and
save a table."""

import argparse
import time
from pathlib import Path

from benchmarks import (
    build,
    calibration,
    city,
    ema,
    end_to_end,
    instructions,
    memory,
    place,
    stepping,
    sweep,
)
from benchmarks.table import Row, format_table, write_csv

SUITES = {
    "end_to_end": end_to_end.run,
    "stepping": stepping.run,
    "build": build.run,
    "place": place.run,
    "memory": memory.run,
    "sweep": sweep.run,
    "city": city.run,
}
#: Suites run only when named with --only (they need tools or time the default run should not).
OPTIONAL_SUITES = {
    "instructions": instructions.run,
    "calibration": calibration.run,
    "ema": ema.run,
}
CSV_NAME = "benchmarks.csv"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="small sizes and few steps (a smoke test)"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=[*SUITES, *OPTIONAL_SUITES],
        default=list(SUITES),
        metavar="SUITE",
        help=f"run only these suites ({', '.join(SUITES)}; default: all of them; also"
        f" {', '.join(OPTIONAL_SUITES)}: instructions needs valgrind, calibration and ema minutes)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("results/bench"), help="folder for benchmarks.csv"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen suites, print the table, and write it as CSV under --out."""
    args = parse_args(argv)
    rows: list[Row] = []
    for name in args.only:
        suite = {**SUITES, **OPTIONAL_SUITES}[name]
        start = time.perf_counter()
        rows += suite(args.quick)
        print(f"[{name}: {time.perf_counter() - start:.1f} s]", flush=True)
    path = args.out / CSV_NAME
    write_csv(rows, path)
    print(format_table(rows))
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
