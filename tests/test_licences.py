"""Samspill is MIT-licensed (see LICENSE and the README): everything it
ships with and runs on must allow that — permissive licences, or weak
copyleft that applies to the library itself (LGPL, MPL). The runtime
packages of requirements.txt, with every package they need in turn, and the
front-end packages are checked by the licence their own metadata declares."""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
COMPATIBLE = re.compile(
    r"\b(MIT|BSD|0BSD|Apache|ISC|MPL|Mozilla Public|LGPL|Lesser General Public|PSF|"
    r"Python Software Foundation|Unlicense|HPND|Historical Permission|CC0|Zlib)\b",
    re.IGNORECASE,
)


def _licence(distribution: metadata.Distribution) -> str:
    meta = distribution.metadata
    classifiers = [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return " ".join(
        [meta.get("License-Expression") or "", (meta.get("License") or "")[:200], *classifiers]
    ).strip()


def _runtime_closure() -> dict[str, str]:
    """Every package requirements.txt pulls in at run time, with its licence."""
    names = [
        Requirement(line.split("#")[0].strip()).name
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.split("#")[0].strip()
    ]
    found: dict[str, str] = {}
    while names:
        name = names.pop()
        key = name.lower().replace("_", "-")
        if key in found:
            continue
        distribution = metadata.distribution(name)
        found[key] = _licence(distribution)
        for spec in distribution.requires or []:
            requirement = Requirement(spec)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                names.append(requirement.name)
    return found


def test_every_runtime_package_has_a_compatible_licence() -> None:
    licences = _runtime_closure()
    assert len(licences) > 14  # the closure, not only the direct requirements
    refused = {
        name: text or "(none declared)"
        for name, text in licences.items()
        if not COMPATIBLE.search(text)
    }
    assert not refused, refused


def test_every_front_end_package_has_a_compatible_licence() -> None:
    declared = json.loads((ROOT / "package.json").read_text())["dependencies"]
    for name in declared:
        licence = json.loads((ROOT / "node_modules" / name / "package.json").read_text())["license"]
        assert COMPATIBLE.search(licence), (name, licence)


def test_a_copyleft_licence_would_be_refused() -> None:
    for text in [
        "GPL-3.0-only",
        "AGPL-3.0",
        "License :: OSI Approved :: GNU General Public License v3 (GPLv3)",
        "",
    ]:
        assert not COMPATIBLE.search(text), text
