"""The benchmark measures the happy path: its generated tree must be valid content."""

from __future__ import annotations

from pathlib import Path

from benchmarks.generate import write_tree
from dialogs import load_content


def test_the_generated_benchmark_tree_is_valid_content(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "content", flows=3, steps_per_flow=8, jinja_every=2)
    result = load_content(root)
    assert result.problems == []
    assert result.content is not None
    assert sum(len(f.steps) for f in result.content.flows.values()) == 3 * 8 + 1
