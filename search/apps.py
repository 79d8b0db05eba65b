from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite reads rich text with a function of ours (PostgreSQL with
    regexp_replace): see ``search.services._plain_text``."""
    if connection.vendor == "sqlite":
        from search.services import SQLITE_PLAIN_TEXT, plain_text

        connection.connection.create_function(SQLITE_PLAIN_TEXT, 1, plain_text, deterministic=True)


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        connection_created.connect(_register_sqlite_functions)
