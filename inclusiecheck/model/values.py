"""Lenient parsing of attribute values as designers type them.

Booleans accept true/false, yes/no, ja/nee, waar/onwaar, j/n, y/n, 1/0; numbers accept a
decimal comma ("1,50") and numbers stored as text ("  2.3 "). These parsers are used as
pydantic ``BeforeValidator``s so every layer model shares them.
"""

from __future__ import annotations

import math
from typing import Any

_TRUE = {"true", "t", "yes", "y", "ja", "j", "waar", "1", "x", "on"}
_FALSE = {"false", "f", "no", "n", "nee", "onwaar", "0", "off", ""}


def parse_bool(value: Any) -> bool | None:
    """Parse a boolean written in any of the accepted ways; ``None``/empty stays ``None``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None
        if value in (0, 1):
            return bool(value)
        raise ValueError(f"{value!r} is not a boolean (use ja/nee, true/false, 1/0)")
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "":
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ValueError(f"{value!r} is not a boolean (use ja/nee, true/false, 1/0)")


def parse_number(value: Any) -> float | None:
    """Parse a number, accepting a decimal comma and numbers stored as text.

    Raises
    ------
    ValueError
        Not a number, or not a finite one (NaN, infinity, ``1e400``, an integer beyond the
        float range): the normaliser turns it into an ``invalid_value`` warning.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an int beyond the float range (10**400)
            raise ValueError(_NOT_FINITE.format(short_repr(value))) from None
        if not math.isfinite(number):
            raise ValueError(_NOT_FINITE.format(short_repr(value)))
        return number
    if isinstance(value, str):
        if len(value) > MAX_NUMBER_TEXT:
            raise ValueError(f"{short_repr(value)} is not a number")
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if text == "":
            return None
        if "," in text and "." in text:
            # "1.234,5" (Dutch thousands) or "1,234.5" (English thousands)
            if text.rfind(",") > text.rfind("."):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", "")
        else:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{short_repr(value)} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(_NOT_FINITE.format(short_repr(value)))
        return number
    raise ValueError(f"{short_repr(value)} is not a number")


#: longest text parsed as a number (a longer one is not a plausible attribute value)
MAX_NUMBER_TEXT = 100
_NOT_FINITE = "{} is not a finite number"


def short_repr(value: Any, limit: int = 40) -> str:
    """``repr(value)`` for a message, cut at ``limit`` characters (a 5,000-digit integer)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() >= 200:
            return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
        text = str(value)
        return text if len(text) <= limit else text[:limit] + "…"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def parse_int(value: Any) -> int | None:
    """Parse a whole number (``"12"``, ``12.0``, ``"12,0"``)."""
    number = parse_number(value)
    if number is None:
        return None
    if abs(number - round(number)) > 1e-9:
        raise ValueError(f"{short_repr(value)} is not a whole number")
    return int(round(number))


def parse_text(value: Any) -> str | None:
    """Text values: stripped; empty becomes ``None``; numbers become their text."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = str(value).strip()
    return text or None


def parse_code(value: Any) -> str | None:
    """Enumeration codes: like text, lower-cased, spaces and dashes as underscores."""
    text = parse_text(value)
    if text is None:
        return None
    return text.lower().replace("-", "_").replace(" ", "_")


#: words for "limited" accessibility (OSM ``wheelchair=limited``, Dutch "beperkt")
_LIMITED = {"limited", "beperkt", "gedeeltelijk", "partial", "partly"}


def parse_access(value: Any) -> str | None:
    """An accessibility code ``yes`` / ``limited`` / ``no`` that still accepts booleans:
    ``true`` (and ja, 1, ...) -> ``yes``, ``false`` (nee, 0, ...) -> ``no``; ``limited`` (also
    beperkt, gedeeltelijk, partial) stays ``limited``. Other text is an error."""
    if isinstance(value, str):
        code = parse_code(value)
        if code is None:
            return None
        if code in ("yes", "no", "limited"):
            return code
        if code in _LIMITED:
            return "limited"
    try:
        flag = parse_bool(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an accessibility code (use yes, limited or no; "
                         "ja/nee and true/false are read as yes/no)") from None
    return None if flag is None else ("yes" if flag else "no")
