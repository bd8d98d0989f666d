"""The fans and overlays of ``hidden_zones_many`` (SV-04) against the code as it was before
branch ``sv04fast`` (second round) rewrote their inner loops (commit 7feea90, kept verbatim
in ``_visibility_reference_7feea90.py``).

The other visibility tests compare the new code with itself (partial fans with whole ones,
culled with unculled, many paths with one); these compare it with the OLD code on random
scenes (rays along faces and through vertices, viewpoints on and inside occluders, line
occluders): the same hits and segment labels, the same polygons and the same zones, bit for
bit, also when the batches are cut small (the pairs then sorted by viewpoint, as before)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, box

from inclusiecheck.geometry import visibility as vis
from inclusiecheck.geometry.visibility import OccluderIndex, hidden_zones_many

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _visibility_reference_7feea90 as reference  # noqa: E402
from test_visibility import _grid_scene, _random_fan_scene  # noqa: E402


def _scenes(seed: int) -> list[tuple[OccluderIndex, np.ndarray]]:
    return [_random_fan_scene(seed), _grid_scene()]


def _wkb(geoms: np.ndarray) -> list[bytes]:
    return [shapely.to_wkb(g) for g in geoms]


@pytest.mark.parametrize("seed", [5, 11, 17])
@pytest.mark.parametrize("pairs_per_batch", [None, 50])
def test_fan_hits_equal_the_reference(seed: int, pairs_per_batch: int | None,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Whole and partial fans: the same hit distances and segment labels, bit for bit (with
    batches of 50 pairs the new code sorts the pairs by viewpoint and cuts many batches)."""
    if pairs_per_batch is not None:
        monkeypatch.setattr(vis, "_FAN_PAIRS_PER_BATCH", pairs_per_batch)
    rng = np.random.default_rng(seed)
    for index, xy in _scenes(seed):
        for n_rays in (36, 360):
            cos, sin = vis._ray_directions(n_rays)
            k = len(xy)
            first = rng.integers(0, n_rays, k)
            count = rng.integers(1, n_rays + 1, k)
            count[:3] = n_rays
            for f, c in ((None, None), (first, count)):
                total = k * n_rays if c is None else int(c.sum())
                got, want = np.full(total, 30.0), np.full(total, 30.0)
                got_label, want_label = np.full(total, -1), np.full(total, -1)
                vis._fan_hits(index, xy, cos, sin, 30.0, got, f, c, got_label)
                reference._fan_hits(index, xy, cos, sin, 30.0, want, f, c, want_label)
                assert np.array_equal(got, want)
                assert np.array_equal(got_label, want_label)
                assert (want < 30.0).any() and (want_label >= 0).any()


@pytest.mark.parametrize("seed", [3, 9])
@pytest.mark.parametrize("rays_per_chunk", [None, 700])
def test_fan_polygons_equal_the_reference(seed: int, rays_per_chunk: int | None,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Whole fans and the partial fans towards random boxes (beside, around and touching the
    viewpoints): the same polygons, vertex for vertex."""
    if rays_per_chunk is not None:
        monkeypatch.setattr(vis, "_FAN_RAYS_PER_CHUNK", rays_per_chunk)
    rng = np.random.default_rng(seed)
    for index, xy in _scenes(seed):
        cos, sin = vis._ray_directions(360)
        k = len(xy)
        centre = xy + rng.uniform(-25, 25, (k, 2))
        centre[:20] = xy[:20] + rng.uniform(-1, 1, (20, 2))   # the viewpoint in or at the box
        half = rng.uniform(0.2, 12, (k, 2))
        boxes = np.concatenate([centre - half, centre + half], axis=1)
        first, count = vis._ray_ranges(xy, boxes, 360)
        assert (count < 360).any() and (count == 360).any()
        for f, c in ((None, None), (first, count)):
            got = vis._fan_polygons(index, xy, cos, sin, 30.0, f, c)
            want = reference._fan_polygons(index, xy, cos, sin, 30.0, f, c)
            assert _wkb(got) == _wkb(want)
            assert shapely.is_empty(want).any() and not shapely.is_empty(want).all()


def _subtract_case(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What is left unseen of random paths' search areas after their first two whole fans,
    and the partial fans of further viewpoints towards its box (grouped by path, some paths
    already empty), plus squares whose box only touches what is left of a path."""
    index, xy = _random_fan_scene(seed)
    rng = np.random.default_rng(seed)
    cos, sin = vis._ray_directions(360)
    m = 30
    start = xy[20:20 + m]
    paths = shapely.linestrings(np.stack([start, start + rng.uniform(-30, 30, (m, 2))], axis=1))
    hidden = shapely.difference(shapely.buffer(paths, 5.0),
                                shapely.union_all(index.geometries[index._is_polygon]))
    hidden[:3] = shapely.Polygon()   # paths already wholly seen
    first_two = shapely.get_coordinates(
        shapely.line_interpolate_point(np.repeat(paths, 2), np.tile([0.0, 1.0], m),
                                       normalized=True))
    reference._subtract(hidden, reference._fan_polygons(index, first_two, cos, sin, 30.0),
                        np.repeat(np.arange(m), 2))
    per_path = rng.integers(0, 12, m)
    owner = np.repeat(np.arange(m), per_path)
    vp = shapely.get_coordinates(shapely.line_interpolate_point(
        paths[owner], rng.uniform(0, 1, len(owner)), normalized=True))
    boxes = shapely.bounds(hidden)[owner] + np.array([-0.01, -0.01, 0.01, 0.01])
    live = np.isfinite(boxes).all(axis=1)
    boxes[~live] = np.concatenate([vp[~live] - 1.0, vp[~live] + 1.0], axis=1)
    first, count = vis._ray_ranges(vp, boxes, 360)
    polys = reference._fan_polygons(index, vp, cos, sin, 30.0, first, count)
    # squares beside what is left of a path, their boxes touching its box along an edge
    b = shapely.bounds(hidden[3:8])
    touching = np.array([box(x1, y0, x1 + 2.0, y1) for x0, y0, x1, y1 in b], dtype=object)
    polys = np.concatenate([polys, touching])
    owner = np.concatenate([owner, np.arange(3, 8)])
    order = np.argsort(owner, kind="stable")
    return hidden, polys[order], owner[order]


@pytest.mark.parametrize("seed", [23, 29, 31])
def test_subtract_equals_the_reference(seed: int) -> None:
    """The overlays of a stage: what is left of every path is the same, vertex for vertex."""
    hidden, polys, owner = _subtract_case(seed)
    got, want = hidden.copy(), hidden.copy()
    vis._subtract(got, polys, owner)
    reference._subtract(want, polys, owner)
    assert _wkb(got) == _wkb(want)
    changed = [a != b for a, b in zip(_wkb(want), _wkb(hidden), strict=True)]
    assert any(changed) and not all(changed)


def test_boxes_that_touch_share_no_area() -> None:
    a = np.array([[0.0, 0.0, 1.0, 1.0]] * 5)
    b = np.array([[1.0, 0.0, 2.0, 1.0],        # along an edge
                  [1.0, 1.0, 2.0, 2.0],        # at a corner
                  [0.5, 1.0, 0.7, 3.0],        # along the top
                  [0.999, 0.5, 2.0, 0.6],      # overlapping a sliver
                  [0.2, 0.2, 0.3, 0.3]])       # inside
    assert vis._boxes_overlap(a, b).tolist() == [False, False, False, True, True]


@pytest.mark.parametrize("paths_per_batch", [3, 512])
def test_hidden_zones_many_equals_the_reference(paths_per_batch: int,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Hidden zones among random obstacles with the new fans, overlays and batches against
    the old fans and overlays in batches of 128 paths: the same zones, bit for bit."""
    index, xy = _random_fan_scene(37)
    rng = np.random.default_rng(37)
    paths = [LineString([xy[i], xy[i] + rng.uniform(-40, 40, 2),
                         xy[i] + rng.uniform(-40, 40, 2)]) for i in range(18, 70)]

    def zones() -> list[list[tuple[bytes, float, float, bytes]]]:
        return [[(z.geometry.wkb, z.area_m2, z.max_depth_m, z.location.wkb) for z in zs]
                for zs in hidden_zones_many(paths, index, n_rays=360)]

    monkeypatch.setattr(vis, "_PATHS_PER_BATCH", paths_per_batch)
    got = zones()
    monkeypatch.setattr(vis, "_PATHS_PER_BATCH", 128)
    monkeypatch.setattr(vis, "_fan_polygons", reference._fan_polygons)
    monkeypatch.setattr(vis, "_subtract", reference._subtract)
    want = zones()
    assert sum(map(len, want)) >= 5
    assert got == want


@pytest.mark.parametrize("n_rays", [8, 36, 360, 720])
def test_sector_boxes_equal_the_reference(n_rays: int) -> None:
    """The boxes of the swept sectors, all four quarters at once: the same boxes."""
    rng = np.random.default_rng(n_rays)
    cos, sin = vis._ray_directions(n_rays)
    for _ in range(20):
        k = 300
        xy = rng.uniform(-1e5, 1e5, (k, 2))
        first = rng.integers(0, n_rays, k)
        count = rng.integers(1, n_rays + 1, k)
        count[:5] = n_rays
        got = shapely.bounds(vis._sector_boxes(xy, first, count, cos, sin, 30.0))
        want = shapely.bounds(reference._sector_boxes(xy, first, count, cos, sin, 30.0))
        assert np.array_equal(got, want)
