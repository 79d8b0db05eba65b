"""The statistics parser against the sample files, true to the published
formats, and their broken variants (see ``samples/README.md``). No database."""

from __future__ import annotations

import copy
import csv
import io
import json
import random
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from core.identity_numbers import is_identity_number
from indicators.parsing import (
    MAX_BYTES,
    MAX_ERRORS,
    ParsedValue,
    ParseResult,
    parse,
    validate_profile,
)

HERE = Path(__file__).resolve().parent
SAMPLES = HERE / "samples"
PROFILES = HERE.parent / "profiles"
KNOWN = {entry["code"] for entry in json.loads((HERE.parent / "catalogue.json").read_text())}
# The synthetic identity number planted in the broken samples (month + 80).
PLANTED = "15857110053"


def profile(product: str) -> dict[str, Any]:
    return json.loads((PROFILES / f"{product}.json").read_text(encoding="utf-8"))


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def run(product: str, data: bytes | str, mapping: dict[str, Any] | None = None) -> ParseResult:
    if isinstance(data, str):
        data = sample(data)
    return parse(mapping or profile(product), data, known_indicators=KNOWN)


def one(result: ParseResult, indicator: str, code: str, year: int) -> ParsedValue:
    found = [
        v for v in result.values if (v.indicator, v.area_code, v.year) == (indicator, code, year)
    ]
    assert len(found) == 1, (indicator, code, year, found)
    return found[0]


def positions(result: ParseResult) -> set[tuple[int | None, str | None]]:
    return {(e.row, e.column) for e in result.errors}


def statuses(result: ParseResult, status: str) -> set[tuple[str, str, int]]:
    return {(v.indicator, v.area_code, v.year) for v in result.values if v.status == status}


# The 19 kommuner of the demo partnership.
DEMO_KOMMUNER = {
    "5006",
    "5007",
    "5020",
    "5034",
    "5035",
    "5036",
    "5037",
    "5038",
    "5041",
    "5042",
    "5043",
    "5044",
    "5045",
    "5046",
    "5047",
    "5049",
    "5052",
    "5053",
    "5060",
}


# --- the profiles ----------------------------------------------------------


@pytest.mark.parametrize("path", sorted(PROFILES.glob("*.json")), ids=lambda p: p.stem)
def test_every_profile_is_valid_and_named_after_its_file(path: Path) -> None:
    mapping = json.loads(path.read_text(encoding="utf-8"))
    assert validate_profile(mapping, known_indicators=KNOWN) == []
    assert mapping["product"] == path.stem


def test_the_five_products_have_profiles() -> None:
    assert {p.stem for p in PROFILES.glob("*.json")} == {
        "ssb-07459",
        "fhi-akuttinnleggelser",
        "hdir-utskrivningsklare",
        "hdir-reinnleggelser",
        "hdir-kad",
    }


def test_validate_profile_catches_a_missing_key_and_an_unknown_indicator() -> None:
    mapping = profile("hdir-reinnleggelser")
    del mapping["areas"]
    mapping["series"][0]["indicator"] = "reinnleggelser-90"
    problems = validate_profile(mapping, known_indicators=KNOWN)
    assert any('"areas"' in p for p in problems)
    assert any("reinnleggelser-90" in p and "catalogue" in p for p in problems)
    # Without a catalogue the indicator code is not checked.
    assert not any("catalogue" in p for p in validate_profile(mapping))


def test_validate_profile_catches_format_specific_mistakes() -> None:
    assert validate_profile({"format": "xls"}) == ['"format" must be one of json-stat2, csv, xlsx.']
    cube = profile("ssb-07459")
    cube["areas"][0]["pattern"] = "^K-(\\d{4})$"  # no group "code"
    cube["series"][0]["role"] = "share"
    cube["series"][1]["select"]["Alder"] = {"from": "000"}
    cube["colums"] = {}
    problems = validate_profile(cube, known_indicators=KNOWN)
    assert 'Area rule 1: "pattern" needs a named group "code".' in problems
    assert any(p.startswith('Series 1: "role" must be one of') for p in problems)
    assert any(p.startswith('Series 2: "select.Alder"') for p in problems)
    assert 'Unknown key "colums" for format json-stat2.' in problems
    table = profile("hdir-utskrivningsklare")
    table["decimal"] = ";"
    table["time_pattern"] = "^\\d{4}$"
    table["series"][1]["indicator"] = "utskrivningsklare"
    problems = validate_profile(table, known_indicators=KNOWN)
    assert '"decimal" must be "," or ".".' in problems
    assert '"time_pattern" needs a named group "year".' in problems
    assert "Series 2: utskrivningsklare is mapped twice." in problems


def test_a_profile_that_is_not_valid_reads_nothing() -> None:
    mapping = profile("hdir-reinnleggelser")
    mapping["series"][0]["indicator"] = "reinnleggelser-90"
    result = run("hdir-reinnleggelser", "hdir-reinnleggelser.csv", mapping)
    assert result.values == []
    assert len(result.errors) == 1
    assert "reinnleggelser-90" in result.errors[0].message


# --- SSB 07459, json-stat2 -------------------------------------------------


def test_ssb_population_sums_ages_and_sexes() -> None:
    result = run("ssb-07459", "ssb-07459.json")
    assert result.errors == []
    # 19 kommuner and the country, two years, four indicators.
    assert len(result.values) == 20 * 2 * 4
    stjordal = one(result, "befolkning", "5035", 2024)
    assert (stjordal.area_kind, stjordal.area_name) == ("kommune", "Stjørdal")
    assert stjordal.value == Decimal(24912)
    assert stjordal.status == ""
    assert (stjordal.numerator, stjordal.denominator) == (None, None)
    assert one(result, "befolkning", "5035", 2023).value == 24817
    assert one(result, "befolkning-0-17", "5035", 2024).value == 5283
    assert one(result, "befolkning-67-79", "5035", 2024).value == 3059
    assert one(result, "befolkning-80", "5035", 2024).value == 929


def test_ssb_sums_equal_the_cells_of_the_file() -> None:
    """Checked against an independent walk over the json-stat2 cube."""
    doc = json.loads(sample("ssb-07459.json"))
    regions = doc["dimension"]["Region"]["category"]["index"]
    ages = doc["dimension"]["Alder"]["category"]["index"]
    years = doc["dimension"]["Tid"]["category"]["index"]
    n_sex, n_age, n_year = 2, len(ages), len(years)

    def cells(region: str, year: str, first: int, last: int) -> list[int | None]:
        return [
            doc["value"][((regions[region] * n_sex + k) * n_age + a) * n_year + years[year]]
            for k in range(n_sex)
            for a in range(first, last + 1)
        ]

    result = run("ssb-07459", "ssb-07459.json")
    checked = 0
    for value in result.values:
        if value.status:
            continue
        region = "0" if value.area_kind == "country" else f"K-{value.area_code}"
        first, last = {
            "befolkning": (0, 105),
            "befolkning-0-17": (0, 17),
            "befolkning-67-79": (67, 79),
            "befolkning-80": (80, 105),
        }[value.indicator]
        figures = cells(region, str(value.year), first, last)
        assert None not in figures
        assert value.value == sum(figures)  # type: ignore[arg-type]
        checked += 1
    assert checked == 160 - 3


def test_ssb_reads_the_country_and_skips_the_fylke() -> None:
    result = run("ssb-07459", "ssb-07459.json")
    country = one(result, "befolkning", "0", 2024)
    assert (country.area_kind, country.area_name, country.value) == (
        "country",
        "Hele landet",
        5550203,
    )
    assert one(result, "befolkning-80", "0", 2024).value == 214286
    assert {v.area_code for v in result.values} == DEMO_KOMMUNER | {"0"}
    # Trøndelag ("50"): four series, two years.
    assert result.skipped_areas == 8


def test_ssb_suppressed_or_missing_cell_spoils_only_its_sums() -> None:
    result = run("ssb-07459", "ssb-07459.json")
    # Røyrvik 2023: women aged 104 are ":" (confidential) in "status".
    assert statuses(result, "suppressed") == {
        ("befolkning", "5043", 2023),
        ("befolkning-80", "5043", 2023),
    }
    hidden = one(result, "befolkning", "5043", 2023)
    assert hidden.value is None
    assert one(result, "befolkning-0-17", "5043", 2023).value == 84
    assert one(result, "befolkning-67-79", "5043", 2023).value == 69
    # Leka 2023: men aged 50 are ".." (not available).
    assert statuses(result, "missing") == {("befolkning", "5052", 2023)}
    assert one(result, "befolkning", "5052", 2023).value is None
    assert one(result, "befolkning-80", "5052", 2023).value == 27


def test_a_bad_cell_in_two_sums_is_reported_once() -> None:
    doc = json.loads(sample("ssb-07459.json"))
    index = {d: doc["dimension"][d]["category"]["index"] for d in doc["id"]}
    region, age, year = index["Region"]["K-5035"], index["Alder"]["010"], index["Tid"]["2024"]
    # Men (Kjonn position 0) aged 10 in Stjørdal, 2024: in befolkning and befolkning-0-17.
    position = ((region * 2 + 0) * 106 + age) * 2 + year
    doc["value"][position] = "x"
    result = run("ssb-07459", json.dumps(doc).encode())
    assert [(e.row, e.column) for e in result.errors] == [
        (position + 1, "Region=K-5035, Kjonn=1, Alder=010, Tid=2024")
    ]


def test_ssb_wrong_value_count_is_one_whole_file_error() -> None:
    result = run("ssb-07459", "broken-ssb-07459-size.json")
    assert [(e.row, e.column) for e in result.errors] == [(None, None)]
    assert "11" in result.errors[0].message and "12" in result.errors[0].message


def test_ssb_kommune_twice_and_identity_number_label() -> None:
    result = run("ssb-07459", "broken-ssb-07459-labels.json")
    assert positions(result) == {
        (None, "Region, category 2"),
        (107, "Region=5035, Tid=2024"),  # befolkning and befolkning-0-17 start here
        (174, "Region=5035, Tid=2024"),  # befolkning-67-79 starts at age 67
        (187, "Region=5035, Tid=2024"),  # befolkning-80 at age 80
    }
    assert len(result.errors) == 5
    duplicate = next(e for e in result.errors if e.row == 187)
    assert "befolkning-80" in duplicate.message
    assert "position 81 (Region=K-5035, Tid=2024)" in duplicate.message
    label = result.errors[0]
    assert "identity number" in label.message
    for error in result.errors:
        assert PLANTED not in f"{error.message} {error.column}"


def test_a_dimension_the_mapping_does_not_fix_is_an_error() -> None:
    mapping = profile("ssb-07459")
    del mapping["series"][2]["select"]["ContentsCode"]
    result = run("ssb-07459", "ssb-07459.json", mapping)
    assert [(e.row, e.column) for e in result.errors] == [(None, "ContentsCode")]
    message = result.errors[0].message
    assert "befolkning-67-79 (value)" in message and "ContentsCode" in message
    assert '"select"' in message

    # A dimension the file has and the mapping has never heard of.
    doc = json.loads(sample("broken-fhi-unknown-category.json"))
    doc["id"].append("UTDANNING")
    doc["size"].append(2)
    doc["dimension"]["UTDANNING"] = {"category": {"index": ["1", "2"]}}
    doc["value"] = doc["value"] * 2
    result = run("fhi-akuttinnleggelser", json.dumps(doc).encode())
    unfixed = [e for e in result.errors if e.column == "UTDANNING"]
    assert len(unfixed) == 4  # once per series
    assert all("UTDANNING" in e.message for e in unfixed)


def test_a_select_of_several_categories_for_an_unsummed_dimension_is_an_error() -> None:
    mapping = profile("fhi-akuttinnleggelser")
    mapping["series"][0]["select"]["ALDER"] = ["0_79", "80_120"]
    result = run("fhi-akuttinnleggelser", "fhi-akuttinnleggelser.json", mapping)
    assert [(e.row, e.column) for e in result.errors] == [(None, "ALDER")]
    assert "2 categories" in result.errors[0].message


def test_too_many_cells_are_refused() -> None:
    doc = json.loads(sample("broken-ssb-07459-size.json"))
    doc["size"] = [2, 2, 3, 1, 70_000]  # 840,000 cells
    result = run("ssb-07459", json.dumps(doc).encode())
    assert len(result.errors) == 1
    assert "800,000" in result.errors[0].message


# --- FHI, json-stat2 with "k" in the value array -----------------------------


def test_fhi_rates_and_counts_merge_under_the_last_year_of_the_period() -> None:
    result = run("fhi-akuttinnleggelser", "fhi-akuttinnleggelser.json")
    assert result.errors == []
    assert len(result.values) == 20 * 4 * 2
    assert {v.year for v in result.values} == {2021, 2022, 2023, 2024}
    young = one(result, "akuttinnleggelser-0-79", "5035", 2024)  # AAR 2022_2024
    assert (young.value, young.numerator, young.denominator) == (
        Decimal("85.0"),
        Decimal("2006.9"),
        None,
    )
    old = one(result, "akuttinnleggelser-80", "5035", 2024)
    assert (old.value, old.numerator, old.status) == (Decimal("282.5"), Decimal("367.5"), "")
    country = one(result, "akuttinnleggelser-80", "0", 2024)
    assert (country.area_kind, country.area_name) == ("country", "Hele landet")
    assert (country.value, country.numerator) == (Decimal("329.3"), Decimal("82305.0"))
    assert result.skipped_areas == 4 * 4  # Trøndelag: four series, four periods


def test_fhi_suppressed_and_missing_cells() -> None:
    result = run("fhi-akuttinnleggelser", "fhi-akuttinnleggelser.json")
    assert statuses(result, "suppressed") == {
        ("akuttinnleggelser-80", "5043", 2021),
        ("akuttinnleggelser-80", "5043", 2022),
        ("akuttinnleggelser-80", "5043", 2023),
        ("akuttinnleggelser-80", "5043", 2024),
        ("akuttinnleggelser-80", "5052", 2021),
        ("akuttinnleggelser-80", "5044", 2024),
    }
    royrvik = one(result, "akuttinnleggelser-80", "5043", 2024)  # "k" and "k"
    assert (royrvik.value, royrvik.numerator) == (None, None)
    namsskogan = one(result, "akuttinnleggelser-80", "5044", 2024)  # rate ":", count shown
    assert (namsskogan.value, namsskogan.numerator) == (None, Decimal("19.8"))
    assert statuses(result, "missing") == {("akuttinnleggelser-0-79", "5020", 2021)}
    osen = one(result, "akuttinnleggelser-0-79", "5020", 2021)  # null without status
    assert osen.value is None and osen.numerator is not None


def test_fhi_unknown_category_and_unknown_symbol() -> None:
    result = run("fhi-akuttinnleggelser", "broken-fhi-unknown-category.json")
    assert positions(result) == {
        (None, "MEASURE_TYPE"),
        (7, "GEO=5035, AAR=2022_2024, ALDER=80_120, MEASURE_TYPE=TELLER"),
    }
    assert len(result.errors) == 3
    assert sum("the category RATE is not in the file" in e.message for e in result.errors) == 2
    assert 'Unknown symbol "x"' in result.errors[-1].message


def test_a_symbol_may_come_in_value_or_in_status_list() -> None:
    doc = json.loads(sample("broken-fhi-unknown-category.json"))
    doc["dimension"]["MEASURE_TYPE"]["category"]["index"] = ["TELLER", "RATE"]
    # "status" as an array this time; "k" once there (null value), once in "value".
    doc["value"] = [81000, 74.1, None, 301.2, 1800, None, "k", 298.7]
    doc["status"] = [None, None, ":", None, None, "..", None, None]
    result = run("fhi-akuttinnleggelser", json.dumps(doc).encode())
    assert result.errors == []
    assert one(result, "akuttinnleggelser-80", "0", 2024).numerator is None
    assert one(result, "akuttinnleggelser-80", "0", 2024).status == ""
    assert statuses(result, "suppressed") == set()
    assert statuses(result, "missing") == {("akuttinnleggelser-0-79", "5035", 2024)}
    assert one(result, "akuttinnleggelser-80", "5035", 2024).numerator is None
    doc["status"] = {"5": "k"}
    result = run("fhi-akuttinnleggelser", json.dumps(doc).encode())
    assert statuses(result, "suppressed") == {("akuttinnleggelser-0-79", "5035", 2024)}


def test_a_time_code_the_pattern_cannot_read_is_an_error() -> None:
    doc = json.loads(sample("fhi-akuttinnleggelser.json").decode("utf-8-sig"))
    doc["dimension"]["AAR"]["category"]["index"][3] = "siste"
    result = run("fhi-akuttinnleggelser", json.dumps(doc).encode())
    assert positions(result) == {(None, "AAR=siste")}


# --- Helsedirektoratet CSV ---------------------------------------------------


def test_utskrivningsklare_values_numerators_and_denominators() -> None:
    result = run("hdir-utskrivningsklare", "hdir-utskrivningsklare.csv")
    assert result.errors == []
    assert len(result.values) == 20 * 4 * 2
    days = one(result, "overliggedogn", "5035", 2024)
    assert (days.value, days.numerator, days.denominator) == (
        Decimal("55.1"),
        Decimal(1291),
        Decimal(24912),
    )
    stays = one(result, "utskrivningsklare", "5035", 2024)
    assert (stays.value, stays.numerator, stays.denominator) == (
        Decimal("18.7"),
        Decimal(467),
        Decimal(24912),
    )
    assert result.skipped_areas == 4 * 6  # Trøndelag: four years, six number columns


def test_utskrivningsklare_country_is_found_by_name() -> None:
    result = run("hdir-utskrivningsklare", "hdir-utskrivningsklare.csv")
    country = one(result, "overliggedogn", "0", 2024)
    assert (country.area_kind, country.area_name) == ("country", "Hele landet")
    # "5 550 203" with non-breaking spaces between the thousands.
    assert country.denominator == 5550203
    assert country.numerator == 141862


def test_utskrivningsklare_suppressed_missing_and_zero() -> None:
    result = run("hdir-utskrivningsklare", "hdir-utskrivningsklare.csv")
    assert statuses(result, "suppressed") == {("overliggedogn", "5043", 2023)}
    royrvik = one(result, "overliggedogn", "5043", 2023)
    assert (royrvik.value, royrvik.numerator, royrvik.denominator) == (None, None, 445)
    assert statuses(result, "missing") == {("utskrivningsklare", "5052", 2021)}
    flatanger = one(result, "overliggedogn", "5049", 2022)
    assert (flatanger.value, flatanger.numerator, flatanger.status) == (0, 0, "")


def test_utskrivningsklare_broken_file_reports_every_planted_error() -> None:
    result = run("hdir-utskrivningsklare", "broken-hdir-utskrivningsklare.csv")
    assert [(e.row, e.column) for e in result.errors] == [
        (5, "Overliggedøgn"),  # "ca. 40"
        (7, "Kommune"),  # a (synthetic) identity number
        (9, "Kommunenummer"),  # repeats row 4
        (11, "År"),  # "20x4"
    ]
    text, identity, repeat, year = (e.message for e in result.errors)
    assert '"ca. 40"' in text
    assert "identity number" in identity
    assert "row 4" in repeat and "5006" in repeat
    assert "year" in year
    for error in result.errors:
        assert PLANTED not in error.message
        assert not re.search(r"[0-9]{6}", error.message)


def test_the_planted_identity_number_is_one() -> None:
    """Otherwise the identity tests would prove nothing; it is synthetic (month + 80)."""
    assert is_identity_number(PLANTED)
    assert int(PLANTED[2:4]) > 80


def test_a_missing_column_is_one_error_naming_it() -> None:
    result = run("hdir-utskrivningsklare", "broken-hdir-missing-column.csv")
    assert [(e.row, e.column) for e in result.errors] == [(1, "Overliggedøgn")]
    assert '"Overliggedøgn"' in result.errors[0].message
    assert result.values == []


def test_a_renamed_header_needs_only_a_changed_profile() -> None:
    text = sample("hdir-utskrivningsklare.csv").decode("utf-8-sig")
    renamed = text.replace(";Overliggedøgn;", ";Antall overliggedøgn;", 1).encode()
    before = run("hdir-utskrivningsklare", renamed)
    assert positions(before) == {(1, "Overliggedøgn")}

    mapping = profile("hdir-utskrivningsklare")
    mapping["series"][1]["numerator"] = "Antall overliggedøgn"
    after = run("hdir-utskrivningsklare", renamed, mapping)
    assert after.errors == []
    assert after.values == run("hdir-utskrivningsklare", "hdir-utskrivningsklare.csv").values


def test_reordered_columns_parse_the_same() -> None:
    text = sample("hdir-utskrivningsklare.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    order = [7, 3, 2, 6, 0, 5, 1, 4]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    for row in rows:
        writer.writerow([row[i] for i in order] if len(row) == 8 else row)
    reordered = run("hdir-utskrivningsklare", out.getvalue().encode())
    original = run("hdir-utskrivningsklare", "hdir-utskrivningsklare.csv")
    assert reordered.errors == []
    assert reordered.values == original.values
    assert reordered.skipped_areas == original.skipped_areas


def test_headers_match_without_case_and_extra_spaces() -> None:
    text = sample("hdir-utskrivningsklare.csv").decode("utf-8-sig")
    shouted = text.replace("Kommunenummer;Kommune;År", "  KOMMUNENUMMER ;kommune;år", 1)
    assert run("hdir-utskrivningsklare", shouted.encode()).errors == []


def test_reinnleggelser_windows_line_endings_and_small_numbers() -> None:
    result = run("hdir-reinnleggelser", "hdir-reinnleggelser.csv")
    assert result.errors == []
    assert len(result.values) == 20 * 4
    assert result.skipped_areas == 4 * 3
    stjordal = one(result, "reinnleggelser-67", "5035", 2023)
    assert (stjordal.value, stjordal.numerator, stjordal.denominator) == (
        Decimal("16.8"),
        248,
        1475,
    )
    country = one(result, "reinnleggelser-67", "0", 2024)
    assert (country.area_kind, country.value, country.denominator) == (
        "country",
        Decimal("15.4"),
        342197,
    )
    assert statuses(result, "suppressed") == {
        ("reinnleggelser-67", "5043", 2021),
        ("reinnleggelser-67", "5043", 2023),
        ("reinnleggelser-67", "5043", 2024),
        ("reinnleggelser-67", "5052", 2022),
    }
    royrvik = one(result, "reinnleggelser-67", "5043", 2024)
    assert (royrvik.value, royrvik.numerator, royrvik.denominator) == (None, None, 32)
    leka = one(result, "reinnleggelser-67", "5052", 2021)  # three empty cells
    assert (leka.status, leka.value, leka.numerator, leka.denominator) == (
        "missing",
        None,
        None,
        None,
    )


def test_kommune_numbers_are_padded_to_four_digits() -> None:
    """A spreadsheet drops the leading zero of Oslo's 0301."""
    text = sample("hdir-reinnleggelser.csv").decode("utf-8-sig")
    text = text.replace("5035;Stjørdal;2023", "301;Oslo;2023", 1)
    result = run("hdir-reinnleggelser", text.encode())
    oslo = one(result, "reinnleggelser-67", "0301", 2023)
    assert (oslo.area_kind, oslo.area_name, oslo.value) == ("kommune", "Oslo", Decimal("16.8"))


def test_the_csv_encoding_must_be_right() -> None:
    text = sample("hdir-reinnleggelser.csv").decode("utf-8-sig")
    latin1 = run("hdir-reinnleggelser", text.encode("latin-1"))
    assert len(latin1.errors) == 1
    assert latin1.errors[0].message.startswith("The file is not in the expected encoding")
    utf16 = run("hdir-reinnleggelser", text.encode("utf-16"))
    assert len(utf16.errors) == 1 and "UTF-16" in utf16.errors[0].message


def test_a_file_separated_by_commas_gets_a_hint() -> None:
    text = sample("hdir-reinnleggelser.csv").decode("utf-8-sig").replace(";", ",")
    result = run("hdir-reinnleggelser", text.encode())
    assert any('separated by ";"' in e.message for e in result.errors)


def test_errors_stop_at_the_cap_and_say_so() -> None:
    header = sample("hdir-reinnleggelser.csv").decode("utf-8-sig").splitlines()[0]
    lines = [header]
    lines += [f"{5000 + i};K{i};2024;mange;mange;mange" for i in range(150)]
    result = run("hdir-reinnleggelser", "\n".join(lines).encode())
    assert len(result.errors) == MAX_ERRORS + 1
    assert "more than 200 errors" in result.errors[-1].message
    assert [e.row for e in result.errors[:3]] == [2, 2, 2]


# --- Helsedirektoratet XLSX ----------------------------------------------------


def test_kad_workbook_below_its_title_rows() -> None:
    result = run("hdir-kad", "hdir-kad.xlsx")
    assert result.errors == []
    assert len(result.values) == 20 * 3 * 2
    assert result.skipped_areas == 3 * 3
    assert one(result, "kad-plasser", "5035", 2024).value == Decimal("3.6")
    belegg = one(result, "kad-belegg", "5035", 2024)
    assert (belegg.value, belegg.numerator, belegg.denominator) == (Decimal("58.3"), 766, None)
    # A number stored as text, with a decimal comma.
    assert one(result, "kad-belegg", "5037", 2024).value == Decimal("39.7")
    country = one(result, "kad-plasser", "0", 2022)
    assert (country.area_kind, country.area_name, country.value) == ("country", "Hele landet", 688)


def test_kad_suppressed_and_missing() -> None:
    result = run("hdir-kad", "hdir-kad.xlsx")
    assert statuses(result, "suppressed") == {
        ("kad-belegg", "5043", 2022),
        ("kad-belegg", "5043", 2023),
        ("kad-belegg", "5043", 2024),
    }
    assert one(result, "kad-belegg", "5043", 2024).numerator is None
    assert one(result, "kad-plasser", "5043", 2024).value == Decimal("0.1")
    leka = one(result, "kad-belegg", "5052", 2022)  # an empty Liggedøgn cell
    assert (leka.value, leka.numerator, leka.status) == (Decimal("69.7"), None, "")


def test_kad_broken_workbook_reports_every_planted_error() -> None:
    result = run("hdir-kad", "broken-hdir-kad.xlsx")
    assert [(e.row, e.column) for e in result.errors] == [
        (7, "D (Antall plasser)"),  # "to"
        (9, "G (Merknad)"),  # an identity number stored as a number
        (10, "G (Merknad)"),  # the same, its leading zero dropped by Excel
    ]
    assert '"to"' in result.errors[0].message
    for error in result.errors[1:]:
        assert "identity number" in error.message
        assert not re.search(r"[0-9]{6}", error.message)


def test_kad_sheet_must_exist() -> None:
    mapping = profile("hdir-kad")
    mapping["sheet"] = "Fylker"
    result = run("hdir-kad", "hdir-kad.xlsx", mapping)
    assert [e.message for e in result.errors] == [
        'The workbook has no sheet "Fylker"; it has Om tallene, Kommuner.'
    ]


def test_a_file_that_is_not_a_workbook() -> None:
    for data in (sample("hdir-reinnleggelser.csv"), b"PK\x03\x04 not really a zip"):
        result = run("hdir-kad", data)
        assert len(result.errors) == 1
        assert "not an Excel workbook" in result.errors[0].message
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hello.txt", "a zip, but no workbook")
    result = run("hdir-kad", archive.getvalue())
    assert len(result.errors) == 1 and "not an Excel workbook" in result.errors[0].message


# --- bad input of every kind -----------------------------------------------------


def test_not_json_and_empty_files() -> None:
    result = run("ssb-07459", "not-json.json")
    assert [(e.row, e.column) for e in result.errors] == [(None, None)]
    assert "not valid JSON" in result.errors[0].message
    assert [e.message for e in run("hdir-utskrivningsklare", "empty.csv").errors] == [
        "The file is empty."
    ]


def test_oversize_input_is_refused() -> None:
    data = b" " * (MAX_BYTES + 1)
    for product in ("ssb-07459", "hdir-utskrivningsklare", "hdir-kad"):
        result = run(product, data)
        assert result.values == []
        assert [e.message for e in result.errors] == [
            "The file is larger than 5 MB; it is refused."
        ]


GARBAGE = [
    b"\x00\x01\x02\xff\xfe",
    bytes(random.Random(7).getrandbits(8) for _ in range(4000)),
    b"[" * 100_000,
    b'{"class": "dataset", "id": ["A"], "size": [1], "dimension": {"A": 1}, "value": [1]}',
    b'{"id": ["Region", "Tid"], "size": [1, 1], "dimension": {"Region": {"category": '
    b'{"index": {"0": "x"}}}, "Tid": {"category": {"index": ["2024"]}}}, "value": [NaN]}',
    b'{"class": "collection"}',
    b"[1, 2, 3]",
    b"Kommunenummer;Kommune\n\n\n",
    b'Kommunenummer;"Kommune\n',
]


@pytest.mark.parametrize("product", sorted(p.stem for p in PROFILES.glob("*.json")))
def test_bad_input_never_raises(product: str) -> None:
    inputs = list(GARBAGE)
    for name in sorted(p.name for p in SAMPLES.iterdir() if p.suffix != ".md"):
        data = sample(name)
        inputs += [data, data[: len(data) // 2], data[len(data) // 3 :]]
    for data in inputs:
        result = run(product, data)
        if result.errors:
            continue
        # Only a good sample of this very product may pass.
        assert result.values


def test_json_structure_errors_name_the_problem() -> None:
    doc = json.loads(sample("broken-ssb-07459-size.json"))
    doc["value"].append(100)
    good = copy.deepcopy(doc)
    doc["dimension"]["Alder"]["category"]["index"] = {"000": 0, "001": 0, "105+": 2}
    doc["status"] = {"x": ":"}
    result = run("ssb-07459", json.dumps(doc).encode())
    assert positions(result) == {(None, "Alder"), (None, None)}
    del good["dimension"]["Tid"]
    result = run("ssb-07459", json.dumps(good).encode())
    assert positions(result) == {(None, "Tid")}
