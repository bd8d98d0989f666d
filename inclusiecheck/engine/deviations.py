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
    data = load_yaml(path)
    if isinstance(data, dict):
        data = data.get("deviations", data.get("afwijkingen"))
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a list of deviations (rule, feature, justification, "
                         "decided_by, date)")
    out = []
    for i, item in enumerate(data):
        try:
            out.append(Deviation.model_validate(item))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = (i, *err["loc"])
            line = line_of(path, loc)
            where = ".".join(str(p) for p in err["loc"])
            raise InputError(f"{path}:{line or '?'}: deviation {i + 1}: {where}: {err['msg']}") \
                from None
    return out
