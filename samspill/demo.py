"""Build the whole demo: every app's part, in dependency order."""

from __future__ import annotations

from accounts.models import User


def build_all() -> dict[str, User]:
    from councils.demo import build_councils_demo
    from partnerships.demo import build_demo

    people = build_demo()
    build_councils_demo(people)
    return people
