"""The data profile's layers as plain data (kept in sync with
``inclusiecheck/model/profile.py`` by a test in the project's ``tests/``).

The plugin never imports inclusiecheck into QGIS, so it keeps its own copy of the layer names
and their allowed geometry kinds: for the per-layer choices in the dialog, the geometry check
before a run and the layers of a new empty plan.
"""

#: profile layer -> allowed geometry kinds (Multi* variants are accepted for each)
PROFILE_LAYERS: dict[str, tuple[str, ...]] = {
    "area": ('Polygon',),
    "walkway": ('LineString', 'Polygon'),
    "cycle_path": ('LineString', 'Polygon'),
    "crossing": ('Point', 'LineString', 'Polygon'),
    "tactile": ('LineString', 'Polygon'),
    "ramp": ('LineString', 'Polygon'),
    "stairs": ('LineString', 'Polygon'),
    "lift": ('Point', 'Polygon'),
    "level_change": ('Point',),
    "entrance": ('Point',),
    "door": ('Point',),
    "stop": ('Point', 'Polygon'),
    "toilet": ('Point', 'Polygon'),
    "bench": ('Point', 'LineString'),
    "light": ('Point',),
    "obstacle": ('Point', 'LineString', 'Polygon'),
    "vegetation": ('Point', 'LineString', 'Polygon'),
    "building": ('Polygon',),
    "wall": ('LineString', 'Polygon'),
    "parking": ('Polygon', 'Point'),
    "underpass": ('LineString', 'Polygon'),
}

#: the layers of findings.gpkg
FINDINGS_LAYERS = ("findings_polygon", "findings_line", "findings_point")
