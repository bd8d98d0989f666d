"""Hypothesis properties of measures and of the whole pipeline (issue 13):

- adding an obstacle never widens a clear width;
- horizontal illuminance is additive over lamps (each lamp's contribution, with its own
  reach, does not depend on the others);
- the order of the features in a plan file never changes report.json.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from inclusiecheck.api import check
from inclusiecheck.geometry.clearwidth import clear_width
from inclusiecheck.geometry.lighting import Luminaire, horizontal_illuminance
from inclusiecheck.report import RenderOptions, get_format

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "marktplein"

# ------------------------------------------------------------------------------ clear width

_walkway = st.builds(
    lambda length, width, bend: Polygon([(0, 0), (length, 0), (length + bend, width),
                                         (bend, width)]),
    st.floats(4.0, 40.0), st.floats(0.8, 4.0), st.floats(-1.0, 1.0))
_obstacle = st.builds(
    lambda x, y, w, d: box(x, y, x + w, y + d),
    st.floats(-1.0, 40.0), st.floats(-0.5, 4.0), st.floats(0.05, 1.5), st.floats(0.05, 1.5))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_walkway, st.lists(_obstacle, max_size=4), _obstacle)
def test_adding_an_obstacle_never_widens_the_clear_width(walkway: Polygon,
                                                         obstacles: list[Polygon],
                                                         extra: Polygon) -> None:
    before = clear_width(walkway, obstacles).min_width_m
    after = clear_width(walkway, [*obstacles, extra]).min_width_m
    assert after <= before + 1e-9, (before, after)


# ------------------------------------------------------------------------------ lighting

_lamp = st.builds(Luminaire, x=st.floats(-30, 30), y=st.floats(-30, 30),
                  mounting_height_m=st.floats(2.0, 12.0),
                  luminous_flux_lm=st.floats(0.0, 20_000.0),
                  dimmed_pct=st.one_of(st.none(), st.floats(0.0, 100.0)))


@settings(max_examples=80, deadline=None)
@given(st.lists(_lamp, min_size=1, max_size=5), st.lists(_lamp, min_size=1, max_size=5))
def test_illuminance_is_additive_over_lamps(first: list[Luminaire],
                                            second: list[Luminaire]) -> None:
    grid = np.array([(x, y) for x in np.linspace(-40, 40, 9) for y in np.linspace(-40, 40, 9)])
    both = horizontal_illuminance(grid, [*first, *second])
    apart = horizontal_illuminance(grid, first) + horizontal_illuminance(grid, second)
    assert np.allclose(both, apart, rtol=1e-9, atol=1e-9)
    alone = [horizontal_illuminance(grid, [lamp]) for lamp in [*first, *second]]
    assert np.allclose(both, np.sum(alone, axis=0), rtol=1e-9, atol=1e-9)
    assert (both >= -1e-12).all()


# ------------------------------------------------------------------------------ feature order


def _report_json(plan: Path) -> str:
    """report.json without the input files' hashes and sizes (a shuffled file has other bytes)."""
    report = check(plan, lang="en")
    data = json.loads(get_format("json").render(report, RenderOptions(lang="en")))
    for item in data["plan"].get("inputs") or []:
        item.pop("sha256", None)
        item.pop("bytes", None)
    return json.dumps(data, sort_keys=False, ensure_ascii=False)


def _with_ids(folder: Path) -> None:
    """Give every GeoJSON feature its index as ``id`` (its source fid), as a GIS export does,
    so that the source references do not depend on the order either."""
    for path in sorted(folder.glob("*.geojson")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for index, feature in enumerate(data["features"]):
            feature.setdefault("id", index)
        path.write_text(json.dumps(data), encoding="utf-8")


_BASELINE: dict[str, str] = {}


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False))
def test_feature_order_never_changes_the_json(tmp_path_factory, rnd) -> None:  # type: ignore[no-untyped-def]
    if "sample" not in _BASELINE:
        base = tmp_path_factory.mktemp("ordered") / "marktplein"
        shutil.copytree(SAMPLE, base)
        _with_ids(base)
        _BASELINE["sample"] = _report_json(base)
    plan = tmp_path_factory.mktemp("shuffled") / "marktplein"
    shutil.copytree(SAMPLE, plan)
    _with_ids(plan)
    for path in sorted(plan.glob("*.geojson")):
        data = json.loads(path.read_text(encoding="utf-8"))
        rnd.shuffle(data["features"])
        path.write_text(json.dumps(data), encoding="utf-8")
    assert _report_json(plan) == _BASELINE["sample"]
