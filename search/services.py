"""Search over the cases, decisions, minutes, agreements, clauses and
routines a person may see.

Visibility is exactly what the council pages allow:

- inside the partnership (``access`` given, an insider): cases through
  :func:`councils.access.visible_cases_filter` for the person's seats;
  decisions of those cases once their meeting's minutes page is open
  (``councils.views.minutes``: not while planned or only noticed); minutes of
  meetings whose minutes exist (drafted, approved or published — every
  insider may read drafts, as on the internal minutes page);
- the public (``access`` None): public cases on a meeting whose agenda is
  public (``councils.public_views.case_page``); decisions on public cases in
  published minutes; published minutes (``councils.public_views.minutes_page``).

The agreements and routines follow their pages too:

- agreements (number, title, and the text of the clauses of the version the
  reader sees, :func:`agreements.searchable.shown_version_id`): the public
  finds those with a public version and reads the version in force, else
  the newest public one (``agreements.public_views.agreement_page``); an
  insider finds every agreement, drafts included, and reads the version in
  force, else the newest;
- clauses (number, heading, text) of that same version, linked on the
  public side to the clause on the agreement's page and inside to the
  version's page;
- routines (number, title and the text of a version): the public finds
  those with a version in force and reads that (``routines.public_views``);
  an insider finds every routine and reads the version in force, else the
  newest draft.

Exempt (restricted) cases on a public agenda are shown to anyone who may not
read them by their public title only: they are matched against the public
title (and number) alone, ranked on it alone, and their hit carries no paper
text. Internal and council-internal cases one may not read are never found.

PostgreSQL uses full-text search with the Norwegian configuration (stemming:
"avtalene" finds "avtale"); as Norwegian writes compounds as one word, a row
where every word of the query occurs as a substring matches too. SQLite (and
any other database) uses that substring rule alone. Both return the same
shape: ranked :class:`Hit` rows, counts per kind, and the total.

Rich text is HTML. The case paper's text is kept beside it
(``Case.paper_text``); clauses and routine versions keep none, so their text
is read from the HTML in the query (:func:`_plain_text`). Either way markup
neither matches ("strong", "li") nor splits a word.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from functools import reduce
from html import unescape
from operator import and_, or_
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case as CaseWhen
from django.db.models import (
    Count,
    Exists,
    Expression,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Replace
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, AgreementVersion, Clause
from agreements.searchable import shown_version_id
from core import richtext
from core.models import Visibility
from councils.access import (
    Seats,
    can_see_case,
    seat_council_ids,
    visible_cases,
    visible_cases_filter,
)
from councils.models import Case, Decision, Meeting, Treatment
from partnerships.access import PartnershipAccess
from partnerships.models import Partnership
from routines.models import Routine, RoutineVersion

CASE = "case"
DECISION = "decision"
MINUTES = "minutes"
AGREEMENT = "agreement"
CLAUSE = "clause"
ROUTINE = "routine"
KINDS: tuple[str, ...] = (CASE, DECISION, MINUTES, AGREEMENT, CLAUSE, ROUTINE)
KIND_LABELS: dict[str, Promise] = {
    CASE: _("Case"),
    DECISION: _("Decision"),
    MINUTES: _("Minutes"),
    AGREEMENT: _("Agreement"),
    CLAUSE: _("Clause"),
    ROUTINE: _("Routine"),
}

MAX_QUERY_LENGTH = 200
PAGE_SIZE = 20
SNIPPET_CHARS = 200
CONFIG = "norwegian"

S = Meeting.Status
# The agenda is public once the notice is out (councils.models.Meeting.agenda_is_public).
PUBLIC_AGENDA = frozenset(s for s in S.values if s not in (S.PLANNED, S.CANCELLED))
# The internal minutes page is open after the meeting (councils.views.minutes).
MINUTES_PAGE_OPEN = frozenset(s for s in S.values if s not in (S.PLANNED, S.NOTICE_PUBLISHED))
# Meetings whose minutes exist.
MINUTES_EXIST = frozenset({S.MINUTES_DRAFTED, S.MINUTES_APPROVED, S.PUBLISHED})

# "26/004": a case number in the query.
_CASE_NUMBER = re.compile(r"^(\d{2})/(\d{1,4})$")
_QUOTES = "\"'«»“”"


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    # The case number, or the agreement's, clause's or routine's; "" for minutes.
    number: str
    date: datetime.date | None
    snippet: str  # plain text; escape it where it is shown
    url: str
    # An exempt case seen by its public title only (no paper text).
    public_title_only: bool = False
    # Where it belongs, in the partnership's words (the council of minutes,
    # the level of an agreement, the agreement of a clause or routine),
    # shown before the snippet.
    place: str = ""
    rank: float = 0.0
    sort_key: datetime.datetime | None = field(default=None, repr=False, compare=False)

    @property
    def summary(self) -> str:
        """The snippet with its place in front, as one line of plain text."""
        return f"{self.place} · {self.snippet}" if self.place else self.snippet

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[Hit]
    total: int  # over the kinds asked for
    counts: dict[str, int]  # per kind, whatever was asked for

    @property
    def all_count(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Terms:
    """A query taken apart: its words and any case numbers (year, sequence)."""

    text: str
    words: tuple[str, ...]
    numbers: tuple[tuple[int, int], ...]

    @property
    def empty(self) -> bool:
        return not self.words and not self.numbers


def normalise(query: str) -> str:
    return " ".join(query.split())[:MAX_QUERY_LENGTH]


def parse(query: str) -> Terms:
    """Words for the substring rule (without quotes), the text as written for
    PostgreSQL's web-search syntax ("phrase", -word, or), case numbers apart."""
    words: list[str] = []
    rest: list[str] = []
    numbers: list[tuple[int, int]] = []
    for token in normalise(query).split():
        found = _CASE_NUMBER.match(token)
        if found:
            numbers.append((2000 + int(found[1]), int(found[2])))
            continue
        rest.append(token)
        word = token.strip(_QUOTES)
        if word:
            words.append(word)
    return Terms(text=" ".join(rest), words=tuple(words), numbers=tuple(numbers))


def use_full_text() -> bool:
    return connection.vendor == "postgresql"


# --- building blocks -------------------------------------------------------


def _spellings(word: str) -> set[str]:
    """SQLite's LIKE folds the case of ASCII letters only: "Øyeblikkelig"
    would not match "øyeblikkelig". Try the word as written, in lower case,
    capitalised and in capitals (harmless where the database folds it all)."""
    if word.isascii():
        return {word}
    return {word, word.lower(), word.upper(), word[:1].upper() + word[1:].lower()}


def _contains_q(name: str, word: str) -> Q:
    return reduce(or_, (Q(**{f"{name}__icontains": w}) for w in _spellings(word)))


def _all_words_q(terms: Terms, fields: Iterable[str]) -> Q:
    """Every word occurs in one of the fields (case-insensitive)."""
    names = list(fields)
    return reduce(
        and_,
        (reduce(or_, (_contains_q(name, w) for name in names)) for w in terms.words),
        Q(),
    )


def _numbers_q(terms: Terms, prefix: str = "") -> Q:
    if not terms.numbers:
        return Q()
    return reduce(
        or_, (Q(**{f"{prefix}year": y, f"{prefix}sequence": s}) for y, s in terms.numbers)
    )


def _vector(weighted: Iterable[tuple[str, str]]) -> Any:
    vectors: list[Any] = [
        SearchVector(name, weight=weight, config=CONFIG) for name, weight in weighted
    ]
    return reduce(lambda a, b: a + b, vectors)


def _search_query(terms: Terms) -> SearchQuery:
    return SearchQuery(terms.text, search_type="websearch", config=CONFIG)


def _title_score(terms: Terms, title_field: str) -> Expression:
    """The share of the query's words found in the title (SQLite's rank)."""
    parts: list[Any] = [
        CaseWhen(
            When(_contains_q(title_field, w), then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
        for w in terms.words
    ]
    total: Any = reduce(lambda a, b: a + b, parts)
    return total / Value(float(len(parts)), output_field=FloatField())  # type: ignore[no-any-return]


@dataclass(frozen=True)
class _Source:
    """How one kind is matched and ranked: the rows visible in full and their
    fields (name, full-text weight; the first is the title), and optionally
    rows visible by their public title only, with theirs."""

    rows: QuerySet[Any]
    full: Q
    fields: tuple[tuple[str, str], ...]
    title_only: Q | None = None
    title_only_fields: tuple[tuple[str, str], ...] = ()
    numbers_prefix: str | None = None  # where the case number lives; None: no number

    def matching(self, terms: Terms) -> QuerySet[Any]:
        rows = self.rows
        if terms.numbers:
            if self.numbers_prefix is None:
                return rows.annotate(rank=Value(0.0, output_field=FloatField())).none()
            rows = rows.filter(_numbers_q(terms, self.numbers_prefix))
        if not terms.words:
            condition = self.full if self.title_only is None else self.full | self.title_only
            return rows.filter(condition).annotate(rank=Value(0.0, output_field=FloatField()))
        full_names = [name for name, _w in self.fields]
        full_match = _all_words_q(terms, full_names)
        public_names = [name for name, _w in self.title_only_fields]
        public_match = _all_words_q(terms, public_names) if self.title_only is not None else Q()
        full_rank: Expression
        public_rank: Expression | None = None
        if use_full_text():
            query = _search_query(terms)
            rows = rows.alias(search_full=_vector(self.fields))
            full_match = Q(search_full=query) | full_match
            full_rank = SearchRank(F("search_full"), query)
            if self.title_only is not None:
                rows = rows.alias(search_public=_vector(self.title_only_fields))
                public_match = Q(search_public=query) | public_match
                public_rank = SearchRank(F("search_public"), query)
        else:
            full_rank = _title_score(terms, full_names[0])
            if self.title_only is not None:
                public_rank = _title_score(terms, public_names[0])
        if self.title_only is None or public_rank is None:
            return rows.filter(self.full & full_match).annotate(rank=full_rank)
        rows = rows.filter((self.full & full_match) | (self.title_only & public_match))
        # Rank an exempt case on its public title alone: the order of the
        # results must not tell anything about words in its papers.
        return rows.annotate(
            rank=CaseWhen(When(self.full, then=full_rank), default=public_rank),
        )


def _listed_on_public_agenda() -> Exists:
    return Exists(Treatment.objects.filter(case=OuterRef("pk"), meeting__status__in=PUBLIC_AGENDA))


def _latest_public_listing(column: str) -> Subquery:
    """A column of the latest meeting whose public agenda lists the case."""
    return Subquery(
        Treatment.objects.filter(case=OuterRef("pk"), meeting__status__in=PUBLIC_AGENDA)
        .order_by("-meeting__starts_at")
        .values(column)[:1]
    )


# The case paper is HTML; its text (``Case.paper_text``, kept by
# ``Case.save``) is what is searched and shown, so markup neither matches
# ("strong", "li") nor splits a word.
CASE_FIELDS = (
    ("title", "A"),
    ("public_title", "A"),
    ("paper_text", "B"),
)
PUBLIC_TITLE_FIELDS = (("public_title", "A"),)
DECISION_FIELDS = (
    ("treatment__case__title", "A"),
    ("adopted_text", "B"),
    ("recommendation", "C"),
)
MINUTES_FIELDS = (
    ("title", "A"),
    ("council__name", "B"),
    ("council__short_name", "B"),
)


def _case_source(
    partnership: Partnership, access: PartnershipAccess | None, seats: Seats
) -> _Source:
    exempt_listed = Q(visibility=Visibility.RESTRICTED) & Q(_listed_on_public_agenda())
    if access is None:
        full = Q(visibility=Visibility.PUBLIC) & Q(_listed_on_public_agenda())
        title_only = exempt_listed
    else:
        full = visible_cases_filter(access, seats)
        title_only = ~full & exempt_listed
    rows = (
        Case.objects.filter(partnership=partnership)
        .select_related("council")
        .annotate(
            sort_date=F("created"),
            listed_meeting_id=_latest_public_listing("meeting_id"),
            listed_council_slug=_latest_public_listing("meeting__council__slug"),
        )
    )
    return _Source(
        rows=rows,
        full=full,
        fields=CASE_FIELDS,
        title_only=title_only,
        title_only_fields=PUBLIC_TITLE_FIELDS,
        numbers_prefix="",
    )


def _decision_source(
    partnership: Partnership, access: PartnershipAccess | None, seats: Seats
) -> _Source:
    rows = Decision.objects.filter(treatment__meeting__council__partnership=partnership)
    if access is None:
        full = Q(
            treatment__case__visibility=Visibility.PUBLIC,
            treatment__meeting__status=S.PUBLISHED,
        )
    else:
        full = Q(
            treatment__case__in=visible_cases(access, seats),
            treatment__meeting__status__in=MINUTES_PAGE_OPEN,
        )
    rows = rows.select_related("treatment__case", "treatment__meeting__council").annotate(
        sort_date=F("treatment__meeting__starts_at")
    )
    return _Source(rows=rows, full=full, fields=DECISION_FIELDS, numbers_prefix="treatment__case__")


def _minutes_source(partnership: Partnership, access: PartnershipAccess | None) -> _Source:
    statuses = {S.PUBLISHED} if access is None else MINUTES_EXIST
    rows = (
        Meeting.objects.filter(council__partnership=partnership)
        .select_related("council")
        .annotate(sort_date=F("starts_at"))
    )
    return _Source(rows=rows, full=Q(status__in=statuses), fields=MINUTES_FIELDS)


# Sanitised HTML (core.richtext) read as text in the query: an inline tag
# (bold, italic, a link) goes without a trace, any other tag ends a word, as
# ``richtext.text_of`` reads them; then the entities are read.
_INLINE_TAG = r"</?(strong|em|a)(\s[^>]*)?>"
_ANY_TAG = r"<[^>]*>"
# The entities the sanitiser writes; "&amp;" last, so "&amp;lt;" reads "&lt;".
_ENTITIES = (("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
# SQLite has no regexp_replace: search.apps registers this function.
SQLITE_PLAIN_TEXT = "samspill_plain_text"


def plain_text(html: str | None) -> str | None:
    """SQLite's :data:`SQLITE_PLAIN_TEXT`: the same reading in Python."""
    if html is None:
        return None
    return unescape(re.sub(_ANY_TAG, " ", re.sub(_INLINE_TAG, "", html)))


def _plain_text(html: Any) -> Any:
    """The text of the sanitised HTML ``html`` (an expression), read in the
    query: what the substring rule and the full-text vector see of a clause
    or a routine."""
    if connection.vendor == "sqlite":
        return Func(html, function=SQLITE_PLAIN_TEXT, output_field=TextField())
    if connection.vendor != "postgresql":
        return html
    text: Any = html
    for pattern, gap in ((_INLINE_TAG, ""), (_ANY_TAG, " ")):
        text = Func(
            text,
            Value(pattern),
            Value(gap),
            Value("g"),
            function="regexp_replace",
            output_field=TextField(),
        )
    for entity, letter in _ENTITIES:
        text = Replace(text, Value(entity), Value(letter), output_field=TextField())
    return text


def _in_order(*names: str) -> dict[str, Any]:
    """An aggregate's order where the database knows it (SQLite from 3.44)."""
    return {"order_by": names} if connection.features.supports_aggregate_order_by_clause else {}


AGREEMENT_FIELDS = (
    ("title", "A"),
    ("number", "A"),
    ("clause_text", "B"),
)
CLAUSE_FIELDS = (
    ("heading", "A"),
    ("number", "A"),
    ("plain_text", "B"),
)
ROUTINE_FIELDS = (
    ("title", "A"),
    ("number", "A"),
    ("plain_text", "B"),
)


def _agreement_source(
    partnership: Partnership, access: PartnershipAccess | None, day: datetime.date
) -> _Source:
    # Every subquery states its order (or none): a model's default order joins
    # tables the outer query names too, and would capture its references.
    shown = AgreementVersion.objects.filter(pk=OuterRef("shown_id")).order_by()
    clauses = (
        Clause.objects.filter(agreement_version=OuterRef("shown_id"))
        .order_by()
        .values("agreement_version")
        .annotate(html=StringAgg("text", Value(""), **_in_order("position", "pk")))
        .values("html")
    )
    rows = (
        Agreement.objects.filter(partnership=partnership)
        .select_related("level")
        .annotate(
            shown_id=shown_version_id(OuterRef("pk"), day, public=access is None),
            shown_from=Subquery(shown.values("in_force_from")[:1]),
            clause_html=Subquery(clauses),
            sort_date=Coalesce(Subquery(shown.values("created")[:1]), F("created")),
        )
        .alias(clause_text=_plain_text(F("clause_html")))
    )
    # Inside, an agreement with no version yet is found by its title.
    full = Q(shown_id__isnull=False) if access is None else Q()
    return _Source(rows=rows, full=full, fields=AGREEMENT_FIELDS)


def _clause_source(
    partnership: Partnership, access: PartnershipAccess | None, day: datetime.date
) -> _Source:
    shown = shown_version_id(OuterRef("agreement_version__agreement"), day, public=access is None)
    rows = (
        Clause.objects.filter(
            agreement_version__agreement__partnership=partnership, agreement_version=shown
        )
        .select_related("agreement_version__agreement")
        .annotate(sort_date=F("agreement_version__created"))
        .alias(plain_text=_plain_text(F("text")))
    )
    return _Source(rows=rows, full=Q(), fields=CLAUSE_FIELDS)


def _routine_source(partnership: Partnership, access: PartnershipAccess | None) -> _Source:
    RS = RoutineVersion.Status
    versions = RoutineVersion.objects.filter(routine=OuterRef("pk")).order_by()
    shown_id: Any = Subquery(versions.filter(status=RS.IN_FORCE).values("pk")[:1])
    if access is not None:
        newest_draft = versions.filter(status=RS.DRAFT).order_by("-created", "-pk")
        shown_id = Coalesce(shown_id, Subquery(newest_draft.values("pk")[:1]))
    shown = RoutineVersion.objects.filter(pk=OuterRef("shown_id")).order_by()
    rows = (
        Routine.objects.filter(partnership=partnership)
        .select_related("agreement")
        .annotate(
            shown_id=shown_id,
            shown_text=Subquery(shown.values("text")[:1]),
            shown_from=Subquery(shown.values("in_force_from")[:1]),
            sort_date=Coalesce(Subquery(shown.values("created")[:1]), F("created")),
        )
        .alias(plain_text=_plain_text(F("shown_text")))
    )
    # Inside, a routine with no version yet is found by its title.
    full = Q(shown_id__isnull=False) if access is None else Q()
    return _Source(rows=rows, full=full, fields=ROUTINE_FIELDS)


# --- turning rows into hits ------------------------------------------------


def snippet(texts: Iterable[str], words: Iterable[str], size: int = SNIPPET_CHARS) -> str:
    """Plain text around the first word of the query found, else the start."""
    text = " ".join(" ".join(t.split()) for t in texts if t)
    if len(text) <= size:
        return text
    lower = text.lower()
    found = [p for p in (lower.find(w.lower()) for w in words if w) if p >= 0]
    start = max(0, min(found) - size // 4) if found else 0
    end = min(len(text), start + size)
    start = max(0, end - size)
    if start > 0:
        cut = text.find(" ", start)
        start = cut + 1 if 0 <= cut < start + 20 else start
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start + size // 2 else end
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


def _local(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _case_hit(
    case: Case, p: str, terms: Terms, access: PartnershipAccess | None, seats: Seats
) -> Hit:
    full = access is not None and can_see_case(access, case, seats)
    public_full = access is None and case.visibility == Visibility.PUBLIC
    meta: dict[str, Any] = {
        "kind": CASE,
        "number": case.number,
        "date": _local(case.created),
        "rank": float(case.rank),  # type: ignore[attr-defined]
        "sort_key": case.created,
    }
    if full or public_full:
        return Hit(
            title=case.title,
            snippet=snippet([case.paper_text], terms.words),
            url=reverse("councils:case" if full else "public_councils:case", args=[p, case.pk]),
            **meta,
        )
    # Seen by its public title only: nothing of its own text but the legal basis.
    meeting_id = case.listed_meeting_id  # type: ignore[attr-defined]
    if access is None:
        url = reverse(
            "public_councils:meeting",
            args=[p, case.listed_council_slug, meeting_id],  # type: ignore[attr-defined]
        )
    else:
        url = reverse("councils:meeting", args=[p, meeting_id])
    return Hit(
        title=case.title_for_public,
        snippet=str(_("Exempt from public access (%(basis)s).") % {"basis": case.legal_basis}),
        url=url,
        public_title_only=True,
        **meta,
    )


def _decision_hit(
    decision: Decision, p: str, terms: Terms, access: PartnershipAccess | None
) -> Hit:
    treatment = decision.treatment
    case, meeting = treatment.case, treatment.meeting
    assert case is not None
    if access is None:
        url = reverse("public_councils:minutes", args=[p, meeting.council.slug, meeting.pk])
    else:
        url = reverse("councils:minutes", args=[p, meeting.pk])
    return Hit(
        kind=DECISION,
        title=case.title,
        number=case.number,
        date=_local(meeting.starts_at),
        snippet=snippet([decision.adopted_text], terms.words),
        url=url,
        rank=float(decision.rank),  # type: ignore[attr-defined]
        sort_key=meeting.starts_at,
    )


def _minutes_hit(meeting: Meeting, p: str, access: PartnershipAccess | None) -> Hit:
    if access is None:
        url = reverse("public_councils:minutes", args=[p, meeting.council.slug, meeting.pk])
    else:
        url = reverse("councils:minutes", args=[p, meeting.pk])
    return Hit(
        kind=MINUTES,
        title=str(meeting),
        number="",
        date=_local(meeting.starts_at),
        snippet=meeting.get_status_display(),
        place=meeting.council.name,
        url=url,
        rank=float(meeting.rank),  # type: ignore[attr-defined]
        sort_key=meeting.starts_at,
    )


def _agreement_hit(agreement: Agreement, p: str, terms: Terms, public: bool) -> Hit:
    if public:
        url = reverse("public_agreements:agreement", args=[p, agreement.slug])
    else:
        url = reverse("agreements:agreement", args=[p, agreement.pk])
    text = richtext.text_of(agreement.clause_html)  # type: ignore[attr-defined]
    return Hit(
        kind=AGREEMENT,
        title=agreement.title,
        number=agreement.number,
        date=agreement.shown_from,  # type: ignore[attr-defined]
        snippet=snippet([text], terms.words),
        place=agreement.level.name,
        url=url,
        rank=float(agreement.rank),  # type: ignore[attr-defined]
        sort_key=agreement.sort_date,  # type: ignore[attr-defined]
    )


def _clause_hit(clause: Clause, p: str, terms: Terms, public: bool) -> Hit:
    version = clause.agreement_version
    agreement = version.agreement
    if public:
        # The agreement's page shows this version's text, each clause with an id.
        url = reverse("public_agreements:agreement", args=[p, agreement.slug])
        url = f"{url}#klausul-{clause.key}"
    else:
        url = reverse("agreements:version", args=[p, version.pk])
    return Hit(
        kind=CLAUSE,
        title=clause.heading,
        number=clause.number,
        date=version.in_force_from,
        snippet=snippet([richtext.text_of(clause.text)], terms.words),
        place=agreement.title,
        url=url,
        rank=float(clause.rank),  # type: ignore[attr-defined]
        sort_key=version.created,
    )


def _routine_hit(routine: Routine, p: str, terms: Terms, public: bool) -> Hit:
    if public:
        url = reverse("public_routines:routine", args=[p, routine.slug])
    else:
        url = reverse("routines:routine", args=[p, routine.pk])
    text = richtext.text_of(routine.shown_text)  # type: ignore[attr-defined]
    return Hit(
        kind=ROUTINE,
        title=routine.title,
        number=routine.number,
        date=routine.shown_from,  # type: ignore[attr-defined]
        snippet=snippet([text], terms.words),
        place=routine.agreement.title,
        url=url,
        rank=float(routine.rank),  # type: ignore[attr-defined]
        sort_key=routine.sort_date,  # type: ignore[attr-defined]
    )


# --- the search ------------------------------------------------------------


def search(
    partnership: Partnership,
    query: str,
    *,
    access: PartnershipAccess | None = None,
    kinds: Collection[str] = KINDS,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> SearchResults:
    """Ranked hits of the given kinds that match every word of ``query``.

    ``access`` None (or an outsider's access) searches as the public.
    Queries: one for the person's seats (inside), then one per kind (six):
    for the kinds asked for, the first ``offset + limit`` rows with what the
    hit shows joined in (the version an agreement or routine is read in, and
    its text, as subqueries) and the count of all matching rows; for the
    others, the count alone (for the kind links of the page). The caller has
    run the query through the identity-number guard (see ``search.forms``).
    """
    terms = parse(query)
    if terms.empty:
        return SearchResults(query="", hits=[], total=0, counts=dict.fromkeys(KINDS, 0))
    if access is not None and not access.is_insider:
        access = None
    seats = seat_council_ids(access) if access is not None else Seats()
    day = timezone.localdate()
    sources = {
        CASE: _case_source(partnership, access, seats),
        DECISION: _decision_source(partnership, access, seats),
        MINUTES: _minutes_source(partnership, access),
        AGREEMENT: _agreement_source(partnership, access, day),
        CLAUSE: _clause_source(partnership, access, day),
        ROUTINE: _routine_source(partnership, access),
    }
    p = partnership.slug
    public = access is None
    make: dict[str, Callable[[Any], Hit]] = {
        CASE: lambda row: _case_hit(row, p, terms, access, seats),
        DECISION: lambda row: _decision_hit(row, p, terms, access),
        MINUTES: lambda row: _minutes_hit(row, p, access),
        AGREEMENT: lambda row: _agreement_hit(row, p, terms, public),
        CLAUSE: lambda row: _clause_hit(row, p, terms, public),
        ROUTINE: lambda row: _routine_hit(row, p, terms, public),
    }
    counts: dict[str, int] = {}
    hits: list[Hit] = []
    for kind, source in sources.items():
        rows = source.matching(terms)
        if kind not in kinds:
            counts[kind] = rows.count()
            continue
        # The count rides along as a window over all matching rows, so one
        # query gives both: a kind with no rows on the page has none at all
        # (every kind is read from its first row to the end of the page).
        found = list(
            rows.annotate(matches=Window(Count("pk"))).order_by("-rank", "-sort_date", "-pk")[
                : offset + limit
            ]
        )
        counts[kind] = found[0].matches if found else 0
        hits.extend(make[kind](row) for row in found)
    total = sum(counts[k] for k in KINDS if k in kinds)
    hits.sort(key=_order, reverse=True)
    return SearchResults(
        query=normalise(query),
        hits=hits[offset : offset + limit],
        total=total,
        counts=counts,
    )


def _order(hit: Hit) -> tuple[float, datetime.datetime, int]:
    assert hit.sort_key is not None
    return (round(hit.rank, 6), hit.sort_key, -KINDS.index(hit.kind))


@dataclass(frozen=True)
class ResultPage:
    """One page of results, with what a pager needs."""

    results: SearchResults
    number: int
    num_pages: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


# No result list has a million pages; a larger number would only overflow
# the database's OFFSET ("?page=100000000000000000000").
MAX_PAGE = 1_000_000


def page_number(value: object) -> int:
    """A page number from a query string: 1 for nonsense, within 1…MAX_PAGE."""
    try:
        number = int(str(value))
    except ValueError:
        return 1
    return min(max(1, number), MAX_PAGE)


def search_page(
    partnership: Partnership,
    query: str,
    *,
    access: PartnershipAccess | None,
    kind: str = "",
    page: object = 1,
    page_size: int = PAGE_SIZE,
) -> ResultPage:
    """One page of :func:`search` for the pages and the API. ``kind`` is one
    of :data:`KINDS` or "" (all); a page past the end shows the last one."""
    kinds = (kind,) if kind in KINDS else KINDS
    number = page_number(page)
    results = search(
        partnership,
        query,
        access=access,
        kinds=kinds,
        limit=page_size,
        offset=(number - 1) * page_size,
    )
    num_pages = max(1, math.ceil(results.total / page_size))
    if number > num_pages:
        number = num_pages
        results = search(
            partnership,
            query,
            access=access,
            kinds=kinds,
            limit=page_size,
            offset=(number - 1) * page_size,
        )
    return ResultPage(results=results, number=number, num_pages=num_pages)
