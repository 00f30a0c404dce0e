from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dialogs import Content, load_content

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = ROOT / "content"


def copy_content(tmp_path: Path, *overlays: str) -> Path:
    """The valid fixture tree in tmp_path, with broken fixture files laid over it."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", target)
    for case in overlays:
        shutil.copytree(FIXTURES / "broken" / case, target, dirs_exist_ok=True)
    return target


@pytest.fixture(scope="session")
def shipped() -> Content:
    result = load_content(SHIPPED)
    assert result.content is not None, "\n".join(map(str, result.errors))
    return result.content


@pytest.fixture
def valid_dir(tmp_path: Path) -> Path:
    return copy_content(tmp_path)


@pytest.fixture
def small(valid_dir: Path) -> Content:
    result = load_content(valid_dir)
    assert result.content is not None, "\n".join(map(str, result.problems))
    return result.content
