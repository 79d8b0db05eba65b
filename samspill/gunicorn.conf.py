"""Gunicorn settings for Samspill: ``gunicorn -c samspill/gunicorn.conf.py samspill.wsgi``.

The access log leaves out query strings: a search (``?q=…``) is what a
person typed and must not be kept in a log. ``%(U)s`` is the path without
the query; the default format's ``%(r)s`` (the request line) would keep it.
"""

from __future__ import annotations

import os

bind = os.environ.get("SAMSPILL_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("SAMSPILL_WORKERS", "4"))
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'
