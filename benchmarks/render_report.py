"""Render a plan's report.html in headless Chromium and save a screenshot.

Checks the report the way a planner sees it, in a real browser, offline::

    python benchmarks/render_report.py models/plan-sample/report.html             # -> report.png beside it
    python benchmarks/render_report.py REPORT.html --png shot.png --height 3200

Needs Debian's ``chromium`` (``apt-get install -y chromium``). The browser runs
with a fresh profile, no sandbox (containers), no GPU and no network services,
so a report that loads anything from outside shows the gap in the screenshot.
Prints the PNG path and its size; exits 1 if Chromium is missing or wrote nothing.
"""

from __future__ import annotations

import argparse
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def find_browser() -> str | None:
    """Path of the first Chromium-like browser on PATH (or /usr/bin/chromium)."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) read from a PNG header."""
    header = path.read_bytes()[:24]
    return struct.unpack(">II", header[16:24])


def screenshot(report: Path, png: Path, *, width: int = 1280, height: int = 2400, browser: str) -> Path:
    """Open ``report`` in headless Chromium and write a ``width`` x ``height`` screenshot to ``png``."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars", f"--user-data-dir={profile}", f"--screenshot={png.resolve()}",
            f"--window-size={width},{height}", report.resolve().as_uri(),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
    return png


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="report.html written by 'recommender plan'")
    parser.add_argument("--png", type=Path, help="screenshot path (default: the report's name with .png)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2400)
    args = parser.parse_args()
    browser = find_browser()
    if browser is None:
        print("Chromium not found; install it with: apt-get install -y chromium", file=sys.stderr)
        return 1
    png = args.png or args.report.with_suffix(".png")
    png.unlink(missing_ok=True)
    screenshot(args.report, png, width=args.width, height=args.height, browser=browser)
    if not png.is_file() or png.stat().st_size == 0:
        print(f"Chromium wrote no screenshot to {png}.", file=sys.stderr)
        return 1
    width, height = png_size(png)
    print(f"{png} ({width}x{height}, {png.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
