"""Council seats in the partnership's register of people (see
:mod:`partnerships.register`).

Every seat held today in one of the partnership's councils, in words:
"Member of ASU on behalf of Levanger kommune (kommunalsjef helse)", with
"without a vote" for a member or deputy who has none (observers and
secretaries never vote). Seat holders need no log-in to be listed. Two
queries: the councils (which the filter offers, seats or not), and the seats
with their person, council and constituency.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from councils.models import Appointment, Council
from partnerships.register import Context, Contribution, Held, Kind, source

SEAT = Kind("seat", _("Council seat"))

# Roles that may carry a vote; "without a vote" is said of these only.
VOTING_ROLES = frozenset({Appointment.Role.MEMBER, Appointment.Role.DEPUTY})


def body_key(council: Council) -> str:
    """The filter's key for a council: its address name, unique in the partnership."""
    return council.slug


def body_name(council: Council) -> str:
    short = council.short_name
    return f"{council.name} ({short})" if short and short != council.name else council.name


def seat_label(seat: Appointment) -> str:
    values = {
        "role": seat.get_role_display(),
        "council": str(seat.council),
        "constituency": seat.constituency,
    }
    if seat.constituency:
        label = gettext("%(role)s of %(council)s on behalf of %(constituency)s") % values
    else:
        label = gettext("%(role)s of %(council)s") % values
    details = [seat.position_title] if seat.position_title else []
    if not seat.has_vote and seat.role in VOTING_ROLES:
        details.append(gettext("without a vote"))
    return f"{label} ({', '.join(details)})" if details else label


@source
def seats(context: Context) -> Iterator[Contribution]:
    slug = context.partnership.slug
    councils = list(
        Council.objects.filter(partnership=context.partnership).order_by("position", "name")
    )
    appointments = (
        Appointment.objects.current(context.today)
        .filter(council__partnership=context.partnership)
        .select_related("person", "council", "on_behalf_of_organisation", "on_behalf_of_region")
        .order_by("council__position", "council__name", "pk")
    )
    yield Contribution(
        SEAT,
        [
            (
                seat.person,
                Held(
                    SEAT.key,
                    seat_label(seat),
                    organisation_id=seat.on_behalf_of_organisation_id,
                    body=body_key(seat.council),
                    url=reverse("councils:council", args=[slug, seat.council.slug]),
                ),
            )
            for seat in appointments
        ],
        bodies=[(body_key(council), body_name(council)) for council in councils],
    )
