"""Search reads the case paper's text, not its markup: tag names do not
match, a word with markup inside it does, and results carry no tags."""

from __future__ import annotations

from typing import Any

from councils import services
from councils.models import Council, Treatment
from search import services as search
from search.tests.conftest import meeting

PAPER = (
    "<h2>Tyttebærplanen</h2>"
    "<p>Kommunene foreslår <strong>multe</strong><em>syltetøy</em> til alle.</p>"
    "<ul><li><p>strong</p></li><li><p>krekling &amp; blåbær</p></li></ul>"
)


def _public_case_with_paper(people: Any) -> Any:
    asu = Council.objects.get(partnership__slug="hnt", slug="asu")
    case, _created = services.create_case(
        council=asu, title="Bærplukking i kommunene", by=None, background=PAPER
    )
    listed = meeting(asu, -10, "Bærmøtet")
    services.add_to_agenda(listed, case, Treatment.Kind.DECISION)
    type(listed).objects.filter(pk=listed.pk).update(status="notice_published")
    return case


def test_a_word_split_by_markup_is_found_and_tag_names_are_not(people: Any) -> None:
    case = _public_case_with_paper(people)
    hnt = case.partnership
    found = search.search(hnt, "multesyltetøy")
    assert [h.title for h in found.hits] == ["Bærplukking i kommunene"]
    # "strong" is a word of the paper (a list item), "em" and "li" only tags.
    assert search.search(hnt, "strong").counts["case"] == 1
    assert search.search(hnt, "tyttebærplanen").counts["case"] == 1
    for tag_only in ("<em>", "ul>", "&amp;"):
        assert search.search(hnt, tag_only).counts["case"] == 0, tag_only


def test_results_carry_no_tags(as_person: Any, people: Any) -> None:
    case = _public_case_with_paper(people)
    hit = search.search(case.partnership, "krekling").hits[0]
    assert "<" not in hit.snippet and "&amp;" not in hit.snippet
    assert "multesyltetøy" in hit.snippet and "krekling & blåbær" in hit.snippet
    for client, url in [
        (as_person("sara"), "/hnt/intern/sok/"),
        (as_person(None), "/hnt/helsefellesskap/sok/"),
    ]:
        page = client.get(url, {"q": "krekling"}).content.decode()
        assert "Bærplukking i kommunene" in page
        assert "&lt;strong&gt;" not in page and "&lt;p&gt;" not in page
        assert "krekling &amp; blåbær" in page  # the text, escaped once
