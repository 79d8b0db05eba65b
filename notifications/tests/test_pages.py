"""The notifications page: the preference form and the person's own list."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.messages import get_messages

from notifications import services
from notifications.models import Notification, NotificationPreference

URL = "/konto/varsler/"
Kind = Notification.Kind


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[^>]*>.*?</tr>", body, flags=re.S)


def test_it_lists_only_the_persons_own_notifications(as_person: Any, people: Any, hnt: Any) -> None:
    services.notify(
        Kind.INPUT_REQUESTED,
        [people.lena],
        partnership=hnt,
        headline="Innspill til Lenas sak",
        path="/hnt/intern/rad/lena/",
    )
    services.notify(
        Kind.MINUTES_FOR_APPROVAL,
        [people.nils],
        partnership=hnt,
        headline="Protokoll til Nils",
        path="/hnt/intern/rad/nils/",
    )
    page = as_person("lena").get(URL).content.decode()
    assert "Innspill til Lenas sak" in page
    assert 'href="/hnt/intern/rad/lena/"' in page
    assert "Protokoll til Nils" not in page
    assert "/hnt/intern/rad/nils/" not in page
    (row,) = [r for r in _rows(page) if "Innspill til Lenas sak" in r]
    assert hnt.name in row
    other = as_person("nils").get(URL).content.decode()
    assert "Protokoll til Nils" in other and "Innspill til Lenas sak" not in other


def test_it_shows_the_latest_fifty_newest_first(as_person: Any, people: Any, hnt: Any) -> None:
    for i in range(55):
        services.notify(
            Kind.PAPERS_CHANGED,
            [people.lena],
            partnership=hnt,
            headline=f"Sakspapir nr {i:02d} endret",
            path=f"/hnt/intern/rad/sak/{i}/",
        )
    rows = _rows(as_person("lena").get(URL).content.decode())
    assert len(rows) == 50
    assert "nr 54 " in rows[0]
    assert "nr 05 " in rows[-1]


def test_the_headline_is_escaped_on_the_page(as_person: Any, people: Any, hnt: Any) -> None:
    services.notify(
        Kind.NOTICE_PUBLISHED,
        [people.lena],
        partnership=hnt,
        headline="<script>alert(1)</script>",
        path="/hnt/intern/rad/",
    )
    page = as_person("lena").get(URL).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_a_person_saves_their_choice(as_person: Any, people: Any) -> None:
    lena = as_person("lena")
    page = lena.get(URL).content.decode()
    # Immediate until chosen otherwise, with no row stored yet.
    assert re.search(r'<input type="radio" name="delivery" value="immediate"[^>]* checked', page)
    assert "<fieldset" in page and "<legend" in page
    assert not NotificationPreference.objects.filter(user=people.lena).exists()
    response = lena.post(URL, {"delivery": "digest"})
    assert response.status_code == 302
    assert response["Location"] == URL
    assert NotificationPreference.objects.get(user=people.lena).delivery == "digest"
    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "success"
    page = lena.get(URL).content.decode()
    assert re.search(r'<input type="radio" name="delivery" value="digest"[^>]* checked', page)
    assert 'class="ds-alert" data-color="success"' in page
    lena.post(URL, {"delivery": "immediate"})
    assert NotificationPreference.objects.get(user=people.lena).delivery == "immediate"


def test_an_unknown_choice_is_refused_and_nothing_is_saved(as_person: Any, people: Any) -> None:
    response = as_person("lena").post(URL, {"delivery": "weekly"})
    assert response.status_code == 200
    assert 'aria-describedby="id_delivery-error"' in response.content.decode()
    assert not NotificationPreference.objects.filter(user=people.lena).exists()


def test_a_change_of_choice_is_in_the_audit_log(as_person: Any, people: Any) -> None:
    from auditlog.models import LogEntry

    as_person("lena").post(URL, {"delivery": "digest"})
    preference = NotificationPreference.objects.get(user=people.lena)
    entry = LogEntry.objects.get_for_object(preference).get()
    assert entry.actor == people.lena


def test_the_page_has_one_heading_and_a_table_caption(
    as_person: Any, people: Any, hnt: Any
) -> None:
    services.notify(
        Kind.NOTICE_PUBLISHED, [people.lena], partnership=hnt, headline="Møte", path="/hnt/"
    )
    page = as_person("lena").get(URL).content.decode()
    assert page.count("<h1") == 1
    assert "<caption" in page
    assert page.count('scope="col"') == 5
