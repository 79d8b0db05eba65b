# ruff: noqa: S608 - the SQL is built from column names of the code and the ORM's own SQL; values are parameters.
"""Several GROUP BYs of one queryset in one query that reads its rows once.

The statistics page counts the same deviations by a dozen keys. One
``values().annotate(Count)`` per key reads the rows once per key; this reads
them once and groups them by every key set in the same statement:

- PostgreSQL: ``GROUP BY GROUPING SETS``, hashed. The queryset goes in as a
  subquery behind ``OFFSET 0`` so that the planner takes computed columns
  (a period bucket) for what they are instead of estimating their groups
  from the column they are computed from; with that estimate (one group per
  timestamp) it sorted instead of hashing, and spilled to disk.
- Other databases (SQLite: no grouping sets): the rows once into a
  materialised CTE, then a ``UNION ALL`` of one ``GROUP BY`` per key set
  over it.

Either way one query. The rows of each key set come back unordered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet


def grouped(
    queryset: QuerySet[Model],
    key_sets: Mapping[str, Sequence[str]],
    *,
    total: str | None = None,
) -> dict[str, list[tuple[Any, ...]]]:
    """For each named key set, its groups as ``(*keys, count, sum)`` tuples:
    the values of its keys, the number of rows and the sum of the column
    ``total`` over them (None without ``total``). Keys are fields or
    annotations of ``queryset``. One query; none for an empty queryset."""
    columns = list(dict.fromkeys(key for keys in key_sets.values() for key in keys))
    selected = [*columns, total] if total else columns
    try:
        inner, params = queryset.order_by().values(*selected).query.sql_with_params()
    except EmptyResultSet:
        return {name: [] for name in key_sets}
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    aggregates = f"COUNT(*), SUM({quote(total)})" if total else "COUNT(*), NULL"
    names = list(key_sets)

    def column_list(keys: Sequence[str]) -> str:
        return ", ".join(quote(key) for key in keys)

    if connection.vendor == "postgresql":
        # GROUPING() has a bit per column, set where the row is not grouped
        # by it: the bit pattern says which key set a row belongs to.
        width = len(columns)
        masks = {
            sum(1 << (width - 1 - i) for i, c in enumerate(columns) if c not in keys): name
            for name, keys in key_sets.items()
        }
        sets = ", ".join(f"({column_list(keys)})" for keys in key_sets.values())
        sql = (
            f"SELECT {column_list(columns)}, {aggregates}, GROUPING({column_list(columns)}) "
            f"FROM ({inner} OFFSET 0) grouped GROUP BY GROUPING SETS ({sets})"
        )
        tag = -1  # the GROUPING() column
    else:
        arms = [
            f"SELECT {index}, "
            + ", ".join(quote(c) if c in keys else "NULL" for c in columns)
            + f", {aggregates} FROM grouped GROUP BY {column_list(keys)}"
            for index, keys in enumerate(key_sets.values())
        ]
        sql = f"WITH grouped AS MATERIALIZED ({inner}) " + " UNION ALL ".join(arms)
        masks = dict(enumerate(names))
        tag = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result: dict[str, list[tuple[Any, ...]]] = {name: [] for name in names}
    positions = {name: [columns.index(key) for key in keys] for name, keys in key_sets.items()}
    offset = 1 if tag == 0 else 0
    for row in rows:
        name = masks[row[tag]]
        values = row[offset : offset + len(columns)]
        count, summed = row[offset + len(columns)], row[offset + len(columns) + 1]
        result[name].append((*(values[i] for i in positions[name]), count, summed))
    return result
