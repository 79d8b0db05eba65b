"""The named people every permission matrix asks about, in one list (see
the root conftest for who they are). Kai holds different roles in two
parties of one partnership, so every matrix checks capabilities per party."""

from __future__ import annotations

PEOPLE = [
    "anon",
    "sara",
    "ada",
    "lena",
    "nils",
    "hanne",
    "stine",
    "siri",
    "kai",
    "tor",
    "petter",
    "otto",
]
