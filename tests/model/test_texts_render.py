"""render and format_value (model/texts.py) against a plain reference, on random templates."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from inclusiecheck.model.findings import Outcome
from inclusiecheck.model.texts import format_number, format_value, render


def _reference_value(value: Any, lang: str) -> str:
    """format_value as it was written before its fast paths (isinstance, in this order)."""
    if value is None:
        return "?"
    if isinstance(value, bool):
        return ("ja" if value else "nee") if lang == "nl" else ("yes" if value else "no")
    if isinstance(value, float):
        return format_number(value, lang)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_reference_value(v, lang) for v in value)
    if isinstance(value, dict) and lang in value:
        return _reference_value(value[lang], lang)
    return str(value)


def _reference_render(template: str, values: dict[str, Any], lang: str) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return _reference_value(values[name], lang) if name in values else match.group(0)

    return re.sub(r"\{([a-z_][a-z0-9_]*)\}", fill, template)


class _Text(str):
    pass


VALUES: list[Any] = [None, True, False, 0, 7, -3, 1.005, 2.5, -0.001, 1e9, "tekst", "", _Text("sub"),
                     Outcome.FAIL, [1.5, "a", None], (True, 2), {"nl": "nl-tekst", "en": "en text"},
                     {"nl": 1.25}, {"other": 1}, np.float64(1.25), np.int64(3),
                     {"nl": {"nl": 2.5, "en": 1}, "en": [1, 2]}, {"en": "only en"}, 2**70, {}]
NAMES = ["measured", "required", "unit", "x", "feature_id", "unknown"]


@pytest.mark.parametrize("seed", range(4))
def test_render_equals_the_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(300):
        pieces = []
        for _ in range(int(rng.integers(0, 6))):
            pieces.append(str(rng.choice(["tekst ", "{", "}", " {x", "{Bad}", "é ", ""])))
            pieces.append("{" + str(rng.choice(NAMES)) + "}")
        template = "".join(pieces) + str(rng.choice(["", ".", " einde"]))
        values = {name: VALUES[int(rng.integers(len(VALUES)))] for name in NAMES[:-1]
                  if rng.random() < 0.8}
        for lang in ("nl", "en"):
            assert render(template, values, lang) == _reference_render(template, values, lang)


def test_format_value_equals_the_reference() -> None:
    for value in VALUES:
        for lang in ("nl", "en"):
            assert format_value(value, lang) == _reference_value(value, lang)
