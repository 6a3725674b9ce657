"""Run every benchmark, write ``benchmarks/results/*.json`` and print all tables.

    python benchmarks/run_all.py            # encoding (1,000 texts) and search at 10k, 100k, 1M
    python benchmarks/run_all.py --quick    # encoding (300 texts) and search at 10k, 100k
    python benchmarks/run_all.py --quick --sizes 10k,100k,1M

Set ``HF_HUB_OFFLINE=1``: the default model is bundled and nothing is downloaded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import bench_encode, bench_rebuild, bench_search  # noqa: E402
from benchmarks.common import machine_info, table, write_json  # noqa: E402


def machine_table() -> str:
    """The machine the numbers come from, as a table."""
    info = machine_info()
    return table([{"fact": k, "value": v} for k, v in info.items()], ["fact", "value"], "Machine")


def main(argv: list[str] | None = None) -> None:
    """Run the encoding and rebuild benchmarks, then the search benchmark."""
    parser = argparse.ArgumentParser(description="Run all benchmarks.")
    parser.add_argument("--quick", action="store_true", help="fewer texts, sizes 10k and 100k, 200 batch briefs")
    parser.add_argument("--sizes", default=None, help="search sizes, e.g. 10k,100k,1M")
    parser.add_argument("--skip-encode", action="store_true")
    parser.add_argument("--skip-search", action="store_true")
    args = parser.parse_args(argv)
    quick = ["--quick"] if args.quick else []
    print(machine_table(), end="\n\n", flush=True)
    write_json("machine", machine_info())
    if not args.skip_encode:
        print("## Encoding\n", flush=True)
        bench_encode.main(quick)
        print("\n## Rebuild after new creators\n", flush=True)
        bench_rebuild.main([])
        print()
    if not args.skip_search:
        print("## Search\n", flush=True)
        bench_search.main(quick + (["--sizes", args.sizes] if args.sizes else []))


if __name__ == "__main__":
    main()
