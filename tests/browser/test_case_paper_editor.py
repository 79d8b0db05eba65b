"""The secretariat writes a case paper in the editor with the keyboard alone
— a heading, bold text, a bulleted and a numbered list, a link through the
toolbar's dialog, a list pasted from Word — saves it and reads it on the case
page. axe and the sweep's overflow and hit checks run at 1280 and 390 px; any
CSP violation fails the test (the Visitor counts console errors)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import totp_device, totp_now
from councils.models import Case
from partnerships.demo import DEMO_PASSWORD
from tests.browser.sweep import HIT_JS, OVERFLOW_JS

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
SHOTS = "/tmp/case-paper-editor"  # noqa: S108 (screenshots to look at, nothing read back)

# What Word for Windows puts on the clipboard for a bulleted and a numbered list.
WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<style><!-- p.MsoNormal {margin:0cm; font-size:11.0pt;} --></style></head><body>
<p class=MsoNormal>Innspill fra partene:<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'>
<![if !supportLists]><span style='font-family:Symbol'><span style='mso-list:Ignore'>·
<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;</span></span></span><![endif]>
Kommunene ønsker felles rutine<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'>
<![if !supportLists]><span style='font-family:Symbol'><span style='mso-list:Ignore'>·
<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;</span></span></span><![endif]>
Sykehuset ønsker <b>opplæring</b><o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='mso-list:l1 level1 lfo2'><![if !supportLists]>
<span style='mso-list:Ignore'>1.<span>&nbsp;</span></span><![endif]>Første tiltak<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='mso-list:l1 level1 lfo2'><![if !supportLists]>
<span style='mso-list:Ignore'>2.<span>&nbsp;</span></span><![endif]>Andre tiltak<o:p></o:p></p>
</body></html>"""

PASTE_JS = """([id, html]) => {
  const editor = document.getElementById(id);
  editor.focus();
  const data = new DataTransfer();
  data.setData('text/html', html);
  data.setData('text/plain', 'Innspill fra partene');
  editor.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                    cancelable: true}));
}"""


def _log_in(v: Any, user: Any) -> None:
    v.go("/konto/logg-inn/")
    v.page.get_by_label("E-postadresse").fill(user.email)
    v.page.get_by_label("Passord").fill(DEMO_PASSWORD)
    v.page.get_by_label("Passord").press("Enter")
    v.page.wait_for_load_state()
    v.page.get_by_label("Kode fra autentiseringsappen din").fill(totp_now(totp_device(user)))
    v.page.get_by_label("Kode fra autentiseringsappen din").press("Enter")
    v.page.wait_for_load_state()


def _toolbar(page: Any, command: str) -> None:
    """Alt+F10 to the focused editor's toolbar, arrow keys to the button, Enter."""
    page.keyboard.press("Alt+F10")
    for _step in range(25):
        if page.evaluate("document.activeElement.dataset.command") == command:
            page.keyboard.press("Enter")
            return
        page.keyboard.press("ArrowRight")
    raise AssertionError(f"no {command} button in the toolbar")


def _check_at_both_widths(v: Any, name: str) -> None:
    for width in WIDTHS:
        v.page.set_viewport_size({"width": width, "height": 900})
        v.check_accessibility()
        assert v.page.evaluate(OVERFLOW_JS) == [], (name, width)  # nothing sticks out sideways
        assert v.page.evaluate(HIT_JS) == [], (name, width)  # every control can be clicked
        v.page.screenshot(path=f"{SHOTS}-{name}-{width}.png", full_page=True)
    v.page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_the_secretariat_writes_a_case_paper_with_the_keyboard(
    visit: Any, browser_people: Any
) -> None:
    sara = browser_people["sara"]
    totp_device(sara)
    v = visit()
    _log_in(v, sara)

    # A template fills the three parts with headings and prompts.
    v.go("/hnt/intern/rad/saker/ny/")
    v.page.locator("select[name=mal]").select_option("beslutning")
    v.page.locator("select[name=mal]").press("Tab")
    with v.page.expect_navigation():
        v.page.keyboard.press("Enter")
    assert v.page.locator("#id_background h2").count() == 2
    assert v.page.locator("#id_proposed_decision ol li").count() == 2
    _check_at_both_widths(v, "template")

    v.go("/hnt/intern/rad/saker/ny/")
    v.page.get_by_label("Forberedt for").select_option(label="ASU")
    v.page.get_by_label("Tittel", exact=True).fill("Felles rutine for sårbehandling")

    # Background: a heading made from the toolbar, bold text, a bulleted list.
    background = v.page.get_by_label("Bakgrunn")
    assert background.get_attribute("role") == "textbox"
    background.focus()
    v.page.keyboard.type("Hva saken gjelder")
    _toolbar(v.page, "heading")
    assert v.page.locator("#id_background h2").inner_text() == "Hva saken gjelder"
    v.page.keyboard.press("End")
    v.page.keyboard.press("Enter")
    v.page.keyboard.press("Control+B")
    v.page.keyboard.type("Viktig:")
    v.page.keyboard.press("Control+B")
    v.page.keyboard.type(" kommunene skriver ut pasienter med sår.")
    v.page.keyboard.press("Enter")
    v.page.keyboard.press("Control+Shift+8")
    v.page.keyboard.type("felles sjekkliste")
    v.page.keyboard.press("Enter")
    v.page.keyboard.type("opplæring")
    pressed = v.page.locator("[data-command=bulletList]").first
    assert pressed.get_attribute("aria-pressed") == "true"

    # Assessment: a link through the dialog, and a list pasted from Word.
    v.page.get_by_label("Vurdering").focus()
    v.page.keyboard.type("Se veilederen")
    v.page.keyboard.press("Shift+Home")
    _toolbar(v.page, "link")
    dialog = v.page.locator("#id_assessment-link-url")
    assert dialog.evaluate("el => el === document.activeElement")
    v.page.keyboard.type("javascript:alert(1)")
    v.page.keyboard.press("Enter")
    assert v.page.locator("#id_assessment-link-error").is_visible()  # refused, in words
    dialog.fill("https://www.helsedirektoratet.no/veiledere/")
    v.check_accessibility()  # the open dialog
    v.page.screenshot(path=f"{SHOTS}-link-dialog-1280.png")
    v.page.keyboard.press("Enter")
    v.page.keyboard.press("End")
    v.page.keyboard.press("Enter")
    v.page.evaluate(PASTE_JS, ["id_assessment", WORD_HTML])

    # Proposed decision: "1. " starts a numbered list.
    v.page.get_by_label("Forslag til vedtak").focus()
    v.page.keyboard.type("1. ASU vedtar rutinen.")
    v.page.keyboard.press("Enter")
    v.page.keyboard.type("Sekretariatet følger opp.")
    _check_at_both_widths(v, "form")

    v.page.get_by_role("button", name="Lagre saken").click()
    v.page.wait_for_load_state()
    case = Case.objects.get(title="Felles rutine for sårbehandling")
    assert case.background == (
        "<h2>Hva saken gjelder</h2>"
        "<p><strong>Viktig:</strong> kommunene skriver ut pasienter med sår.</p>"
        "<ul><li><p>felles sjekkliste</p></li><li><p>opplæring</p></li></ul>"
    )
    assert case.assessment.startswith(
        '<p><a href="https://www.helsedirektoratet.no/veiledere/">Se veilederen</a></p>'
    )
    assert "<ul><li><p>Kommunene ønsker felles rutine</p></li>" in case.assessment
    assert "<li><p>Sykehuset ønsker <strong>opplæring</strong></p></li></ul>" in case.assessment
    assert "<ol><li><p>Første tiltak</p></li><li><p>Andre tiltak</p></li></ol>" in case.assessment
    assert "·" not in case.assessment and "mso" not in case.assessment
    assert case.proposed_decision == (
        "<ol><li><p>ASU vedtar rutinen.</p></li><li><p>Sekretariatet følger opp.</p></li></ol>"
    )

    # The case page shows it, headings under the section headings.
    paper = v.page.locator(".case-paper")
    assert paper.locator("h4").first.inner_text() == "Hva saken gjelder"
    assert paper.locator("ul li").all_inner_texts()[:2] == ["felles sjekkliste", "opplæring"]
    link = paper.get_by_role("link", name="Se veilederen")
    assert link.get_attribute("href") == "https://www.helsedirektoratet.no/veiledere/"
    _check_at_both_widths(v, "case")
