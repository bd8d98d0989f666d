"""Error and warning types shared by every stage.

An :class:`InputError` is the one error a user sees for bad input: the CLI prints its message
as one line and exits with code 2. Readers, the normaliser and the rule loader raise it with a
message that names the file and says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass


class InputError(Exception):
    """Bad input (plan files, options, rule files): reported as one line, exit code 2."""


@dataclass(frozen=True, slots=True)
class ReadWarning:
    """A problem found while reading or normalising a plan that did not stop the run.

    ``code`` is a stable machine key (``unknown_layer``, ``unknown_attribute``,
    ``invalid_value``, ``geometry_repaired``, ``geometry_skipped``, ``crs_reprojected``, ...).
    """

    code: str
    message: str
    file: str | None = None
    layer: str | None = None
    feature_id: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "message": self.message,
            "file": self.file,
            "layer": self.layer,
            "feature_id": self.feature_id,
        }
