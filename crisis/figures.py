"""The period's figures: each group of parties' submitted values combined
per indicator and item, kept up to date on write.

A group is a region's kommuner, or group 0: the hospitals and every party
outside the regions (``group_of``). Each submit recomputes its group's
figures for its period from the group's submitted values, in the submit's
own transaction (``refresh``), so the picture is never stale: there is no
batch job and no cache. On PostgreSQL the recomputation first takes a
transaction lock on (crisis, period, group), so two parties of one region
submitting at once are counted in turn, each seeing the other's committed
values; SQLite lets one writer in at a time, which gives the same.

``rebuild`` recomputes a whole crisis (after a bulk load, or to check that
the figures kept on write are right: the tests compare the two). A
kommune that moves to another region keeps its earlier reports' values in
the region it reported from; the next submit or a rebuild moves them.

Reading: ``combined`` sums the rows of the groups asked for, grouped in the
database, so a trend over twelve periods reads twelve rows per indicator
and item, whatever the number of parties.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Min, Sum

from crisis.models import Crisis, PeriodFigure, Report, Value
from partnerships.models import Organisation

THOUSANDTH = Decimal("0.001")
# A figure's columns, in the order the grouped SELECT gives them.
COLUMNS = (
    "crisis_id",
    "period_start",
    "group_key",
    "indicator_id",
    "item",
    "total",
    "lowest",
    "n",
    "high",
    "yes",
)
OUTSIDE = 0  # the group of hospitals and of every party outside the regions


def group_of(organisation: Organisation, region_id: int | None) -> int:
    """The group a party's values are added to: its region if it is a
    kommune in one, otherwise group 0."""
    if region_id and organisation.kind == Organisation.Kind.KOMMUNE:
        return int(region_id)
    return OUTSIDE


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _select(where: str) -> str:
    """The grouped SELECT of submitted numbers behind the figures."""
    value = _q(Value._meta.db_table)
    report = _q(Report._meta.db_table)
    # Only table names and the caller's fixed WHERE with placeholders go in.
    return f"""
        SELECT r.crisis_id, r.period_start, r.figure_group, v.indicator_id, v.item,
               SUM(v.number), MIN(v.number), COUNT(*),
               SUM(CASE WHEN v.number >= 2 THEN 1 ELSE 0 END),
               SUM(CASE WHEN v.number > 0 THEN 1 ELSE 0 END)
        FROM {value} v JOIN {report} r ON r.id = v.report_id
        WHERE r.status = %s AND v.number IS NOT NULL AND r.figure_group IS NOT NULL
          AND {where}
        GROUP BY r.crisis_id, r.period_start, r.figure_group, v.indicator_id, v.item
    """  # noqa: S608


def _insert(select: str) -> str:
    figure = _q(PeriodFigure._meta.db_table)
    columns = ", ".join(_q(c) for c in COLUMNS)
    return f"INSERT INTO {figure} ({columns}) {select}"


def lock_key(crisis_id: int, period_start: datetime.date, group: int) -> int:
    """A signed 64-bit key for PostgreSQL's advisory lock of one group's
    figures in one period."""
    digest = hashlib.blake2b(
        f"crisis-figures:{crisis_id}:{period_start.isoformat()}:{group}".encode(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big", signed=True)


def refresh(crisis_id: int, period_start: datetime.date, groups: Iterable[int]) -> None:
    """Recompute the figures of ``groups`` in one period from their
    submitted values. Call inside the transaction that changed them (a
    submit); it adds one query for the lock (PostgreSQL), one to delete and
    one to insert, whatever the number of parties."""
    keys = sorted(set(groups))
    if not keys:
        return
    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # In a fixed order, so two submits never wait for each other in a circle.
            cursor.execute(
                "SELECT " + ", ".join(["pg_advisory_xact_lock(%s)"] * len(keys)),
                [lock_key(crisis_id, period_start, key) for key in keys],
            )
        cursor.execute(
            f"DELETE FROM {_q(PeriodFigure._meta.db_table)} "  # noqa: S608
            f"WHERE crisis_id = %s AND period_start = %s AND group_key IN ({marks})",
            [crisis_id, period_start, *keys],
        )
        cursor.execute(
            _insert(
                _select(f"r.crisis_id = %s AND r.period_start = %s AND r.figure_group IN ({marks})")
            ),
            [Report.Status.SUBMITTED, crisis_id, period_start, *keys],
        )


def rebuild(crisis: Crisis | int) -> None:
    """Recompute every figure of a crisis from its submitted reports (two
    statements). Not for a running crisis's submits: ``refresh`` is."""
    crisis_id = crisis if isinstance(crisis, int) else crisis.pk
    PeriodFigure.objects.filter(crisis_id=crisis_id).delete()
    with connection.cursor() as cursor:
        cursor.execute(_insert(_select("r.crisis_id = %s")), [Report.Status.SUBMITTED, crisis_id])


def computed(crisis: Crisis | int) -> list[tuple[Any, ...]]:
    """The figures a rebuild would write, without writing them (for checks)."""
    crisis_id = crisis if isinstance(crisis, int) else crisis.pk
    with connection.cursor() as cursor:
        cursor.execute(_select("r.crisis_id = %s"), [Report.Status.SUBMITTED, crisis_id])
        rows = cursor.fetchall()

    def number(value: Any) -> Decimal | None:
        # SQLite sums decimals as floats; the stored figure has three decimals.
        return None if value is None else Decimal(str(value)).quantize(THOUSANDTH)

    return sorted(
        (
            (
                c,
                day if isinstance(day, datetime.date) else datetime.date.fromisoformat(day),
                g,
                i,
                item,
                number(total),
                number(lowest),
                n,
                high,
                yes,
            )
            for c, day, g, i, item, total, lowest, n, high, yes in rows
        ),
        key=repr,
    )


def stored(crisis: Crisis | int) -> list[tuple[Any, ...]]:
    """The figures kept on write, in the same shape as :func:`computed`."""
    crisis_id = crisis if isinstance(crisis, int) else crisis.pk
    rows = PeriodFigure.objects.filter(crisis_id=crisis_id).values_list(*COLUMNS)
    return sorted(rows, key=repr)


def combined(
    crisis: Crisis,
    period_starts: Sequence[datetime.date],
    indicator_ids: Iterable[int],
    *,
    groups: Iterable[int] | None = None,
    by_group: bool = False,
) -> list[dict[str, Any]]:
    """The figures of the periods and indicators asked for, summed over
    ``groups`` (every group when ``None``) per period, indicator and item —
    or, with ``by_group``, per period, group and indicator (items summed).
    One query. Each row has ``total``, ``lowest``, ``n``, ``high``, ``yes``."""
    rows = PeriodFigure.objects.filter(
        crisis=crisis, period_start__in=list(period_starts), indicator_id__in=list(indicator_ids)
    )
    if groups is not None:
        rows = rows.filter(group_key__in=list(groups))
    keys = (
        ("period_start", "group_key", "indicator_id")
        if by_group
        else ("period_start", "indicator_id", "item")
    )
    found = (
        rows.values(*keys)
        .annotate(
            sum_total=Sum("total"),
            min_lowest=Min("lowest"),
            sum_n=Sum("n"),
            sum_high=Sum("high"),
            sum_yes=Sum("yes"),
        )
        .order_by()
    )
    return [
        {
            **{key: row[key] for key in keys},
            "total": row["sum_total"],
            "lowest": row["min_lowest"],
            "n": row["sum_n"] or 0,
            "high": row["sum_high"] or 0,
            "yes": row["sum_yes"] or 0,
        }
        for row in found
    ]
