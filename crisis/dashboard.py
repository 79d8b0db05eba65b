"""The situational dashboard's party table: a party's key indicators as
cells (the value, the level it reaches, the change since the party's
previous report) and the week's special challenges and needs, from a
picture built with values (:func:`crisis.picture.build`).

No queries: everything comes from the picture.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from crisis import levels, services
from crisis.models import FormIndicator, Indicator
from crisis.numbers import tidy
from crisis.picture import SHARE, Party, Picture, aggregate_of, percent
from partnerships.models import Organisation

T = Indicator.ValueType


@dataclass(frozen=True)
class Column:
    """A key indicator of the form (a column of the parties' table)."""

    indicator: Indicator
    applies_to: str
    aggregate: str

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def name(self) -> str:
        return self.indicator.name

    @property
    def unit(self) -> str:
        return "%" if self.aggregate == SHARE else self.indicator.unit

    @property
    def is_numeric(self) -> bool:
        return self.indicator.value_type != T.TEXT


@dataclass
class Cell:
    """One party's value of one key indicator in the period.

    ``number`` is what is shown and compared: the value; the lowest item for
    lower-is-worse breakdowns (``item_name`` says which); occupancy in per
    cent of capacity for shares; the sum over items for other breakdowns;
    1–3 for good/challenging/critical; 1/0 for yes/no."""

    applies: bool = True
    number: Decimal | None = None
    word: str = ""
    text: str = ""
    item_name: str = ""
    unit: str = ""
    is_percent: bool = False
    level: int | None = None
    previous: Decimal | None = None
    change: Decimal | None = None
    # "up", "down", "same", or "" when there is no earlier figure.
    direction: str = ""
    # Whether the change is for the worse (None: the indicator has no thresholds).
    worse: bool | None = None

    @property
    def has_value(self) -> bool:
        return self.number is not None or bool(self.text)


def _measure(
    indicator: Indicator,
    numbers: Mapping[tuple[str, str], Decimal | None],
) -> tuple[Decimal | None, str]:
    """(the number a cell shows, the item it comes from) for one report."""
    own = [
        (item, number)
        for (code, item), number in numbers.items()
        if code == indicator.code and number is not None
    ]
    if not own:
        return None, ""
    if indicator.relative_to_id and indicator.relative_to is not None:
        base_code = indicator.relative_to.code
        base = sum(
            (n for (code, _item), n in numbers.items() if code == base_code and n is not None),
            Decimal(0),
        )
        return percent(sum((n for _item, n in own), Decimal(0)), base), ""
    if indicator.items and indicator.lower_is_worse:
        item, number = min(own, key=lambda pair: pair[1])
        return number, item
    if indicator.items:
        return sum((n for _item, n in own), Decimal(0)), ""
    return own[0][1], ""


def _word(indicator: Indicator, number: Decimal | None) -> str:
    if number is None:
        return ""
    if indicator.value_type == T.LEVEL:
        return levels.answer(number)
    if indicator.value_type == T.BOOLEAN:
        return str(_("Yes") if number else _("No"))
    return ""


def _cell(
    column: Column,
    numbers: Mapping[tuple[str, str], Decimal | None],
    texts: Mapping[str, str],
    levels: Mapping[str, int],
    previous: Mapping[tuple[str, str], Decimal | None] | None,
    thresholds: Mapping[str, Any],
) -> Cell:
    indicator = column.indicator
    number, item = _measure(indicator, numbers)
    names = {i["code"]: i["name"] for i in indicator.items}
    cell = Cell(
        number=tidy(number),
        word=_word(indicator, number),
        text=texts.get(indicator.code, ""),
        item_name=names.get(item, item),
        unit=column.unit,
        is_percent=column.aggregate == SHARE,
        level=levels.get(indicator.code) if indicator.code in thresholds else None,
    )
    if previous is not None and number is not None:
        before, _item = _measure(indicator, previous)
        if before is not None:
            cell.previous = tidy(before)
            cell.change = tidy(number - before)
            cell.direction = "up" if number > before else "down" if number < before else "same"
            if indicator.code in thresholds and cell.direction != "same":
                cell.worse = (cell.direction == "down") == bool(indicator.lower_is_worse)
    return cell


@dataclass
class PartyTexts:
    organisation: Organisation
    entries: list[tuple[str, str]]


def columns(picture: Picture) -> list[Column]:
    """The form's key indicators, the columns of the party table."""
    return [
        Column(line.indicator, line.applies_to, aggregate_of(line.indicator))
        for line in picture.key_lines
    ]


def cells(party: Party, shown: list[Column]) -> list[Cell]:
    """A party's cells, one per column (empty ones before it has reported)."""
    if party.report is None:
        return [Cell(applies=services.applies(_line(c), party.organisation)) for c in shown]
    found = []
    for column in shown:
        if not services.applies(_line(column), party.organisation):
            found.append(Cell(applies=False))
            continue
        found.append(
            _cell(
                column,
                party.numbers,
                party.texts,
                party.levels,
                party.earlier_numbers,
                party.thresholds,
            )
        )
    return found


def texts(picture: Picture) -> list[PartyTexts]:
    """What the shown parties wrote about the week (every text indicator)."""
    found = []
    for party in picture.parties:
        if party.report is None:
            continue
        entries = [
            (i.name, party.texts[i.code])
            for i in picture.text_indicators
            if party.texts.get(i.code)
        ]
        if entries:
            found.append(PartyTexts(party.organisation, entries))
    return found


def _line(column: Column) -> FormIndicator:
    """A form line carrying only who fills it, for ``services.applies``."""
    return FormIndicator(applies_to=column.applies_to)
