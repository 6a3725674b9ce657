"""Helpers shared by the benchmark scripts: machine facts, memory, tables, JSON output."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any, Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo (or the platform's guess)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags() -> set[str]:
    """CPU feature flags from /proc/cpuinfo."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def total_memory_gib() -> float:
    """Physical memory in GiB."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return float("nan")


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on."""
    import faiss
    import numpy
    import torch

    flags = cpu_flags()
    return {
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "avx512f": "avx512f" in flags,
        "avx512_bf16": "avx512_bf16" in flags,
        "amx_bf16": "amx_bf16" in flags,
        "memory_gib": round(total_memory_gib(), 1),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "faiss": faiss.__version__,
        "faiss_threads": faiss.omp_get_max_threads(),
        "numpy": numpy.__version__,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


# --------------------------------------------------------------------- memory
def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def rss_gib() -> float:
    """Current resident memory of this process in GiB."""
    return _status_kib("VmRSS") / 2**20


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS counter (VmHWM) of this process; False where unsupported."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_gib() -> float:
    """Peak resident memory (VmHWM) since start or the last :func:`reset_peak`, in GiB."""
    peak = _status_kib("VmHWM")
    if peak:
        return peak / 2**20
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds taken by ``fn()`` and its result."""
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def timed_cpu(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall seconds, CPU seconds of this process (all threads) and the result of ``fn()``.

    CPU time barely moves when other processes compete for the cores, so it is a
    steadier figure than wall time on a shared machine.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def load_average() -> float:
    """1-minute load average (runnable processes competing for the CPUs)."""
    return round(os.getloadavg()[0], 2)


# --------------------------------------------------------------------- output
def format_value(value: Any) -> str:
    """Compact text for a table cell."""
    if isinstance(value, float):
        if value != value:
            return "-"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        if 0.99 <= abs(value) < 1:
            return f"{value:.5f}".rstrip("0")
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    if value is None:
        return "-"
    return str(value)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str = "") -> str:
    """A Markdown table of ``rows`` restricted to ``columns``."""
    cells = [[format_value(r.get(c)) for c in columns] for r in rows]
    lines = [f"**{title}**", ""] if title else []
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "|".join("---" for _ in columns) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def write_json(name: str, data: dict[str, Any], directory: Path = RESULTS_DIR) -> Path:
    """Write ``data`` to ``directory/name.json``; returns the path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path


class PeakTracker:
    """Peak resident memory over a span that contains nested measured phases.

    :meth:`phase` resets the kernel's peak counter, so the span's own peak is kept
    as the running maximum of everything seen.
    """

    def __init__(self) -> None:
        reset_peak()
        self.maximum = peak_gib()

    def phase_start(self) -> float:
        """Fold the peak so far into the maximum and start a fresh counter; returns RSS now."""
        self.maximum = max(self.maximum, peak_gib())
        reset_peak()
        return rss_gib()

    def phase_end(self) -> float:
        """Peak of the phase just ended."""
        peak = peak_gib()
        self.maximum = max(self.maximum, peak)
        return peak

    def overall(self) -> float:
        """Peak over the whole span so far."""
        self.maximum = max(self.maximum, peak_gib())
        return self.maximum


def start_watchdog(limit_gib: float, on_exceed: Callable[[float], None], interval: float = 0.2) -> None:
    """Call ``on_exceed(rss)`` from a daemon thread once resident memory passes ``limit_gib``."""
    import threading

    def watch() -> None:
        while True:
            rss = rss_gib()
            if rss > limit_gib:
                on_exceed(rss)
                return
            time.sleep(interval)

    threading.Thread(target=watch, daemon=True).start()
