"""What every benchmark shares: the figure format, repeated timing, percentiles, peak RSS of a child."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

Comparison = Literal["max", "min"]  # "max": the value must stay at or below the goal; "min": at or above


@dataclass(frozen=True)
class Figure:
    """One measured figure. `goal` is absolute, or a multiple of the floor when `goal_is_ratio`."""

    name: str
    value: float
    unit: str
    goal: float | None
    floor: float | None = None
    goal_is_ratio: bool = False
    comparison: Comparison = "max"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return round(self.value / self.floor, 3) if self.floor else None

    @property
    def ok(self) -> bool | None:
        if self.goal is None:
            return None
        measured = self.ratio if self.goal_is_ratio else self.value
        if measured is None:
            return None
        return measured <= self.goal if self.comparison == "max" else measured >= self.goal

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("goal_is_ratio")
        data.pop("comparison")
        if self.goal_is_ratio and self.goal is not None:
            data["goal"] = f"<= {self.goal}x floor" if self.comparison == "max" else f">= {self.goal}x floor"
        elif self.goal is not None:
            data["goal"] = f"{'<=' if self.comparison == 'max' else '>='} {self.goal} {self.unit}"
        data["value"] = round(self.value, 3)
        data["floor"] = round(self.floor, 3) if self.floor is not None else None
        data["ratio"] = self.ratio
        data["ok"] = self.ok
        if not self.note:
            data.pop("note")
        return data


def emit(figure: Figure, out: TextIO, as_json: bool) -> None:
    if as_json:
        out.write(json.dumps(figure.as_json()) + "\n")
    else:
        verdict = {True: "ok", False: "MISSED", None: "-"}[figure.ok]
        floor = f"  floor {figure.floor:.3f}" if figure.floor is not None else ""
        out.write(f"{figure.name:28} {figure.value:12.3f} {figure.unit:8}{floor}  [{verdict}]\n")
    out.flush()


def timings_ms(fn: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def each_ms(call: Callable[[Any], object], arguments: Iterable[Any]) -> tuple[list[float], list[float]]:
    """The wall time and the CPU time of `call(argument)` for each argument, in ms (on a busy machine the CPU
    time says what the call itself cost)."""
    walls, cpus = [], []
    for argument in arguments:
        started, cpu_started = time.perf_counter(), time.process_time()
        call(argument)
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu_started) * 1000)
    return walls, cpus


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def p99(samples: Sequence[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def peak_rss_kib() -> int:
    """This process's peak RSS (VmHWM). Not getrusage's ru_maxrss: Linux carries that across exec, so a child
    started from a big parent reports the parent's size."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


def run_child(command: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, str, float]:
    """Run a process to its end: (wall seconds, stdout, CPU seconds). CPU comes from wait4's rusage."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        _pid, status, usage = os.wait4(process.pid, 0)
    except BaseException:
        process.kill()
        raise
    wall = time.perf_counter() - started
    stdout = process.stdout.read().decode() if process.stdout else ""
    stderr = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed ({process.returncode}): {stderr[-2000:]}")
    return wall, stdout, usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int) -> float:
    """CPU (user + system) a running process has used so far, from /proc: how busy a server child was."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
