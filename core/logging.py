"""Keep what people type out of the logs.

A search for a name or a number travels in the query string (``?q=…``), and a
request line in a log keeps it for as long as the log lives. The identity
guard refuses a number typed into search, but by then it has been logged. So
every log record that passes Samspill's handlers has its query strings cut
off (``/sok/?q=…`` becomes ``/sok/?…``) and any identity number redacted,
whoever logged it (Django's development server, ``django.request``, our own
code). Gunicorn's access log is set up the same way in
``samspill/gunicorn.conf.py``; the reverse proxy's is the operator's (README,
Production).
"""

from __future__ import annotations

import logging
import re

from core.identity_numbers import redact_identity_numbers

# A query string in a URL or a request line: from "?" to the next space or quote.
_QUERY = re.compile(r"\?[^\s\"']*")


def scrub(text: str) -> str:
    return redact_identity_numbers(_QUERY.sub("?…", text))


class ScrubFilter(logging.Filter):
    """Rewrites the record's message in place; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a record whose args do not fit its format
            return True
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
