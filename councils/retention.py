"""Councils' part in retention (see :mod:`core.retention`): a council seat is
a role, so a person who still holds one (or held one lately) keeps their
log-in when their memberships have ended. Council papers, decisions and
minutes are the partnership's records and have no retention rule here."""

from __future__ import annotations

from core.retention import role_table
from councils.models import Appointment

role_table(Appointment, "person")
