"""The profile's code lists are explicit ``Literal`` aliases (so mypy can check them); they must
be exactly what the profile validates at run time, for every enumeration attribute."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from inclusiecheck.model import profile
from inclusiecheck.model.profile import LAYER_MODELS, allowed_codes, attribute_kind

# every enumeration attribute of the profile -> the alias that lists its codes
# (``access``-style attributes, read by parse_access, have their own alias: Access)
ALIASES = {
    **{(layer, "status"): profile.Status for layer in LAYER_MODELS},
    **{(layer, "regime"): profile.Regime for layer in LAYER_MODELS},
    ("area", "kind"): profile.AreaKind,
    ("walkway", "kind"): profile.WalkwayKind,
    ("walkway", "surface"): profile.Surface,
    ("tactile", "kind"): profile.TactileKind,
    ("ramp", "handrail"): profile.Handrail,
    ("stairs", "handrail"): profile.Handrail,
    ("lift", "kind"): profile.LiftKind,
    ("stop", "mode"): profile.StopMode,
    ("toilet", "changing_table"): profile.ChangingTable,
    ("obstacle", "kind"): profile.ObstacleKind,
    ("vegetation", "kind"): profile.VegetationKind,
    ("building", "use"): profile.BuildingUse,
    ("parking", "arrangement"): profile.ParkingArrangement,
}
ACCESS = {("stop", "operator_accessible"), ("toilet", "accessible")}


def _code_attributes() -> set[tuple[str, str]]:
    return {(layer, name) for layer, model in LAYER_MODELS.items() for name in model.model_fields
            if attribute_kind(layer, name) == "code"}


def test_every_code_attribute_has_an_alias() -> None:
    assert _code_attributes() == set(ALIASES) | ACCESS


@pytest.mark.parametrize(("layer", "attribute"), sorted(ALIASES))
def test_alias_is_the_validated_vocabulary(layer: str, attribute: str) -> None:
    codes = get_args(ALIASES[(layer, attribute)])
    assert allowed_codes(layer, attribute) == codes
    model = LAYER_MODELS[layer]
    for code in codes:  # each code is accepted, in any case (parse_code)
        assert getattr(model.model_validate({attribute: code.upper()}), attribute) == code
    with pytest.raises(ValidationError):
        model.model_validate({attribute: "not_a_code"})


def test_access_codes() -> None:
    for layer, attribute in ACCESS:
        assert allowed_codes(layer, attribute) == ("yes", "limited", "no")
