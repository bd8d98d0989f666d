"""Deviations (afwijkingen): justified exceptions granted for a rule on a feature.

A plan may come with ``afwijkingen.yaml`` (or ``deviations.yaml``) beside it, or a file given
with ``--deviations``: a list of ``{rule, feature, layer?, justification, decided_by, date}``.
A matching fail or warn is reported as ``deviation`` with the justification: never hidden.
A deviation whose rule or feature no longer exists is warned about as stale.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from inclusiecheck.engine.yamlio import line_of, load_yaml
from inclusiecheck.model import InputError

DEFAULT_NAMES = ("afwijkingen.yaml", "afwijkingen.yml", "deviations.yaml", "deviations.yml")


class Deviation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    feature: str
    layer: str | None = None
    justification: str = Field(min_length=3)
    decided_by: str = Field(min_length=2)
    date: dt.date
    reference: str | None = None

    def as_dict(self) -> dict[str, str]:
        out = {"justification": self.justification, "decided_by": self.decided_by,
               "date": self.date.isoformat()}
        if self.reference:
            out["reference"] = self.reference
        return out


def find_default(plan_path: Path) -> Path | None:
    folder = plan_path if plan_path.is_dir() else plan_path.parent
    for name in DEFAULT_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


def load_deviations(path: Path) -> list[Deviation]:
    """Read a deviations file: a list, or a mapping with a ``deviations`` (or ``afwijkingen``)
    list. Any problem is one :class:`InputError` line with the file and line."""
    if not path.is_file():
        raise InputError(f"{path}: deviations file not found")
    data = load_yaml(path)
    prefix: tuple[str, ...] = ()
    if isinstance(data, dict):
        key = next((k for k in ("deviations", "afwijkingen") if k in data), None)
        if key is not None:
            prefix = (key,)
        data = data.get(key) if key is not None else None
    if data is None:
        data = [] if prefix else None
    if not isinstance(data, list):
        raise InputError(f"{path}:{line_of(path, prefix) or 1}: expected a list of deviations "
                         "(rule, feature, justification, decided_by, date)")
    out: list[Deviation] = []
    seen: dict[tuple[str, str, str | None], int] = {}
    for i, item in enumerate(data):
        try:
            deviation = Deviation.model_validate(item)
        except ValidationError as exc:
            err = exc.errors()[0]
            line = line_of(path, (*prefix, i, *err["loc"]))
            where = ".".join(str(p) for p in err["loc"]) or "(item)"
            msg = "required key is missing" if err["type"] == "missing" else err["msg"]
            raise InputError(f"{path}:{line or '?'}: deviation {i + 1}: {where}: {msg}") \
                from None
        key3 = (deviation.rule, deviation.feature, deviation.layer)
        if key3 in seen:
            line = line_of(path, (*prefix, i))
            raise InputError(f"{path}:{line or '?'}: deviation {i + 1}: a second deviation for "
                             f"rule {deviation.rule} on feature {deviation.feature} (the first "
                             f"is deviation {seen[key3] + 1})")
        seen[key3] = i
        out.append(deviation)
    return out
