"""Small helpers every page module uses (views behind ``insider_view``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.http import HttpRequest, QueryDict

if TYPE_CHECKING:
    from accounts.models import User


def posted(request: HttpRequest) -> QueryDict | None:
    """The form's data on a POST, even an empty one (its errors are then a
    400), and None on a GET."""
    return request.POST if request.method == "POST" else None


def person(request: HttpRequest) -> User:
    """The logged-in person (``insider_view`` has made sure of it)."""
    return cast("User", request.user)
