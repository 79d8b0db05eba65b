"""What apps contribute to a lower app without the lower app importing them.

The work queue, the people register, the retention rules and the personal
data download each gather contributions from the apps above them. Each app
puts its contributions in a module of its own name (``workqueue.py``,
``register.py``, ``retention.py``, ``personal_data.py``); a :class:`Registry`
finds those modules the way Django's admin finds ``admin.py`` — on first use,
once — so no app imports one above it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.module_loading import autodiscover_modules


class Registry[T]:
    """Contributions registered from every installed app's ``module``."""

    def __init__(self, module: str, *, same: Callable[[T, T], bool] | None = None) -> None:
        self.module = module
        self._items: list[T] = []
        self._same: Callable[[T, T], bool] = same or (lambda a, b: a == b)
        self._discovered = False

    def add(self, item: T) -> T:
        """Register ``item`` once (a module imported twice adds nothing)."""
        if not any(self._same(existing, item) for existing in self._items):
            self._items.append(item)
        return item

    def items(self) -> list[T]:
        """Everything registered, in the order of the installed apps."""
        if not self._discovered:
            autodiscover_modules(self.module)
            self._discovered = True
        return list(self._items)
