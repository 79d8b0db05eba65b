"""How the crisis module writes a number, in one place.

- ``plain``: the number as typed and read back — in the report form, the
  API, the agenda's papers, the revisions kept of a report: ``12.5``, never
  ``12.500`` or ``1.25E+1``.
- ``tidy``: a stored number kept as a ``Decimal`` without trailing zeros
  (``90.000`` → ``90``), for the pages to format.
"""

from __future__ import annotations

from decimal import Decimal

ONE = Decimal(1)


def plain(number: Decimal) -> str:
    return f"{number.normalize():f}"


def tidy(number: Decimal | None) -> Decimal | None:
    if number is None:
        return None
    if number == number.to_integral_value():
        return number.quantize(ONE)
    return number.normalize()
