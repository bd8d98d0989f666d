"""looks_osm_tagged's shortcut (a layer without any main OSM key is no OSM export) gives what
the full sample test gives, on random layers."""

from __future__ import annotations

import random
from typing import Any

import pytest

from inclusiecheck.readers.osm.vector import (
    OSM_KEYS, _profile_layer, feature_tags, looks_osm_tagged, osm_identity,
)


def _full_test(layer_name: str, fids: list[str], properties: list[dict[str, Any]]) -> bool:
    """looks_osm_tagged before the shortcut (verbatim)."""
    if not properties:
        return False
    sample = range(0, len(properties), max(1, len(properties) // 500))
    total = ids = keyed = 0
    for index in sample:
        props = properties[index]
        total += 1
        if (osm_identity(props, fids[index] if index < len(fids) else None,
                         layer_name) is not None
                or isinstance(props.get("tags"), dict) or isinstance(props.get("other_tags"), str)):
            ids += 1
        if not OSM_KEYS.isdisjoint(feature_tags(props)):
            keyed += 1
    if ids * 2 > total and keyed:
        return True
    return not _profile_layer(layer_name) and keyed * 2 > total


POOL: list[tuple[str, list[Any]]] = [
    ("highway", ["footway", None, ""]), ("amenity", ["bench", None]), ("surface", ["asphalt"]),
    ("width", ["2", None]), ("@id", ["way/12", "node/3", "x"]), ("osm_id", [12, None, "a"]),
    ("osm_type", ["way", "node", None]), ("id", ["w5", 7, "way/9", None]),
    ("tags", [{"highway": "footway"}, {"surface": "sett"}, "text", None]),
    ("other_tags", ['"highway"=>"footway"', '"lit"=>"yes"', None]), ("name", ["x", None]),
    ("kind", ["sidewalk", None]), ("width_m", [1.2, None]),
]


@pytest.mark.parametrize("seed", range(40))
def test_shortcut_matches_the_full_test(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(10):
        keys = rng.sample(POOL, rng.randint(0, 6))
        count = rng.choice([1, 3, 50, 1200])
        properties = [{key: rng.choice(values) for key, values in keys if rng.random() < 0.8}
                      for _ in range(count)]
        fids = [rng.choice([str(i), f"way/{i}"]) for i in range(count)]
        for layer in ("walkway", "lines", "my layer"):
            assert looks_osm_tagged(layer, fids, properties) == \
                _full_test(layer, fids, properties)
