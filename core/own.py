"""Text the partnership wrote, as opposed to the interface's own words.

A council's name, a meeting's title or a case title shown where the
interface otherwise puts its own labels (breadcrumbs) is wrapped in
``Own``; the templates mark it with the partnership's language on a page in
another language (``{% own %}`` in ``core.templatetags.ui``, WCAG 3.1.2).
"""

from __future__ import annotations


class Own(str):
    """A string of the partnership's own text."""

    __slots__ = ()
