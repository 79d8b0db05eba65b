"""The Norwegian catalogues are complete, consistent and up to date with the code.

UI strings are written in English in the code (the msgids); bokmål (``nb``) and
nynorsk (``nn``) come from ``locale/<lang>/LC_MESSAGES/django.po``. These tests
read the catalogues with a small parser of their own (no extra dependency) and
check that every string is translated, nothing is left fuzzy, placeholders
survive translation, and the catalogues hold exactly the strings the code uses.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
LANGUAGES = {"nb": "bokmål", "nn": "nynorsk"}
UPDATE_HINT = (
    "Run `make messages-update` (manage.py makemessages -l nb -l nn ...), translate the new "
    "strings in locale/nb and locale/nn, and commit both .po files."
)
# The same options `make messages-update` gives makemessages.
MAKEMESSAGES_IGNORES = [".venv", "node_modules", "static", "staticfiles"]
# Never copied into the scratch project: not source, or ignored by makemessages.
SKIPPED_DIRS = {*MAKEMESSAGES_IGNORES, "locale", "media", "__pycache__"}
SOURCE_SUFFIXES = {".py", ".html", ".txt"}  # what makemessages reads for the django domain


def catalogue_path(language: str) -> Path:
    return BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"


# --------------------------------------------------------------------------- parser


@dataclass
class Entry:
    """One message of a .po file. ``msgstr`` maps the plural index to the text
    (index 0 only, for a message without plural)."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    def label(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"line {self.line}: {self.msgid!r}{context}"


_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    '"': '"',
    "\\": "\\",
    "'": "'",
    "?": "?",
}
_ESCAPE_RE = re.compile(r"\\(x[0-9A-Fa-f]+|[0-7]{1,3}|.)", re.DOTALL)
_KEYWORD_RE = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*)$")


def _unescape(body: str, where: str) -> str:
    """Undo C escapes. Octal and hex escapes are bytes, so a file may spell
    UTF-8 characters as e.g. ``\\303\\270`` (ø): decode the bytes at the end."""
    out = bytearray()
    position = 0
    for match in _ESCAPE_RE.finditer(body):
        out += body[position : match.start()].encode("utf-8")
        position = match.end()
        code = match.group(1)
        if code[0] == "x":
            out.append(int(code[1:], 16) & 0xFF)
        elif code[0] in "01234567":
            out.append(int(code, 8) & 0xFF)
        elif code in _ESCAPES:
            out += _ESCAPES[code].encode("utf-8")
        else:
            raise ValueError(f"{where}: unknown escape \\{code}")
    out += body[position:].encode("utf-8")
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{where}: escapes do not form UTF-8: {error}") from None


def _quoted(text: str, where: str) -> str:
    """The value of one ``"..."`` token, which must fill the rest of the line."""
    text = text.strip()
    if len(text) < 2 or not text.startswith('"') or not text.endswith('"'):
        raise ValueError(f"{where}: expected a quoted string, got {text!r}")
    body = text[1:-1]
    # An unescaped quote inside the body means two strings on one line.
    if re.search(r'(?<!\\)(?:\\\\)*"', body):
        raise ValueError(f"{where}: stray quote in {text!r}")
    if re.search(r"(?<!\\)(?:\\\\)*\\$", body):
        raise ValueError(f"{where}: string ends in a lone backslash: {text!r}")
    return _unescape(body, where)


def parse_po(text: str) -> list[Entry]:
    """Parse the text of a .po file into entries, header included.

    Handles multi-line strings, C escapes, ``msgctxt``, plural forms, flags
    (``#, fuzzy, python-format``) and obsolete entries (``#~``). Raises
    ValueError with the line number on anything it does not understand.
    """
    entries: list[Entry] = []
    current = Entry()
    started = False  # `current` has a keyword (msgctxt/msgid/...)
    pending_flags: set[str] = set()
    field_name: str | None = None
    plural_index = 0

    def finish() -> None:
        nonlocal current, started, pending_flags, field_name
        if started:
            if not current.msgstr:
                raise ValueError(f"line {current.line}: entry without msgstr")
            entries.append(current)
        current, started, field_name, pending_flags = Entry(), False, None, set()

    def append(value: str) -> None:
        if field_name == "msgctxt":
            current.msgctxt = (current.msgctxt or "") + value
        elif field_name == "msgid":
            current.msgid += value
        elif field_name == "msgid_plural":
            current.msgid_plural = (current.msgid_plural or "") + value
        elif field_name == "msgstr":
            current.msgstr[plural_index] += value

    for number, raw in enumerate(text.splitlines(), start=1):
        where = f"line {number}"
        line = raw.strip()
        obsolete = False
        if line.startswith("#~"):
            obsolete = True
            line = line[2:].strip()
            if not line or line.startswith(("|", "#")):
                continue  # previous msgid (#~|) or a comment of an obsolete entry
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if started and field_name == "msgstr":
                finish()  # a comment after the msgstr starts the next entry
            if line.startswith("#,"):
                pending_flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith('"'):
            if field_name is None:
                raise ValueError(f"{where}: string continuation without a keyword")
            append(_quoted(line, where))
            continue
        match = _KEYWORD_RE.match(line)
        if not match:
            raise ValueError(f"{where}: cannot read {raw!r}")
        keyword, index, rest = match.group(1), match.group(2), match.group(3)
        if keyword in ("msgctxt", "msgid") and started and field_name == "msgstr":
            finish()  # entries need not be separated by a blank line
        if not started:
            started = True
            current.line, current.flags, current.obsolete = number, pending_flags, obsolete
        value = _quoted(rest, where)
        if keyword == "msgctxt":
            if current.msgctxt is not None or field_name is not None:
                raise ValueError(f"{where}: msgctxt out of place")
            field_name, current.msgctxt = "msgctxt", value
        elif keyword == "msgid":
            if field_name not in (None, "msgctxt"):
                raise ValueError(f"{where}: msgid out of place")
            field_name, current.msgid = "msgid", value
        elif keyword == "msgid_plural":
            if field_name != "msgid":
                raise ValueError(f"{where}: msgid_plural must follow msgid")
            field_name, current.msgid_plural = "msgid_plural", value
        else:
            if field_name not in ("msgid", "msgid_plural", "msgstr"):
                raise ValueError(f"{where}: msgstr before msgid")
            plural_index = int(index) if index is not None else 0
            if (index is None) != (current.msgid_plural is None):
                raise ValueError(f"{where}: msgstr form does not match msgid_plural")
            if plural_index in current.msgstr:
                raise ValueError(f"{where}: msgstr[{plural_index}] given twice")
            field_name = "msgstr"
            current.msgstr[plural_index] = value
    finish()
    return entries


def parse_header(entries: list[Entry]) -> dict[str, str]:
    headers = [e for e in entries if e.is_header and not e.obsolete]
    assert len(headers) == 1, "a catalogue has exactly one header entry"
    fields: dict[str, str] = {}
    for line in headers[0].msgstr[0].splitlines():
        name, _, value = line.partition(":")
        if name.strip():
            fields[name.strip()] = value.strip()
    return fields


def load(language: str) -> list[Entry]:
    path = catalogue_path(language)
    assert path.is_file(), f"{path.relative_to(BASE_DIR)} is missing. {UPDATE_HINT}"
    return parse_po(path.read_text(encoding="utf-8"))


def messages(language: str) -> Iterator[Entry]:
    """The live (not obsolete) entries, header excluded."""
    return (e for e in load(language) if not e.is_header and not e.obsolete)


_PLACEHOLDER_RE = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?"  # %(name)
    r"[#0\- +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[hlL]?"  # flags, width, precision, length
    r"(?P<type>[diouxXeEfFgGcrsa%])"  # conversion
)


def placeholders(text: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The named placeholders (``%(name)s``) as a set and the positional ones
    (``%s``, ``%d``) in order, since their order is their meaning. ``%%`` is a
    literal per cent sign, not a placeholder."""
    named: set[str] = set()
    positional: list[str] = []
    for match in _PLACEHOLDER_RE.finditer(text):
        kind = match.group("type")
        if kind == "%":
            continue
        if match.group("name") is not None:
            named.add(f"%({match.group('name')}){kind}")
        else:
            positional.append(f"%{kind}")
    return frozenset(named), tuple(positional)


def gettext_tools_missing(*tools: str) -> list[str]:
    return [tool for tool in tools if shutil.which(tool) is None]


def skip_or_fail_without(*tools: str) -> None:
    """Without the gettext tools, skip on a developer's machine but fail in CI,
    where a skipped check would silently let a stale catalogue through."""
    missing = gettext_tools_missing(*tools)
    if not missing:
        return
    reason = (
        f"GNU gettext ({', '.join(missing)}) is not on PATH; "
        "install it (apt install gettext / brew install gettext) to run this check"
    )
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(f"CI is set but {reason}")
    pytest.skip(reason)


# ---------------------------------------------------------------- parser checks


def test_the_po_parser_reads_context_plurals_flags_escapes_and_multiline_strings() -> None:
    text = r"""# A translator comment
msgid ""
msgstr ""
"Language: nb\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: a.py:1
#, fuzzy, python-format
#| msgid "Old %(name)s"
msgid ""
"Hello %(name)s,\n"
"say \"hi\" \\ \t tab"
msgstr "Hei %(name)s,\nsi «hei» \\ \t tab"

msgctxt "month"
msgid "May"
msgstr "mai"

msgid "%(counter)s person"
msgid_plural "%(counter)s people"
msgstr[0] "%(counter)s person"
msgstr[1] ""
"%(counter)s personer"
msgid "no blank line before me"
msgstr "\303\270 \x41"

#~ msgid "Gone"
#~ msgstr "Borte"
"""
    entries = parse_po(text)
    header, hello, may, people, tight, gone = entries
    assert header.is_header
    assert parse_header(entries) == {
        "Language": "nb",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    assert hello.msgid == 'Hello %(name)s,\nsay "hi" \\ \t tab'
    assert hello.msgstr == {0: "Hei %(name)s,\nsi «hei» \\ \t tab"}
    assert hello.flags == {"fuzzy", "python-format"}
    assert may.key == ("month", "May", None) and may.msgstr == {0: "mai"} and not may.flags
    assert people.msgid_plural == "%(counter)s people"
    assert people.msgstr == {0: "%(counter)s person", 1: "%(counter)s personer"}
    assert tight.msgid == "no blank line before me" and tight.msgstr[0] == "ø A"
    assert gone.obsolete and gone.msgid == "Gone" and not people.obsolete


@pytest.mark.parametrize(
    "broken",
    [
        'msgid "unterminated\nmsgstr ""\n',
        'msgid "a" "b"\nmsgstr ""\n',
        'msgstr "no msgid"\n',
        'msgid "one"\nmsgid_plural "many"\nmsgstr "not indexed"\n',
        'msgid "a"\n',
        'msgid "bad \\q escape"\nmsgstr ""\n',
        'msgid "not UTF-8: \\377"\nmsgstr ""\n',
    ],
)
def test_the_po_parser_refuses_malformed_input(broken: str) -> None:
    with pytest.raises(ValueError):
        parse_po(broken)


def test_placeholders_are_named_sets_and_positional_sequences() -> None:
    assert placeholders("%(count)d of %(name)s, 100%% %s and %d") == (
        frozenset({"%(count)d", "%(name)s"}),
        ("%s", "%d"),
    )
    assert placeholders("no placeholders, 50 %% off") == (frozenset(), ())


# ----------------------------------------------------------------- catalogue checks


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_headers_name_the_language_and_plural_rule(language: str) -> None:
    entries = load(language)
    header = parse_header(entries)
    assert header.get("Language") == language
    assert header.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"
    assert header.get("Content-Type") == "text/plain; charset=UTF-8"
    assert "FULL NAME" not in header.get("Last-Translator", "FULL NAME")
    assert "fuzzy" not in next(e for e in entries if e.is_header).flags, "the header is fuzzy"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_to_bokmal_and_nynorsk(language: str) -> None:
    entries = list(messages(language))
    assert entries, f"the {LANGUAGES[language]} catalogue is empty. {UPDATE_HINT}"
    untranslated = []
    for entry in entries:
        forms = 2 if entry.msgid_plural is not None else 1
        if sorted(entry.msgstr) != list(range(forms)) or not all(
            text.strip() for text in entry.msgstr.values()
        ):
            untranslated.append(entry.label())
    assert not untranslated, (
        f"{len(untranslated)} string(s) lack a {LANGUAGES[language]} translation "
        f"(in {catalogue_path(language).relative_to(BASE_DIR)}):\n" + "\n".join(untranslated)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_is_marked_fuzzy(language: str) -> None:
    fuzzy = [e.label() for e in messages(language) if "fuzzy" in e.flags]
    assert not fuzzy, (
        f"{len(fuzzy)} {LANGUAGES[language]} translation(s) are fuzzy, so Django ignores "
        "them: check each one, then remove its '#, fuzzy' flag:\n" + "\n".join(fuzzy)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_the_english_text(language: str) -> None:
    wrong = []
    for entry in messages(language):
        if "no-python-format" in entry.flags:
            continue
        singular = placeholders(entry.msgid)
        plural = placeholders(entry.msgid_plural) if entry.msgid_plural is not None else None
        for index, text in entry.msgstr.items():
            named, positional = placeholders(text)
            if plural is None:
                ok = (named, positional) == singular
                expected = singular
            else:
                # msgstr[0] is the singular and msgstr[1] the plural (nplurals=2).
                # The same values fill every form, so a form may also use a
                # placeholder of the other one (e.g. %(count)d in the singular).
                expected = singular if index == 0 else plural
                ok = expected[0] <= named <= singular[0] | plural[0] and positional == expected[1]
            if not ok:
                want = sorted(expected[0]) + list(expected[1])
                got = sorted(named) + list(positional)
                wrong.append(f"{entry.label()} msgstr[{index}]: expected {want}, got {got}")
    assert not wrong, "Placeholders differ from the English text:\n" + "\n".join(wrong)


def test_bokmal_and_nynorsk_have_the_same_strings() -> None:
    bokmal = {e.key for e in messages("nb")}
    nynorsk = {e.key for e in messages("nn")}
    assert bokmal == nynorsk, (
        f"Only in nb: {sorted(map(str, bokmal - nynorsk))}\n"
        f"Only in nn: {sorted(map(str, nynorsk - bokmal))}\n{UPDATE_HINT}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_accepts_the_catalogue_with_nothing_untranslated_or_fuzzy(language: str) -> None:
    skip_or_fail_without("msgfmt")
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(catalogue_path(language))],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""},
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages?\.", statistics), statistics


# ------------------------------------------------------------- up to date with code


def copy_sources(destination: Path) -> None:
    """Copy the files makemessages would read (``*.py``, ``*.html``, ``*.txt``)
    from the project, leaving out what `make messages-update` ignores."""
    for directory, subdirectories, files in os.walk(BASE_DIR):
        subdirectories[:] = [
            d for d in subdirectories if d not in SKIPPED_DIRS and not d.startswith(".")
        ]
        relative = Path(directory).relative_to(BASE_DIR)
        for name in files:
            if Path(name).suffix in SOURCE_SUFFIXES:
                target = destination / relative / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(directory) / name, target)


def test_the_catalogues_match_the_code(tmp_path: Path) -> None:
    skip_or_fail_without("xgettext", "msguniq", "msgattrib")
    copy_sources(tmp_path)
    assert (tmp_path / "manage.py").is_file() and (tmp_path / "samspill" / "settings.py").is_file()
    # settings.LOCALE_PATHS is BASE_DIR / "locale", i.e. tmp_path / "locale" here.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "samspill.settings",
        "SAMSPILL_PRODUCTION": "false",
        "SAMSPILL_STATIC_ROOT": str(tmp_path / "staticfiles"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = [sys.executable, "manage.py", "makemessages", "-l", "nb", "--no-obsolete"]
    command += [f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORES]
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    extracted_path = tmp_path / "locale" / "nb" / "LC_MESSAGES" / "django.po"
    extracted = {
        e.key
        for e in parse_po(extracted_path.read_text(encoding="utf-8"))
        if not e.is_header and not e.obsolete
    }
    committed = {e.key for e in messages("nb")}
    assert extracted, "makemessages found no strings at all; is the copy of the project complete?"
    missing = sorted(map(repr, extracted - committed))
    unused = sorted(map(repr, committed - extracted))
    report = ["The translation catalogues are out of date with the code."]
    if missing:
        report += [f"In the code but not in locale/nb ({len(missing)}):", *missing]
    if unused:
        report += [f"In locale/nb but no longer in the code ({len(unused)}):", *unused]
    assert not missing and not unused, "\n  ".join(report) + "\n" + UPDATE_HINT
