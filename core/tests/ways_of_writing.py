"""Ways of writing one identity number that must not get past the guard:
separators of every kind between the groups, other digit scripts, and
invisible characters inside the number (issue 10, found by a tester)."""

from __future__ import annotations

SEPARATORS = {
    "newline": "\n",
    "CRLF": "\r\n",
    "tab": "\t",
    "two spaces": "  ",
    "spaced hyphen": " - ",
    "U+2010 hyphen": "\u2010",
    "U+2011 non-breaking hyphen": "\u2011",
    "U+2012 figure dash": "\u2012",
    "U+2013 en dash": "\u2013",
    "U+2014 em dash": "\u2014",
    "U+2212 minus": "\u2212",
    "U+3000 ideographic space": "\u3000",
    "U+2002 en space": "\u2002",
    "U+00A0 no-break space": "\u00a0",
    "U+202F narrow no-break space": "\u202f",
    "slash": "/",
    "underscore": "_",
    "colon": ":",
    "comma": ",",
    "full-width hyphen": "\uff0d",
}
DIGIT_SCRIPTS = {
    "full-width": 0xFF10,
    "Arabic-Indic": 0x0660,
    "Extended Arabic-Indic": 0x06F0,
    "Devanagari": 0x0966,
    "Bengali": 0x09E6,
    "Thai": 0x0E50,
    "mathematical bold": 0x1D7CE,
}
INVISIBLE = {
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "BOM": "\ufeff",
    "soft hyphen": "\u00ad",
}


def ways_of_writing(number: str) -> dict[str, str]:
    """Name → the number written that way (53 in all)."""
    date = f"{number[:2]}.{number[2:4]}.{number[4:6]}"
    ways: dict[str, str] = {
        "11 digits": number,
        "6+5, space": f"{number[:6]} {number[6:]}",
        "6+5, hyphen": f"{number[:6]}-{number[6:]}",
        "6+5, dot": f"{number[:6]}.{number[6:]}",
        "6+5, carriage return": f"{number[:6]}\r{number[6:]}",
        "6+5, vertical tab": f"{number[:6]}\v{number[6:]}",
        "6+3+2, space": f"{number[:6]} {number[6:9]} {number[9:]}",
        "6+3+2, two spaces": f"{number[:6]}  {number[6:9]}  {number[9:]}",
        "date with dots, space": f"{date} {number[6:]}",
        "date with dots, 3+2": f"{date} {number[6:9]} {number[9:]}",
    }
    for name, sep in SEPARATORS.items():
        ways[f"6+5, {name}"] = f"{number[:6]}{sep}{number[6:]}"
    for name in ("newline", "tab", "U+2013 en dash", "slash"):
        sep = SEPARATORS[name]
        ways[f"6+3+2, {name}"] = f"{number[:6]}{sep}{number[6:9]}{sep}{number[9:]}"
    ways["date, newline before the personal digits"] = (
        f"{number[:2]}.{number[2:4]}.{number[4:6]}\n{number[6:]}"
    )
    ways["date with slashes, two spaces"] = (
        f"{number[:2]}/{number[2:4]}/{number[4:6]}  {number[6:]}"
    )
    for name, zero in DIGIT_SCRIPTS.items():
        ways[f"digits: {name}"] = "".join(chr(zero + int(d)) for d in number)
    ways["full-width digits, 6+5 with ideographic space"] = (
        "".join(chr(0xFF10 + int(d)) for d in number[:6])
        + "\u3000"
        + "".join(chr(0xFF10 + int(d)) for d in number[6:])
    )
    for name, char in INVISIBLE.items():
        ways[f"inside: {name}"] = f"{number[:3]}{char}{number[3:7]}{char}{number[7:]}"
    ways["inside: several invisible characters"] = "\u200b".join(number)
    ways["6+5, soft hyphen and line break"] = f"{number[:6]}\u00ad\n{number[6:]}"
    ways["6+5, tab, in full-width digits"] = (
        "".join(chr(0xFF10 + int(d)) for d in number[:6])
        + "\t"
        + "".join(chr(0xFF10 + int(d)) for d in number[6:])
    )
    return ways
