"""The warning before an idle session ends (WCAG 2.2.1 Timing Adjustable).

A coordinator writes in a form and leaves the desk. Two minutes before the
session would end, a dialog asks whether to stay logged in; the button
keeps the session alive and the text stays. When the time runs out, the
dialog says so and the typed text is still on the page to copy. The
browser's clock is moved on; the server's is not.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from tests.browser.test_journeys import _log_in

pytestmark = pytest.mark.browser

SETTLED_JS = "() => Promise.all(document.getAnimations().map(a => a.finished))"


def _settled(dialog: Any) -> None:
    """Wait until the dialog has faded in (axe reads colours mid-fade)."""
    dialog.page.evaluate(SETTLED_JS)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_idle_person_is_warned_and_can_stay_logged_in(
    visit: Any, browser_people: Any, width: int
) -> None:
    from playwright.sync_api import expect

    idle_ms = settings.SESSION_COOKIE_AGE * 1000
    v = visit()
    v.page.set_viewport_size({"width": width, "height": 900})
    v.page.clock.install()
    _log_in(v, browser_people["hanne"].email)
    v.go("/hnt/intern/sok/")
    search = v.page.get_by_role("searchbox").first
    search.fill("utskrivning av skrøpelige eldre")
    dialog = v.page.get_by_role("dialog")
    expect(dialog).to_be_hidden()

    # A minute before the warning: nothing yet.
    v.page.clock.fast_forward(idle_ms - 180_000)
    v.page.clock.run_for(2000)
    expect(dialog).to_be_hidden()

    # Two minutes before the end: the warning, with focus on the way out of it.
    v.page.clock.fast_forward(70_000)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Vil du fortsatt være logget inn?")
    stay = dialog.get_by_role("button", name="Fortsett å være logget inn")
    expect(stay).to_be_focused()
    _settled(dialog)
    v.check_accessibility()

    # Enter on the focused button keeps the session alive.
    with v.page.expect_response(lambda r: "/konto/okt/forleng/" in r.url) as answer:
        v.page.keyboard.press("Enter")
    assert answer.value.status == 204
    expect(dialog).to_be_hidden()
    assert search.input_value() == "utskrivning av skrøpelige eldre"

    # Escape in the warning also means "stay".
    v.page.clock.fast_forward(idle_ms - 60_000)
    expect(dialog).to_be_visible()
    with v.page.expect_response(lambda r: "/konto/okt/forleng/" in r.url) as answer:
        v.page.keyboard.press("Escape")
    assert answer.value.status == 204
    expect(dialog).to_be_hidden()

    # No answer: the time runs out and the page says so, keeping the text.
    v.page.clock.fast_forward(idle_ms + 5_000)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Du er logget ut")
    log_in_again = dialog.get_by_role("link", name="Logg inn igjen")
    expect(log_in_again).to_be_focused()
    assert "/konto/logg-inn/?next=/hnt/intern/sok/" in (log_in_again.get_attribute("href") or "")
    _settled(dialog)
    v.check_accessibility()
    dialog.get_by_role("button", name="Bli på denne siden").click()
    expect(dialog).to_be_hidden()
    assert search.input_value() == "utskrivning av skrøpelige eldre"


def test_a_session_that_has_ended_cannot_be_kept(visit: Any, browser_people: Any) -> None:
    from playwright.sync_api import expect

    v = visit()
    v.page.clock.install()
    _log_in(v, browser_people["hanne"].email)
    v.go("/hnt/intern/")
    v.page.context.clear_cookies()  # the server has ended the session
    v.page.clock.fast_forward(settings.SESSION_COOKIE_AGE * 1000 - 60_000)
    dialog = v.page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    with v.page.expect_response(lambda r: "/konto/okt/forleng/" in r.url) as answer:
        dialog.get_by_role("button", name="Fortsett å være logget inn").click()
    assert answer.value.status in (401, 403)
    expect(dialog).to_contain_text("Du er logget ut")
