"""Figures that tests want printed at the end of the run.

Tests call :func:`report_figure`; the root ``conftest.py`` prints everything
collected in ``pytest_terminal_summary`` so that figures (detection rates,
false-positive counts) show up in the test output without ``-s``.
"""

from __future__ import annotations

FIGURES: list[tuple[str, str]] = []


def report_figure(label: str, value: str) -> None:
    FIGURES.append((label, value))
