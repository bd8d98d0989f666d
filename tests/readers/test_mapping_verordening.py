"""Dutch (nl) mapping names of the attributes the verordening rules TV-44..TV-53 read."""

from __future__ import annotations

from pathlib import Path

from shapely.geometry import Point

from inclusiecheck.model import RawFeature, RawPlan, SourceRef
from inclusiecheck.readers.mapping import apply_mapping, load_mapping


def test_dutch_names_of_the_verordening_attributes() -> None:
    """nl mapping: the attributes the verordening rules TV-44..TV-53 read."""

    def mapped(layer: str, **props: object) -> tuple[str, dict[str, object]]:
        plan = RawPlan(path=Path("plan"), crs="EPSG:31370", features=[
            RawFeature(layer, dict(props), Point(0, 0), SourceRef("plan.gpkg", layer, "0"))])
        out = apply_mapping(plan, load_mapping("nl")).features[0]
        return out.layer, out.properties

    assert mapped("looppad", soort="Gang") == ("walkway", {"kind": "corridor"})
    assert mapped("parking", voorbehouden="ja", aantal_plaatsen=12) == (
        "parking", {"reserved": "ja", "bays": 12})
    assert mapped("trap", diepte_tussenbordes="1,10") == ("stairs", {"landing_depth_m": "1,10"})
    assert mapped("helling", draaibordes=1.5)[1] == {"landing_turn_m": 1.5}
    assert mapped("toilet", wastafel="ja", onderrijdhoogte_wastafel=70,
                  onderrijdbreedte_wastafel=90, onderrijddiepte_wastafel=60,
                  wastafel_in_hoek="nee", afstand_as_wastafel_hoek=45,
                  doorgang_wc_wastafel=90, diepte_toiletpot=70)[1] == {
        "washbasin": "ja", "knee_height_cm": 70, "knee_width_cm": 90, "knee_depth_cm": 60,
        "basin_in_corner": "nee", "basin_corner_axis_cm": 45, "wc_washbasin_passage_cm": 90,
        "wc_depth_cm": 70}
