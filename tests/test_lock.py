"""requirements.lock (what the Docker image installs) keeps up with pyproject.toml.

A dependency added to pyproject.toml without `./dev.sh lock` fails here, not in a deployment.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import ROOT

PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def locked() -> dict[str, Version]:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    return {canonicalize_name(name): Version(version) for name, version in PINNED.findall(text)}


def declared() -> list[Requirement]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)["project"]
    return [Requirement(line) for line in project["dependencies"]]


def needed_by(requirement: Requirement, seen: set[str]) -> None:
    """The names `requirement` brings in here, with its extras, as installed in this venv."""
    name = canonicalize_name(requirement.name)
    if name in seen:
        return
    seen.add(name)
    for line in metadata.requires(requirement.name) or ():
        nested = Requirement(line)
        if nested.marker is None or any(
            nested.marker.evaluate({"extra": extra}) for extra in (*requirement.extras, "")
        ):
            needed_by(nested, seen)


def test_every_runtime_dependency_is_locked_at_a_version_pyproject_allows() -> None:
    lock = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in lock, f"{name} is not in requirements.lock: run ./dev.sh lock"
        assert requirement.specifier.contains(lock[name], prereleases=True), (
            f"requirements.lock has {name}=={lock[name]}, pyproject.toml wants "
            f"{requirement.specifier}: run ./dev.sh lock"
        )


def test_what_the_dependencies_need_in_turn_is_locked_too() -> None:
    needed: set[str] = set()
    for requirement in declared():
        needed_by(requirement, needed)
    missing = needed - set(locked())
    assert not missing, f"not in requirements.lock: {sorted(missing)}; run ./dev.sh lock"


def test_every_pinned_release_carries_its_hashes() -> None:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert len(entries) == len(locked())
    for entry in entries:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]
