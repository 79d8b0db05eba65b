"""Tests for the identity-number guard in :mod:`core.identity_numbers`.

The tests build identity numbers themselves, with a reference implementation
of the rules written independently of the module, so that a bug in the module
cannot hide behind the same bug in the test. No database and no Django are
needed.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.identity_numbers import (
    D_NUMMER,
    FODSELSNUMMER,
    H_NUMMER,
    KINDS,
    SYNTHETIC,
    IdentityNumberMatch,
    contains_identity_number,
    find_identity_numbers,
    identity_number_kind,
    is_identity_number,
    redact_identity_numbers,
)
from core.tests.report import report_figure
from core.tests.ways_of_writing import ways_of_writing

CORPUS_PATH = Path(__file__).parent / "data" / "ordinary_text_nb.txt"

# Hand-picked valid numbers (classic check digits), one per kind.
FNR = "15078810022"  # 15.07.88
D_NUMBER = "41020310039"  # day 01 + 40
H_NUMBER = "01420310028"  # month 02 + 40
SYNTHETIC_NUMBER = "01820310000"  # month 02 + 80
SYNTHETIC_D_NUMBER = "41820310185"  # day + 40 and month + 80
D_AND_H_NUMBER = "41420310011"  # day + 40 and month + 40
# Valid only under the rule for numbers issued from 2032 (K1 sum mod 11 == 1).
RULE_2032_NUMBER = "30108299939"
# Valid under both rules.
CLASSIC_NUMBER_FROM_2032_EXAMPLES = "30108299920"

SEPARATORS = (" ", ".", "-", "\u00a0", "\u2009", "\u2013", "\u2011", "\u202f")
DATE_SEPARATORS = (*SEPARATORS, "/")
FORMATS = ("contiguous", "6+5", "6+3+2", "date+5", "date+3+2")
# Digits of other scripts, which must not count.
FULLWIDTH_DIGITS = str.maketrans("0123456789", "".join(chr(0xFF10 + i) for i in range(10)))
ARABIC_INDIC_DIGITS = str.maketrans("0123456789", "".join(chr(0x0660 + i) for i in range(10)))


# --- Reference implementation, written independently of the module ----------

K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def k1_remainder(number: str) -> int:
    digits = [int(ch) for ch in number]
    return (sum(w * d for w, d in zip(K1_WEIGHTS, digits[:9], strict=True)) + digits[9]) % 11


def k2_remainder(number: str) -> int:
    digits = [int(ch) for ch in number]
    return (sum(w * d for w, d in zip(K2_WEIGHTS, digits[:10], strict=True)) + digits[10]) % 11


def reference_is_valid(number: str) -> bool:
    """Straightforward re-implementation of the rules, using datetime for dates."""
    if len(number) != 11 or any(ch not in "0123456789" for ch in number):
        return False
    if k1_remainder(number) not in (0, 1, 2, 3) or k2_remainder(number) != 0:
        return False
    day, month, year = int(number[0:2]), int(number[2:4]), int(number[4:6])
    for real_day in (day, day - 40):
        for real_month in (month, month - 40, month - 80):
            if not (1 <= real_day <= 31 and 1 <= real_month <= 12):
                continue
            for century in (1800, 1900, 2000):
                try:
                    datetime.date(century + year, real_month, real_day)
                except ValueError:
                    continue
                return True
    return False


def reference_kind(number: str) -> str:
    """The documented precedence: month offset first, then day offset."""
    day, month = int(number[0:2]), int(number[2:4])
    if month > 80:
        return SYNTHETIC
    if month > 40:
        return H_NUMMER
    if day > 40:
        return D_NUMMER
    return FODSELSNUMMER


def with_check_digits(first_nine: str, k1_target: int = 0) -> str | None:
    """Append K1 and K2 so that the K1 sum has remainder ``k1_target``; None if impossible."""
    digits = [int(ch) for ch in first_nine]
    k1 = (k1_target - sum(w * d for w, d in zip(K1_WEIGHTS, digits, strict=True))) % 11
    if k1 == 10:
        return None
    digits.append(k1)
    k2 = (-sum(w * d for w, d in zip(K2_WEIGHTS, digits, strict=True))) % 11
    if k2 == 10:
        return None
    return first_nine + str(k1) + str(k2)


def number_with_check_digits(first_six: str, k1_target: int = 0) -> str:
    """A number for the date ``first_six`` with the first usable individual number."""
    for individual in range(1000):
        number = with_check_digits(f"{first_six}{individual:03d}", k1_target)
        if number is not None:
            return number
    raise AssertionError("no individual number gives usable check digits")


def render(number: str, fmt: str, sep: str = " ", sep2: str = " ", date_sep: str = ".") -> str:
    if fmt == "contiguous":
        return number
    if fmt == "6+5":
        return f"{number[:6]}{sep}{number[6:]}"
    if fmt == "6+3+2":
        return f"{number[:6]}{sep}{number[6:9]}{sep2}{number[9:]}"
    date = date_sep.join((number[0:2], number[2:4], number[4:6]))
    if fmt == "date+5":
        return f"{date}{sep}{number[6:]}"
    if fmt == "date+3+2":
        return f"{date}{sep}{number[6:9]}{sep2}{number[9:]}"
    raise ValueError(fmt)


# --- Strategies ----------------------------------------------------------------


class GeneratedNumber(NamedTuple):
    number: str
    kind: str
    rule: str  # "classic" or "2032"


# Strategies are built once: building them inside the composite for every
# example would triple the run time.
KIND_STRATEGY = st.sampled_from(KINDS)
DAY_OFFSET_STRATEGY = st.sampled_from((0, 40))
RULE_STRATEGY = st.sampled_from(("classic", "2032"))
K1_TARGET_2032_STRATEGY = st.integers(1, 3)
YEAR_STRATEGY = st.integers(0, 99)
MONTH_STRATEGY = st.integers(1, 12)
DAY_STRATEGIES = {days: st.integers(1, days) for days in (28, 29, 30, 31)}
INDIVIDUAL_STRATEGY = st.integers(0, 999)


@st.composite
def valid_numbers(draw: st.DrawFn) -> GeneratedNumber:
    kind = draw(KIND_STRATEGY)
    if kind == FODSELSNUMMER:
        day_offset, month_offset = 0, 0
    elif kind == D_NUMMER:
        day_offset, month_offset = 40, 0
    elif kind == H_NUMMER:
        day_offset, month_offset = draw(DAY_OFFSET_STRATEGY), 40
    else:
        day_offset, month_offset = draw(DAY_OFFSET_STRATEGY), 80
    rule = draw(RULE_STRATEGY)
    k1_target = 0 if rule == "classic" else draw(K1_TARGET_2032_STRATEGY)
    year = draw(YEAR_STRATEGY)
    month = draw(MONTH_STRATEGY)
    # Any year divisible by four is a leap year in some century.
    days = calendar.monthrange(2000 if year % 4 == 0 else 2001, month)[1]
    day = draw(DAY_STRATEGIES[days])
    individual = draw(INDIVIDUAL_STRATEGY)
    head = f"{day + day_offset:02d}{month + month_offset:02d}{year:02d}"
    for step in range(1000):
        number = with_check_digits(f"{head}{(individual + step) % 1000:03d}", k1_target)
        if number is not None:
            return GeneratedNumber(number, kind, rule)
    raise AssertionError("no individual number gives usable check digits")


WORDS = (
    "pasienten",
    "ble",
    "henvist",
    "til",
    "poliklinikken",
    "og",
    "kommunen",
    "fikk",
    "melding",
    "om",
    "utskrivning",
    "fastlegen",
    "ringte",
    "hjemmetjenesten",
    "Sykehuset",
    "avvik",
    "Notat:",
    "kl.",
    "10.30",
    "rom",
    "3B",
    "sak",
    "24/012",
    "2.",
    "etasje,",
    "Ærlig",
    "øye",
    "Åfjord",
    "«sitat»",
    "(se",
    "vedlegg)",
    "\u2013",
    "\u2026",
)
# Words that end right before the number or start right after it: never digits.
LEFT_WORDS = ("fnr", "Fnr.", "pasient", "D-nr", "nr", "id", "Personnummer", "«", "(", "")
LEFT_GLUE = ("", " ", ": ", ":", ". ", "\n", "\t", "/", "#", "=", " (", " «", "\u00a0")
RIGHT_GLUE = ("", ".", ",", ")", "»", " ", "!", "?", ";", ":", "\n", ". ", ", ", " -", "'")
RIGHT_WORDS = ("x", "og", "kr", "Neste", "er", "ble", "")


class Embedded(NamedTuple):
    generated: GeneratedNumber
    fmt: str
    text: str
    start: int
    end: int


FORMAT_STRATEGY = st.sampled_from(FORMATS)
SEPARATOR_STRATEGY = st.sampled_from(SEPARATORS)
DATE_SEPARATOR_STRATEGY = st.sampled_from(DATE_SEPARATORS)
WORDS_STRATEGY = st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join)
LEFT_STRATEGY = st.tuples(st.sampled_from(LEFT_WORDS), st.sampled_from(LEFT_GLUE)).map("".join)
RIGHT_STRATEGY = st.tuples(st.sampled_from(RIGHT_GLUE), st.sampled_from(RIGHT_WORDS)).map("".join)
VALID_NUMBER_STRATEGY = valid_numbers()


@st.composite
def embedded_numbers(draw: st.DrawFn) -> Embedded:
    generated = draw(VALID_NUMBER_STRATEGY)
    fmt = draw(FORMAT_STRATEGY)
    rendered = render(
        generated.number,
        fmt,
        sep=draw(SEPARATOR_STRATEGY),
        sep2=draw(SEPARATOR_STRATEGY),
        date_sep=draw(DATE_SEPARATOR_STRATEGY),
    )
    before = draw(WORDS_STRATEGY)
    left = draw(LEFT_STRATEGY)
    right = draw(RIGHT_STRATEGY)
    after = draw(WORDS_STRATEGY)
    prefix = f"{before} {left}" if before else left
    text = f"{prefix}{rendered}{right} {after}"
    return Embedded(generated, fmt, text, len(prefix), len(prefix) + len(rendered))


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f} %" if whole else "n/a"


# --- is_identity_number and identity_number_kind ---------------------------------


def test_the_hand_picked_numbers_are_valid_according_to_the_reference() -> None:
    for number in (FNR, D_NUMBER, H_NUMBER, SYNTHETIC_NUMBER, SYNTHETIC_D_NUMBER, D_AND_H_NUMBER):
        assert reference_is_valid(number)
        assert k1_remainder(number) == 0


def test_it_accepts_a_fodselsnummer() -> None:
    assert is_identity_number(FNR)
    assert identity_number_kind(FNR) == FODSELSNUMMER


def test_it_accepts_a_d_number() -> None:
    assert is_identity_number(D_NUMBER)
    assert identity_number_kind(D_NUMBER) == D_NUMMER


def test_it_accepts_an_h_number() -> None:
    assert is_identity_number(H_NUMBER)
    assert identity_number_kind(H_NUMBER) == H_NUMMER


def test_it_accepts_a_synthetic_tenor_number() -> None:
    assert is_identity_number(SYNTHETIC_NUMBER)
    assert identity_number_kind(SYNTHETIC_NUMBER) == SYNTHETIC


def test_it_calls_a_synthetic_d_number_synthetic() -> None:
    assert identity_number_kind(SYNTHETIC_D_NUMBER) == SYNTHETIC


def test_it_calls_a_number_with_both_d_and_h_offsets_an_h_number() -> None:
    assert identity_number_kind(D_AND_H_NUMBER) == H_NUMMER


def test_it_accepts_both_examples_of_the_2032_rule() -> None:
    assert is_identity_number(CLASSIC_NUMBER_FROM_2032_EXAMPLES)
    assert is_identity_number(RULE_2032_NUMBER)
    assert identity_number_kind(RULE_2032_NUMBER) == FODSELSNUMMER
    assert k1_remainder(CLASSIC_NUMBER_FROM_2032_EXAMPLES) == 0
    assert k1_remainder(RULE_2032_NUMBER) == 1


@pytest.mark.parametrize("target", [1, 2, 3])
def test_it_accepts_a_k1_remainder_allowed_from_2032(target: int) -> None:
    number = number_with_check_digits("150788", k1_target=target)
    assert k1_remainder(number) == target
    assert is_identity_number(number)


@pytest.mark.parametrize("target", [4, 5, 6, 7, 8, 9, 10])
def test_it_rejects_a_k1_remainder_not_allowed_even_from_2032(target: int) -> None:
    number = number_with_check_digits("150788", k1_target=target)
    assert k2_remainder(number) == 0
    assert not is_identity_number(number)


def test_it_rejects_a_wrong_second_check_digit() -> None:
    wrong = FNR[:10] + str((int(FNR[10]) + 1) % 10)
    assert not is_identity_number(wrong)


@pytest.mark.parametrize(
    "first_six",
    [
        "290201",  # 29 February in a year that is never a leap year
        "300200",  # 30 February
        "310485",  # 31 April
        "000185",  # day 00
        "320185",  # day 32
        "010085",  # month 00
        "011385",  # month 13
        "014085",  # month 40: neither plain nor H
        "015385",  # H-number month 13
        "019385",  # synthetic month 13
        "400185",  # day 40: neither plain nor D
        "720185",  # D-number day 32
        "800185",  # day 80
        "690285",  # D-number 29 February in a non-leap year
    ],
)
def test_it_rejects_a_date_that_does_not_exist(first_six: str) -> None:
    number = number_with_check_digits(first_six)
    assert not reference_is_valid(number)
    assert not is_identity_number(number)
    assert identity_number_kind(number) is None


@pytest.mark.parametrize("first_six", ["290200", "290204", "290296", "690204", "294204", "298204"])
def test_it_accepts_29_february_when_the_year_is_a_leap_year_in_some_century(
    first_six: str,
) -> None:
    assert is_identity_number(number_with_check_digits(first_six))


@pytest.mark.parametrize(
    "value",
    [
        "",
        FNR[:10],
        FNR + "0",
        f"{FNR[:6]} {FNR[6:]}",
        f" {FNR}",
        FNR.translate(FULLWIDTH_DIGITS),
        FNR.translate(ARABIC_INDIC_DIGITS),
        FNR[:5] + "x" + FNR[6:],
    ],
)
def test_it_only_accepts_exactly_eleven_ascii_digits(value: str) -> None:
    assert not is_identity_number(value)
    assert identity_number_kind(value) is None


def test_it_finds_numbers_written_in_other_scripts_digits() -> None:
    # is_identity_number wants ASCII digits (above); text is folded first, so
    # that a number cannot slip through in full-width or Arabic-Indic digits.
    for table in (FULLWIDTH_DIGITS, ARABIC_INDIC_DIGITS):
        text = f"fnr {FNR.translate(table)}"
        match = only_match(text)
        assert (match.start, match.end) == (4, 15)


# --- Finding numbers in text -------------------------------------------------------


def only_match(text: str) -> IdentityNumberMatch:
    matches = find_identity_numbers(text)
    assert len(matches) == 1, matches
    return matches[0]


def test_it_finds_a_fodselsnummer_written_as_eleven_digits() -> None:
    text = f"Fødselsnummer {FNR} ble oppgitt."
    assert only_match(text) == IdentityNumberMatch(14, 25, FODSELSNUMMER)


@pytest.mark.parametrize("sep", SEPARATORS)
def test_it_finds_a_number_written_as_six_plus_five(sep: str) -> None:
    rendered = render(FNR, "6+5", sep=sep)
    match = only_match(f"Pasient {rendered} ble innlagt")
    assert (match.start, match.end, match.kind) == (8, 8 + 12, FODSELSNUMMER)


def test_it_finds_a_d_number_written_with_a_dash() -> None:
    text = f"D-nummer {D_NUMBER[:6]}-{D_NUMBER[6:]}."
    assert only_match(text) == IdentityNumberMatch(9, 21, D_NUMMER)


def test_it_finds_an_h_number_written_with_a_dot() -> None:
    text = f"H-nr {H_NUMBER[:6]}.{H_NUMBER[6:]}"
    assert only_match(text) == IdentityNumberMatch(5, 17, H_NUMMER)


def test_it_finds_a_synthetic_number_written_with_a_non_breaking_space() -> None:
    text = f"Testperson {SYNTHETIC_NUMBER[:6]}\u00a0{SYNTHETIC_NUMBER[6:]}"
    assert only_match(text).kind == SYNTHETIC


@pytest.mark.parametrize("sep", SEPARATORS)
def test_it_finds_a_number_written_as_six_plus_three_plus_two(sep: str) -> None:
    rendered = render(FNR, "6+3+2", sep=sep, sep2=sep)
    assert only_match(f"nr. {rendered}") == IdentityNumberMatch(4, 4 + 13, FODSELSNUMMER)


@pytest.mark.parametrize("date_sep", DATE_SEPARATORS)
@pytest.mark.parametrize("fmt", ["date+5", "date+3+2"])
def test_it_finds_a_number_written_as_a_date_and_the_personal_digits(
    date_sep: str, fmt: str
) -> None:
    rendered = render(FNR, fmt, sep=" ", sep2=" ", date_sep=date_sep)
    match = only_match(f"Født {rendered}, bor i Trondheim")
    assert (match.start, match.end) == (5, 5 + len(rendered))


def test_it_finds_a_date_grouped_number_with_a_dash_before_the_personal_digits() -> None:
    assert only_match(f"{FNR[0:2]}.{FNR[2:4]}.{FNR[4:6]}-{FNR[6:]}").kind == FODSELSNUMMER


def test_it_does_not_find_a_date_grouped_number_with_mixed_date_separators() -> None:
    # People write a date with one separator; "15.07-88 10022" is not a date.
    assert find_identity_numbers(f"{FNR[0:2]}.{FNR[2:4]}-{FNR[4:6]} {FNR[6:]}") == []


@pytest.mark.parametrize(
    "template",
    [
        "fnr:{}.",
        "pasient{}x",
        "({})",
        "«{}»",
        "Fnr.{}",
        "{}",
        "id={};neste",
        "tlf 12345678, fnr {}, kl. 10.30",
        "Linje én\n{}\nLinje tre",
    ],
)
def test_it_finds_a_number_glued_to_words_and_punctuation(template: str) -> None:
    text = template.format(FNR)
    start = text.index(FNR)
    assert only_match(text) == IdentityNumberMatch(start, start + 11, FODSELSNUMMER)


def test_it_finds_several_numbers_in_order() -> None:
    text = f"A: {FNR}, B: {D_NUMBER[:6]} {D_NUMBER[6:]}, C: {render(H_NUMBER, 'date+3+2')}."
    assert [match.kind for match in find_identity_numbers(text)] == [
        FODSELSNUMMER,
        D_NUMMER,
        H_NUMMER,
    ]


@pytest.mark.parametrize(
    "template",
    [
        "1{}",  # part of a 12-digit run
        "{}0",
        "tel{}12",
        "1.{}",  # continues a dotted or decimal number
        "1,{}",
        "{}.5",
        "{},50 kr",
        "+{}",  # an international phone number
    ],
)
def test_it_does_not_find_a_number_that_is_glued_to_more_digits(template: str) -> None:
    assert find_identity_numbers(template.format(FNR)) == []


def test_it_still_finds_a_number_after_a_sentence_that_ends_in_a_digit() -> None:
    # Only a digit directly before the dot or comma blocks the match.
    assert len(find_identity_numbers(f"Det var 3. {FNR} er oppgitt.")) == 1
    assert len(find_identity_numbers(f"Rom 3, {FNR}")) == 1


def test_it_does_not_find_eleven_digits_that_fail_the_rules() -> None:
    invalid = FNR[:10] + str((int(FNR[10]) + 1) % 10)
    assert find_identity_numbers(f"nr {invalid} og {invalid[:6]} {invalid[6:]}") == []


def test_an_invalid_candidate_does_not_hide_a_valid_one_nearby() -> None:
    invalid = FNR[:10] + str((int(FNR[10]) + 1) % 10)
    text = f"{invalid} {FNR}"
    assert only_match(text) == IdentityNumberMatch(12, 23, FODSELSNUMMER)


# --- Ordinary numbers that must not be flagged ----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Ring 74098000 for timebestilling.",
        "Sentralbord 74 09 80 00.",
        "Sentralbord 740 98 000.",
        "Fra utlandet: +47 740 98 000 eller 0047 74 09 80 00.",
        "Mobil +4741234567 eller 412 34 567 eller 41 23 45 67.",
        "Org.nr. 983 974 899 og 983974899, NO 983 974 899 MVA.",
        "Levanger (5037) og Verdal (5038).",
        "Møtet 01.02.2003, 1. februar 2003 og 2003-02-01.",
        "Datoer 15.07.88 og 15/07/1988 kl. 10.30\u201311.45.",
        "Budsjettet er 12 345 678,50 kr, forbruket 1 234 567 kr.",
        "Sak 24/012 og 2024/01234-3.",
        "Konto 1234.56.78903 eller 1234 56 78903.",
        "IBAN NO93 8601 1117 947.",
        "Legevakt 116 117, nødnummer 113.",
        "",
    ],
)
def test_it_does_not_flag_ordinary_numbers(text: str) -> None:
    assert find_identity_numbers(text) == []
    assert not contains_identity_number(text)


@pytest.mark.parametrize("sep", [".", " "])
def test_it_does_not_flag_an_account_number_whose_digits_are_an_identity_number(sep: str) -> None:
    # Account numbers have eleven digits and the same mod-11 check as K2, so
    # only the 4.2.5 grouping tells them apart from an identity number.
    assert is_identity_number(FNR)
    account = f"{FNR[:4]}{sep}{FNR[4:6]}{sep}{FNR[6:]}"
    assert find_identity_numbers(f"Betal til konto {account} innen fredag.") == []


# --- The match object must not leak the number ------------------------------------------


def test_a_match_does_not_show_the_number_in_repr_or_str() -> None:
    for rendered in (FNR, f"{FNR[:6]} {FNR[6:]}", render(FNR, "date+3+2")):
        match = only_match(f"fnr {rendered}")
        for shown in (repr(match), str(match), f"{match}", f"{[match]}"):
            assert FNR not in shown
            assert FNR[:6] not in shown
            assert FNR[6:] not in shown
            assert rendered not in shown
        assert "fodselsnummer" in repr(match)


def test_a_match_holds_only_the_span_and_the_kind() -> None:
    match = only_match(f"fnr {FNR}")
    assert [field.name for field in dataclasses.fields(match)] == ["start", "end", "kind"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.start = 0  # type: ignore[misc]


# --- contains and redact ------------------------------------------------------------------


def test_it_says_whether_a_text_contains_a_number() -> None:
    assert contains_identity_number(f"Pasient {FNR[:6]} {FNR[6:]} ringte.")
    assert not contains_identity_number("Pasient ringte 740 98 000.")


def test_it_redacts_every_number_and_keeps_the_rest() -> None:
    text = f"A: {FNR}, B: {render(D_NUMBER, 'date+5', sep='-')}, tlf 740 98 000."
    assert redact_identity_numbers(text) == "A: [fjernet], B: [fjernet], tlf 740 98 000."
    assert redact_identity_numbers(text, replacement="***") == "A: ***, B: ***, tlf 740 98 000."


def test_it_leaves_a_text_without_numbers_unchanged() -> None:
    text = "Org.nr. 983 974 899, konto 1234.56.78903."
    assert redact_identity_numbers(text) == text


# --- Cross-check of the classic subset with python-stdnum --------------------------------


@settings(max_examples=1000, derandomize=True, deadline=None, database=None)
@given(generated=valid_numbers())
def test_python_stdnum_agrees_on_the_classic_check_digits(generated: GeneratedNumber) -> None:
    fodselsnummer = pytest.importorskip("stdnum.no.fodselsnummer")
    number = generated.number
    classic_check_digits = (
        fodselsnummer.calc_check_digit1(number) == number[9]
        and fodselsnummer.calc_check_digit2(number) == number[10]
    )
    # The 2032 rule is a strict extension: its extra numbers fail the classic K1.
    assert classic_check_digits == (generated.rule == "classic")
    assert is_identity_number(number)


@settings(max_examples=1000, derandomize=True, deadline=None, database=None)
@given(number=st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_every_number_python_stdnum_accepts_is_accepted(number: str) -> None:
    fodselsnummer = pytest.importorskip("stdnum.no.fodselsnummer")
    if fodselsnummer.is_valid(number):
        assert is_identity_number(number)
    assert is_identity_number(number) == reference_is_valid(number)


def test_python_stdnum_would_miss_a_number_under_the_2032_rule() -> None:
    fodselsnummer = pytest.importorskip("stdnum.no.fodselsnummer")
    assert not fodselsnummer.is_valid(RULE_2032_NUMBER)
    assert is_identity_number(RULE_2032_NUMBER)


# --- Property tests ---------------------------------------------------------------------


def test_it_finds_every_generated_valid_number_in_running_text() -> None:
    total: Counter[str] = Counter()
    per_kind: Counter[str] = Counter()
    per_rule: Counter[str] = Counter()
    per_format: Counter[str] = Counter()
    misses: list[Embedded] = []

    @settings(
        max_examples=10_500,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(case=embedded_numbers())
    def check(case: Embedded) -> None:
        generated = case.generated
        assert reference_is_valid(generated.number)
        assert reference_kind(generated.number) == generated.kind
        total["generated"] += 1
        per_kind[generated.kind] += 1
        per_rule[generated.rule] += 1
        per_format[case.fmt] += 1
        expected = IdentityNumberMatch(case.start, case.end, generated.kind)
        if (
            expected in find_identity_numbers(case.text)
            and is_identity_number(generated.number)
            and identity_number_kind(generated.number) == generated.kind
            and contains_identity_number(case.text)
            and case.text[case.start : case.end] not in redact_identity_numbers(case.text)
        ):
            total["found"] += 1
        else:
            misses.append(case)

    check()
    generated, found = total["generated"], total["found"]
    report_figure(
        "identity guard: generated valid numbers found",
        f"{found}/{generated} ({percent(found, generated)}); "
        f"fnr {per_kind[FODSELSNUMMER]}, d {per_kind[D_NUMMER]}, h {per_kind[H_NUMMER]}, "
        f"synthetic {per_kind[SYNTHETIC]}; classic rule {per_rule['classic']}, "
        f"2032 rule {per_rule['2032']}; "
        + ", ".join(f"{fmt} {per_format[fmt]}" for fmt in FORMATS),
    )
    assert generated >= 10_000
    assert all(per_kind[kind] > 0 for kind in KINDS)
    assert all(per_format[fmt] > 0 for fmt in FORMATS)
    assert per_rule["2032"] > 0
    assert not misses, misses[:5]


def test_every_single_digit_change_is_rejected_unless_it_is_itself_valid() -> None:
    stats: Counter[str] = Counter()

    @settings(max_examples=1500, derandomize=True, deadline=None, database=None)
    @given(generated=valid_numbers())
    def check(generated: GeneratedNumber) -> None:
        number = generated.number
        stats["numbers"] += 1
        for position in range(11):
            for digit in "0123456789":
                if digit == number[position]:
                    continue
                mutated = number[:position] + digit + number[position + 1 :]
                still_valid = reference_is_valid(mutated)
                stats["mutations"] += 1
                stats["still_valid"] += still_valid
                assert is_identity_number(mutated) == still_valid, (number, mutated)

    check()
    report_figure(
        "identity guard: single-digit mutations",
        f"{stats['mutations']:,} mutations of {stats['numbers']:,} valid numbers checked, "
        f"{stats['still_valid']} still valid under the rules, the rest all rejected",
    )
    assert stats["mutations"] == 99 * stats["numbers"]
    assert stats["mutations"] >= 100_000


@st.composite
def numbers_with_check_digits(draw: st.DrawFn) -> str:
    """Any nine digits (most dates invalid) with check digits for any K1 remainder."""
    first_nine = "".join(draw(NINE_DIGITS_STRATEGY))
    number = with_check_digits(first_nine, draw(ANY_K1_TARGET_STRATEGY))
    assume(number is not None)
    assert number is not None
    return number


NINE_DIGITS_STRATEGY = st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)
ANY_K1_TARGET_STRATEGY = st.integers(0, 10)


@settings(max_examples=3000, derandomize=True, deadline=None, database=None)
@given(number=numbers_with_check_digits())
def test_it_agrees_with_the_reference_on_numbers_with_check_digits(number: str) -> None:
    # Every K2 is right and a third of the K1 remainders are allowed, so this
    # exercises the date rules and the kind precedence on many dates.
    expected = reference_is_valid(number)
    assert is_identity_number(number) == expected
    assert identity_number_kind(number) == (reference_kind(number) if expected else None)


# --- False positives ----------------------------------------------------------------------

ACCOUNT_GROUPED = re.compile(r"(?<![0-9])([0-9]{4})[. ]([0-9]{2})[. ]([0-9]{5})(?![0-9])")


def test_the_ordinary_corpus_has_no_false_positives() -> None:
    text = CORPUS_PATH.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    digit_groups = re.findall(r"[0-9]+", text)
    accounts = ["".join(groups) for groups in ACCOUNT_GROUPED.findall(text)]
    identity_like_accounts = sum(reference_is_valid(digits) for digits in accounts)

    false_positives = [
        (line_number, match)
        for line_number, line in enumerate(text.splitlines(), start=1)
        for match in find_identity_numbers(line)
    ]
    whole_text_matches = find_identity_numbers(text)
    report_figure(
        "identity guard: false positives in corpus file",
        f"{len(false_positives)} in {len(lines)} lines ({len(digit_groups):,} digit groups; "
        f"{len(accounts)} grouped account numbers, {identity_like_accounts} of them "
        "would be identity numbers if written as 11 digits)",
    )
    assert len(lines) >= 300
    assert len(accounts) >= 10
    assert identity_like_accounts >= 1
    assert false_positives == []
    assert whole_text_matches == []


def test_the_corpus_check_would_notice_a_number() -> None:
    text = CORPUS_PATH.read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[len(lines) // 2] += f" Pasientens fnr er {FNR[:6]} {FNR[6:]}."
    assert len(find_identity_numbers("\n".join(lines))) == 1


ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)


class OrdinaryNumbers:
    """Seeded generator of ordinary numbers in their usual Norwegian groupings."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.counts: Counter[str] = Counter()

    def digits(self, count: int) -> str:
        return "".join(str(self.rng.randrange(10)) for _ in range(count))

    def phone(self) -> str:
        self.counts["phone"] += 1
        number = self.rng.choice("2345679") + self.digits(7)
        body = self.rng.choice(
            (
                number,
                f"{number[:2]} {number[2:4]} {number[4:6]} {number[6:]}",
                f"{number[:3]} {number[3:5]} {number[5:]}",
                f"{number[:2]}\u00a0{number[2:4]}\u00a0{number[4:6]}\u00a0{number[6:]}",
            )
        )
        prefix = self.rng.choice(("", "", "+47 ", "+47", "0047 ", "(+47) ", "+47-"))
        return prefix + body

    def organisation_number(self) -> str:
        self.counts["organisation number"] += 1
        while True:
            first = self.rng.choice("89") + self.digits(7)
            check = (11 - sum(w * int(d) for w, d in zip(ORG_WEIGHTS, first, strict=True))) % 11
            if check == 10:
                continue
            number = first + str(check)
            return self.rng.choice(
                (number, f"{number[:3]} {number[3:6]} {number[6:]}", f"NO {number} MVA")
            )

    def account_number(self) -> str:
        self.counts["account number"] += 1
        while True:
            first = self.digits(10)
            check = (11 - sum(w * int(d) for w, d in zip(K2_WEIGHTS, first, strict=True))) % 11
            if check == 10:
                continue
            number = first + str(check)
            break
        # Half the time, use a number whose digits are a valid identity number,
        # to show that the grouping is what keeps account numbers apart.
        if self.rng.random() < 0.5:
            number = self.identity_digits()
        if reference_is_valid(number):
            self.counts["identity-like account number"] += 1
        sep = self.rng.choice((".", " ", "\u00a0"))
        return f"{number[:4]}{sep}{number[4:6]}{sep}{number[6:]}"

    def identity_digits(self) -> str:
        while True:
            head = f"{self.rng.randint(1, 28):02d}{self.rng.randint(1, 12):02d}{self.digits(5)}"
            number = with_check_digits(head, self.rng.choice((0, 1, 2, 3)))
            if number is not None:
                return number

    def municipality_number(self) -> str:
        self.counts["municipality number"] += 1
        county = self.rng.choice(("03", "11", "15", "18", "31", "33", "34", "42", "46", "50", "55"))
        return county + self.digits(2)

    def date(self) -> str:
        self.counts["date"] += 1
        day, month, year = (
            self.rng.randint(1, 28),
            self.rng.randint(1, 12),
            self.rng.randint(1920, 2035),
        )
        return self.rng.choice(
            (
                f"{day:02d}.{month:02d}.{year}",
                f"{day}.{month}.{year}",
                f"{day}. {MONTHS[month - 1]} {year}",
                f"{year}-{month:02d}-{day:02d}",
                f"{day:02d}/{month:02d}/{year}",
                f"{day:02d}.{month:02d}.{year % 100:02d}",
            )
        )

    def amount(self) -> str:
        self.counts["amount"] += 1
        whole = self.rng.randint(0, 99_999_999)
        grouped = f"{whole:,}".replace(",", self.rng.choice((" ", "\u00a0", ".")))
        return self.rng.choice(
            (
                f"{grouped} kr",
                f"{grouped},{self.rng.randint(0, 99):02d} kr",
                f"kr {grouped},-",
                f"NOK {grouped},00",
                f"{whole} kroner",
            )
        )

    def case_number(self) -> str:
        self.counts["case number"] += 1
        return self.rng.choice(
            (
                f"{self.rng.randint(18, 26)}/{self.digits(3)}",
                f"{self.rng.randint(2018, 2026)}/{self.digits(5)}-{self.rng.randint(1, 30)}",
            )
        )

    def time_of_day(self) -> str:
        self.counts["time"] += 1
        start, end = self.rng.randint(7, 15), self.rng.randint(16, 22)
        return f"kl. {start:02d}.{self.rng.choice(('00', '15', '30', '45'))}\u2013{end}.00"


SENTENCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Ring sekretariatet på {} eller mobil {}.", ("phone", "phone")),
    ("Faktura til org.nr. {}, betales til konto {} innen {}.", ("org", "account", "date")),
    ("Møtet {} {} holdes i {} kommune (kommunenr. {}).", ("date", "time", "word", "kommune")),
    ("Budsjettet er {} og forbruket {} per {}.", ("amount", "amount", "date")),
    ("Sak {}: tilskudd på {} utbetales til {}.", ("case", "amount", "account")),
    ("Avvik meldt {}, kontakt {} ({}).", ("date", "phone", "case")),
    ("Leverandør {} tilbyr lisenser for {}; tlf. {}.", ("org", "amount", "phone")),
    ("Kontonummer: {}. Org.nr.: {}. Telefon: {}.", ("account", "org", "phone")),
    ("{} / {} / {}", ("phone", "phone", "phone")),
    ("Refusjon {} ble overført {} til {}, ref. {}.", ("amount", "date", "account", "case")),
)


def test_generated_ordinary_numbers_are_not_flagged() -> None:
    numbers = OrdinaryNumbers(seed=20240314)
    fillers: dict[str, Callable[[], str]] = {
        "phone": numbers.phone,
        "org": numbers.organisation_number,
        "account": numbers.account_number,
        "date": numbers.date,
        "time": numbers.time_of_day,
        "amount": numbers.amount,
        "case": numbers.case_number,
        "kommune": numbers.municipality_number,
        "word": lambda: numbers.rng.choice(("Levanger", "Verdal", "Frøya", "Ørland")),
    }
    sentences = []
    for index in range(2400):
        template, slots = SENTENCES[index % len(SENTENCES)]
        sentences.append(template.format(*(fillers[slot]() for slot in slots)))
    false_positives = [s for s in sentences if find_identity_numbers(s)]
    paragraph_matches = find_identity_numbers(" ".join(sentences))
    ordinary = sum(count for kind, count in numbers.counts.items() if "identity" not in kind)
    report_figure(
        "identity guard: false positives in generated ordinary numbers",
        f"{len(false_positives)} in {ordinary:,} numbers in {len(sentences):,} sentences ("
        + ", ".join(
            f"{kind} {count}"
            for kind, count in sorted(numbers.counts.items())
            if "identity" not in kind
        )
        + f"; {numbers.counts['identity-like account number']} of the account numbers "
        "would be identity numbers if written as 11 digits)",
    )
    assert ordinary >= 5000
    assert numbers.counts["identity-like account number"] >= 500
    assert false_positives == []
    assert paragraph_matches == []


def _number_dense_text(numbers: OrdinaryNumbers) -> dict[str, str]:
    """Text where a looser matcher could join neighbouring numbers: tables of
    statistics (tab- and space-separated, with two-digit columns), phone lists
    over several lines, organisation and account numbers with spaces, and
    dates with times next to case numbers."""
    rng = numbers.rng
    kommuner = ("Levanger", "Verdal", "Steinkjer", "Namsos", "Frosta", "Leka", "Snåsa")

    def row(separator: str) -> str:
        cells = [rng.choice(kommuner)]
        cells += [str(rng.randint(0, 99)).zfill(rng.choice((1, 2))) for _ in range(4)]
        cells += [str(rng.randint(1000, 99999)), f"{rng.randint(0, 99)},{rng.randint(0, 9)}"]
        return separator.join(cells)

    tables = (
        "\n".join(row("\t") for _ in range(400)) + "\n" + "\n".join(row(" ") for _ in range(400))
    )
    years = "\n".join(
        "\t".join([str(y) for y in range(2015, 2025)])
        + "\n"
        + "\t".join(str(rng.randint(10, 99)) for _ in range(10))
        for _ in range(100)
    )
    phones = "\n".join(numbers.phone() for _ in range(600))
    registry = "\n".join(
        f"{numbers.organisation_number()}\t{numbers.account_number()}" for _ in range(300)
    )
    minutes = "\n".join(
        f"{numbers.date()} {numbers.time_of_day()}\tsak {numbers.case_number()}\t"
        f"{numbers.case_number()}"
        for _ in range(400)
    )
    return {
        "statistics tables": tables,
        "year columns": years,
        "phone lists": phones,
        "organisation and account numbers": registry,
        "dates, times and case numbers": minutes,
    }


def test_number_dense_text_has_no_false_positives() -> None:
    numbers = OrdinaryNumbers(seed=20261204)
    parts = _number_dense_text(numbers)
    found = {name: len(find_identity_numbers(text)) for name, text in parts.items()}
    lines = sum(text.count("\n") + 1 for text in parts.values())
    groups = sum(len(re.findall(r"[0-9]+", text)) for text in parts.values())
    report_figure(
        "identity guard: false positives in number-dense text",
        f"{sum(found.values())} in {lines:,} lines ({groups:,} digit groups: "
        + ", ".join(f"{name} {n}" for name, n in found.items())
        + ")",
    )
    assert groups > 10_000
    assert found == dict.fromkeys(parts, 0)


# --- Performance -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("0" * 100_000, id="one long digit run"),
        pytest.param("1 " * 50_000, id="single digits and spaces"),
        pytest.param("01.01.01 " * 11_200, id="repeated dates"),
        pytest.param("010101 123 " * 9_100, id="almost numbers"),
        pytest.param("010101-" * 14_300, id="six digits and dashes"),
        pytest.param(("Notat " + FNR[:6] + " " + FNR[6:] + ". ") * 5_000, id="many numbers"),
    ],
)
def test_it_scans_a_100_kb_text_quickly(text: str) -> None:
    started = time.perf_counter()
    matches = find_identity_numbers(text)
    redact_identity_numbers(text)
    elapsed = time.perf_counter() - started
    assert len(text) >= 100_000
    assert elapsed < 2.0
    assert len(matches) == text.count(FNR[6:])


# --- However the number is written (issue 10) ---------------------------------------------


@pytest.mark.parametrize(("name", "written"), list(ways_of_writing(FNR).items()))
def test_every_way_of_writing_a_number_is_found(name: str, written: str) -> None:
    text = f"Pasient {written} ble sendt hjem."
    match = only_match(text)
    assert (match.start, match.end) == (8, 8 + len(written.rstrip("\u00ad"))), name
    assert written not in redact_identity_numbers(text)
