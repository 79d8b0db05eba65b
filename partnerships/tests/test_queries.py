"""The internal pages use a fixed number of queries, whatever the number of
people, organisations or history entries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ExternalIdentity, User
from partnerships.models import Membership, Organisation
from partnerships.services import invite

# Every page for a logged-in, two-factor-verified secretariat member costs:
#   session, user, OTP device (django-otp), partnership by slug,
#   partnership roles + memberships of the person (PartnershipAccess),
#   and the session save that moves the idle timeout on (savepoint, update,
#   release inside the test's transaction)  = 9
BASE = 9
PINNED = {
    # + organisations of the person, whether they let all members report deviations,
    #   and the secretariat's work queue (11, and 1 for routines' reviews due,
    #   1 for the task transfers to move on, 1 for the consultation answers
    #   to read, 1 for the action plan's overdue progress reports: itemised
    #   in test_workqueue.py)
    "/hnt/intern/": BASE + 2 + 11 + 1 + 1 + 1 + 1,
    # + the register (partnerships/register.py): participations with their
    #   organisations, partnership roles with person, memberships with person;
    #   councils/register.py: councils (filter), seats with person, council and
    #   constituency; + open invitations
    "/hnt/intern/personer/": BASE + 6,
    "/hnt/intern/personer/?kind=seat&council=asu&q=a": BASE + 6,
    # + the register's five queries, no invitations
    "/hnt/intern/personer/eksport.xlsx": BASE + 5,
    # + participations with organisation and region, member counts
    "/hnt/intern/parter/": BASE + 2,
    # + organisation with contact, members, history of organisation and of contact
    "/hnt/intern/parter/{levanger}/": BASE + 4,
    # + membership with person and organisation, its history, the names of the
    #   people and organisations its history refers to
    "/hnt/intern/medlemskap/{membership}/": BASE + 4,
    # + people for the form's choices, current roles with person
    "/hnt/intern/roller/": BASE + 2,
    # + organisations for the form's choices
    "/hnt/intern/personer/inviter/": BASE + 1,
    # session, user, device, memberships, roles, partnerships of the person,
    # two-factor status, recovery codes left (one annotated query), live
    # sessions (one count with a subquery), linked sign-on log-ins, session
    # save (3)
    "/konto/": 13,
}


def _urls(people: Any) -> dict[str, str]:
    levanger = Organisation.objects.get(municipality_number="5037")
    membership = Membership.objects.get(user=people.lena, organisation=levanger)
    return {url: url.format(levanger=levanger.pk, membership=membership.pk) for url in PINNED}


def _grow(people: Any) -> None:
    """More people, invitations, roles, seats and history in Levanger."""
    from councils.models import Council
    from councils.services import appoint
    from partnerships.models import Partnership
    from partnerships.services import grant_partnership_role

    levanger = Organisation.objects.get(municipality_number="5037")
    hnt = Partnership.objects.get(slug="hnt")
    asu = Council.objects.get(partnership=hnt, slug="asu")
    for i in range(6):
        user = User.objects.create_user(email=f"p{i}@levanger.example", full_name=f"Person {i}")
        Membership.objects.create(user=user, organisation=levanger, role="member")
        grant_partnership_role(hnt, user, "administrator")
        appoint(asu, person=user, role="deputy", on_behalf_of_organisation=levanger)
        # A seat holder who never logs in.
        seat_only = User.objects.create_user(email=f"s{i}@levanger.example", full_name=f"Sete {i}")
        appoint(asu, person=seat_only, role="member", on_behalf_of_organisation=levanger)
        invite(
            partnership=hnt,
            organisation=levanger,
            email=f"i{i}@levanger.example",
            full_name=f"Invitert {i}",
            role="member",
            invited_by=people.sara,
        )
    membership = Membership.objects.get(user=people.lena, organisation=levanger)
    for role in ["leader", "member", "coordinator"]:
        membership.role = role
        membership.save()
    levanger.name = "Levanger kommune"
    levanger.save()
    for i in range(3):  # Sara's linked sign-on log-ins, listed on her account page
        ExternalIdentity.objects.create(
            user=people.sara,
            provider="idporten",
            issuer=f"https://issuer-{i}.example",
            subject=f"sara-{i}",
            linked_how=ExternalIdentity.LinkedHow.ADMINISTRATOR,
        )


@pytest.mark.parametrize("url", list(PINNED))
def test_internal_pages_pin_their_query_count(
    as_person: Any, people: Any, url: str, django_assert_num_queries: Any
) -> None:
    client = as_person("sara")
    target = _urls(people)[url]
    assert client.get(target).status_code == 200
    with django_assert_num_queries(PINNED[url]):
        client.get(target)


@pytest.mark.parametrize("url", list(PINNED))
def test_internal_pages_do_not_grow_with_their_rows(as_person: Any, people: Any, url: str) -> None:
    client = as_person("sara")
    target = _urls(people)[url]
    client.get(target)
    with CaptureQueriesContext(connection) as before:
        client.get(target)
    _grow(people)
    with CaptureQueriesContext(connection) as after:
        assert client.get(target).status_code == 200
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]
