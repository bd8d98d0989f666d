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
    """Parse a number, accepting a decimal comma and numbers stored as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return None
        return float(value)
    if isinstance(value, str):
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
            raise ValueError(f"{value!r} is not a number") from None
        if math.isnan(number) or math.isinf(number):
            return None
        return number
    raise ValueError(f"{value!r} is not a number")


def parse_int(value: Any) -> int | None:
    """Parse a whole number (``"12"``, ``12.0``, ``"12,0"``)."""
    number = parse_number(value)
    if number is None:
        return None
    if abs(number - round(number)) > 1e-9:
        raise ValueError(f"{value!r} is not a whole number")
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
