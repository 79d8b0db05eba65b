"""Escalation levels: their names, and the rule that decides a party's and
the partnership's level. Every page, paper, export and the API take their
level words from here.

- An indicator reaches a level when its value passes the threshold of the
  rule version the report was computed with (``level_of``,
  ``indicator_levels``); a share of another indicator is measured in per cent
  of the same item.
- A party's computed level is its worst indicator's (``party_level``); the
  level that counts is the one declared over it, where someone declared one
  (``counting``).
- The partnership's computed level is the highest level that counts for any
  party (``partnership_level``); the coordination group may declare one over
  it.

The levels follow NHS OPEL: 1 normal … 4 critical. Separate from them are the
three words a party answers a *level indicator* with (good, challenging,
critical: ``ANSWERS``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

LEVELS = [
    (1, _("Level 1 – normal")),
    (2, _("Level 2 – moderate pressure")),
    (3, _("Level 3 – severe pressure")),
    (4, _("Level 4 – critical")),
]
NAMES = dict(LEVELS)
NUMBERS = tuple(NAMES)

# The badge colour of each level (Designsystemet's data-color) and the line
# colour of the same level in a chart: green, amber, red, the darkest red.
BADGE = {1: "success", 2: "warning", 3: "danger", 4: "danger"}
CHART_COLOURS = {1: "#2e6b30", 2: "#8a5100", 3: "#b3261e", 4: "#5c0a0a"}

# A level indicator's answers: the stored number and the word shown.
ANSWERS = {1: _("Good"), 2: _("Challenging"), 3: _("Critical")}
# What the form and the API accept for them (Norwegian and English).
ANSWER_WORDS = {
    "god": 1,
    "utfordrende": 2,
    "kritisk": 3,
    "good": 1,
    "challenging": 2,
    "critical": 3,
}
# The word a stored answer is written back as in the form and the API.
ANSWER_CODES = {1: "god", 2: "utfordrende", 3: "kritisk"}


def name(level: int | None) -> str:
    """ "Level 3 – severe pressure", or a dash without a level."""
    return str(NAMES[level]) if level in NAMES else "–"


def short(level: int | None) -> str:
    """ "level 3" inside a sentence, or a dash."""
    return str(_("level %(level)d") % {"level": level}) if level else "–"


def answer(number: Decimal | int | None) -> str:
    """The word of a level indicator's answer (1 → Good), or ''."""
    if number is None:
        return ""
    return str(ANSWERS.get(int(number), ""))


# --- The rule -------------------------------------------------------------------------


def level_of(number: Decimal, rule: Mapping[str, Any]) -> int:
    """The level one value reaches under one indicator's thresholds."""
    level = 1
    for n, key in ((2, "level2_at"), (3, "level3_at"), (4, "level4_at")):
        raw = rule.get(key)
        if raw in (None, ""):
            continue
        at = Decimal(str(raw))
        reached = number < at if rule.get("lower_is_worse") else number >= at
        if reached:
            level = n
    return level


def indicator_levels(
    values: Mapping[tuple[str, str], Decimal | None], thresholds: Mapping[str, Mapping[str, Any]]
) -> dict[str, int]:
    """Per indicator code, the worst level of its values (items included).
    ``values`` maps (code, item) to the number. A share of another
    indicator (``relative_to``) is taken in per cent of the same item."""
    result: dict[str, int] = {}
    for (code, item), number in values.items():
        rule = thresholds.get(code)
        if rule is None or number is None:
            continue
        measured = number
        if rule.get("relative_to"):
            base = values.get((rule["relative_to"], item))
            if not base:
                continue
            measured = number * 100 / base
        result[code] = max(result.get(code, 1), level_of(measured, rule))
    return result


def party_level(levels: Mapping[str, int]) -> int:
    """A party's computed level: its worst indicator's (1 with none)."""
    return max(levels.values(), default=1)


def counting(declared: int | None, computed: int | None) -> int | None:
    """The level that counts: declared where someone declared one."""
    return declared or computed


def partnership_level(levels: Iterable[int | None]) -> int | None:
    """The partnership's computed level: the highest level that counts for
    any party; ``None`` before anyone reports."""
    present = [level for level in levels if level]
    return max(present) if present else None


def direction(before: int | None, now: int | None) -> str:
    """ "up", "down", "same", or "" when one of them is unknown."""
    if before is None or now is None:
        return ""
    return "up" if now > before else "down" if now < before else "same"
