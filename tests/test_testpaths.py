"""``make test`` runs the test paths pyproject.toml names: an app whose
tests are not among them would never run in CI, and its permission matrix
would be missing without anyone noticing why."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_app_with_tests_is_a_test_path() -> None:
    configured = tomllib.loads((ROOT / "pyproject.toml").read_text())
    paths = set(configured["tool"]["pytest"]["ini_options"]["testpaths"])
    with_tests = {
        folder.parent.name
        for folder in ROOT.glob("*/tests")
        if folder.is_dir() and any(folder.glob("test_*.py"))
    }
    assert with_tests <= paths, f"not in testpaths: {sorted(with_tests - paths)}"
