"""How long loading and validating content takes, against plain YAML parsing in the same run.

    python -m benchmarks.bench_content

Targets (issue 2): the shipped content well under a second; 1,000 generated steps under 2 s.
The generated tree uses jinja2 in one step of four, like real content; a second tree where every
text does is measured too, as the worst case (no target).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from benchmarks.generate import write_tree
from dialogs import load_content

ROOT = Path(__file__).resolve().parents[1]


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def parse_only(root: Path) -> None:
    """The baseline: PyYAML reading every file, with no validation at all."""
    for path in sorted(root.rglob("*.yaml")):
        yaml.safe_load(path.read_text(encoding="utf-8"))


def load_checked(root: Path) -> None:
    result = load_content(root)
    if result.content is None:
        msg = f"benchmark content is invalid: {result.errors[:3]}"
        raise SystemExit(msg)


def report(name: str, root: Path, steps: int, repeat: int, target: float | None) -> bool:
    baseline = timed(lambda: parse_only(root), repeat)
    ours = timed(lambda: load_checked(root), repeat)
    ok = target is None or ours < target
    verdict = (
        "no target"
        if target is None
        else f"target < {target:.1f} s: " + ("met" if ok else "MISSED")
    )
    print(
        f"{name}: {steps} steps, load+check {ours * 1000:.0f} ms ({verdict}); "
        f"plain YAML parse (PyYAML safe_load) {baseline * 1000:.0f} ms; "
        f"ratio {ours / baseline:.2f}x"
    )
    return ok


def main() -> int:
    shipped = ROOT / "content"
    result = load_content(shipped)
    assert result.content is not None
    shipped_steps = sum(len(f.steps) for f in result.content.flows.values())
    ok = report("shipped content", shipped, shipped_steps, repeat=7, target=1.0)
    with tempfile.TemporaryDirectory() as tmp:
        root = write_tree(Path(tmp) / "content", flows=20, steps_per_flow=50)
        ok &= report("generated tree", root, 1001, repeat=3, target=2.0)
        root = write_tree(Path(tmp) / "content", flows=20, steps_per_flow=50, jinja_every=1)
        report("generated tree, jinja2 in every text", root, 1001, repeat=3, target=None)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
