"""``inclusiecheck init``: an empty plan GeoPackage with every data-profile layer and field.

One table per profile layer (:data:`~inclusiecheck.model.profile.LAYER_MODELS`), named exactly
as the layer, in EPSG:31370 (Belgian Lambert 72). Its geometry type is the layer's first kind
in :data:`~inclusiecheck.model.profile.LAYER_GEOMETRIES` (``walkway``: LineString, a centre
line); a layer that may also be drawn with another kind says so in its description. Fields
carry the profile's types (number -> Real, integer -> Integer, boolean -> Boolean, code and
text -> String); each field's description (type, unit, allowed codes, default) is stored in
the GeoPackage schema extension (``gpkg_data_columns``), each layer's in ``gpkg_contents``.
Beside the GeoPackage a commented ``plan.yaml`` (or ``<stem>.plan.yaml`` when a
``plan.yaml`` is already there) holds the plan metadata that decides which rules apply.
Existing files are never overwritten.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from inclusiecheck.model import InputError
from inclusiecheck.model.profile import (
    ATTRIBUTE_DEFAULTS,
    LAYER_GEOMETRIES,
    LAYER_MODELS,
    allowed_codes,
    attribute_kind,
    attribute_names,
)

#: the CRS of a new plan: Belgian Lambert 72
INIT_CRS = "EPSG:31370"
#: profile attribute kind -> fiona field type
FIELD_TYPES = {"number": "float", "integer": "int", "boolean": "bool", "code": "str",
               "text": "str"}
#: unit suffix of an attribute name -> unit in words
UNITS = {"_m2": "square metres", "_m": "metres", "_cm": "centimetres", "_pct": "percent",
         "_lm": "lumen", "_deg": "degrees"}

PLAN_YAML = """\
# Plan metadata for {name} (data profile v1, 'Plan metadata'; see docs/data-profile.md).
# inclusiecheck reads this file with the plan; command-line options override it.
# Uncomment and fill in what you know: these fields decide which rules apply.

# project: Heraanleg Marktplein
# dossier: OMV_2026123456        # the permit file number
# municipality: Voorbeeldegem
# applicant: Gemeente Voorbeeldegem
# designer: Studio Openbare Ruimte
# reviewer: Dienst Omgeving

# The permit date selects the rule versions in force (default: today).
# permit_date: 2026-11-15

# Kind of works: new, renovation, extension or outdoor_only.
# work_kind: new

# Whether the plan lies inside the built-up area (default true; the report says when it
# assumed so).
# built_up_area: true

# Default for features that do not say whether they belong to a publicly accessible
# building (the toegankelijkheidsverordening applies to those).
# public_building: false

# Publicly accessible floor area in m2, if not on the features (decides the verordening's case).
# building_area_m2: 850

# Default regime of outdoor features that neither their data nor the drawing places:
# verordening, bv97 or public_space (usually left out; see docs/data-profile.md, Regimes).
# regime: bv97

# A reviewer's corrections of derived regimes, per feature id.
# regimes:
#   helling-noord: bv97

# Report language: nl or en.
# lang: nl

# Layers that hold every feature of their kind in the plan area: only there does absence
# prove something (a path without a lamp is dark, a stop without a bench has no seating).
# Default: every layer the plan has. Add a layer the plan leaves empty on purpose ("there are
# none"); leave out a layer drawn only in part. `present` stands for every layer the plan has.
# complete_layers: [present, toilet]

# Data beside the design: OpenStreetMap (XML, PBF or an Overpass/MapComplete/QuickOSM
# export) is the existing situation; judge it as new, or read it with your own tag mapping.
# osm: {{status: existing, tags: my-osm-tags.yaml}}

# A CAD drawing (.dxf): its layer mapping and unit (else cad-nl and the drawing's $INSUNITS),
# and where a local drawing lies (its origin in the CRS below, rotation in degrees).
# dxf: {{mapping: my-cad-layers.yaml, units: m}}
# origin: [104250, 194310, 0]

# The CRS of the layers (the GeoPackage says so itself; needed for files without a CRS).
crs: {crs}
"""


def attribute_description(layer: str, attribute: str) -> str:
    """A one-line description of a profile attribute: type, unit, codes, default."""
    kind = attribute_kind(layer, attribute)
    parts = [kind]
    for suffix, unit in UNITS.items():
        if attribute.endswith(suffix):
            parts.append(f"in {unit}")
            break
    codes = allowed_codes(layer, attribute)
    if codes:
        parts.append("one of " + ", ".join(codes))
    if kind == "boolean":
        parts.append("true/false (ja/nee)")
    default = ATTRIBUTE_DEFAULTS.get(layer, {}).get(attribute)
    if default is not None:
        parts.append(f"default {default}")
    if attribute == "id":
        parts.append("unique within the layer")
    return "; ".join(parts)


def layer_description(layer: str) -> str:
    """The layer's docstring (first paragraph) and its allowed geometry kinds."""
    doc = (LAYER_MODELS[layer].__doc__ or "").strip().split("\n\n")[0]
    doc = " ".join(doc.split())
    kinds = ", ".join(LAYER_GEOMETRIES[layer])
    text = f"{doc} " if doc and not doc.startswith("Attributes common") else ""
    return f"{text}Data profile v1 layer '{layer}'; geometry: {kinds}".strip()


def init_plan(path: Path) -> list[Path]:
    """Write an empty plan GeoPackage at ``path`` and its commented plan metadata beside it.

    Returns
    -------
    list[Path]
        The GeoPackage and the plan metadata file.

    Raises
    ------
    InputError
        ``path`` does not end in ``.gpkg``, already exists, or cannot be written.
    """
    import fiona

    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise InputError(f"{path}: give a file name ending in .gpkg")
    if path.exists():
        raise InputError(f"{path}: already exists; choose another name (existing files are "
                         "never overwritten)")
    meta = path.with_name("plan.yaml")
    if meta.exists():
        meta = path.with_name(f"{path.stem}.plan.yaml")
    if meta.exists():
        raise InputError(f"{meta}: already exists; choose another name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for layer in LAYER_MODELS:
            props = {name: FIELD_TYPES[attribute_kind(layer, name)]
                     for name in attribute_names(layer)}
            with fiona.open(str(path), "w", driver="GPKG", layer=layer, crs=INIT_CRS,
                            schema={"geometry": LAYER_GEOMETRIES[layer][0],
                                    "properties": props}):
                pass
        _describe(path)
        meta.write_text(PLAN_YAML.format(name=path.name, crs=INIT_CRS), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return [path, meta]


def _describe(path: Path) -> None:
    """Store layer and field descriptions (gpkg_contents, gpkg_data_columns)."""
    con = sqlite3.connect(str(path))
    try:
        with con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, "
                "column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT, "
                "mime_type TEXT, constraint_name TEXT, "
                "CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), "
                "CONSTRAINT gdc_tn UNIQUE (table_name, name))")
            con.execute(
                "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, "
                "extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, "
                "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))")
            con.execute(
                "INSERT OR IGNORE INTO gpkg_extensions VALUES ('gpkg_data_columns', NULL, "
                "'gpkg_schema', 'http://www.geopackage.org/spec121/#extension_schema', "
                "'read-write')")
            for layer in LAYER_MODELS:
                con.execute("UPDATE gpkg_contents SET description = ? WHERE table_name = ?",
                            (layer_description(layer), layer))
                for name in attribute_names(layer):
                    con.execute(
                        "INSERT OR REPLACE INTO gpkg_data_columns (table_name, column_name, name, "
                        "title, description) VALUES (?, ?, ?, ?, ?)",
                        (layer, name, name, name, attribute_description(layer, name)))
    finally:
        con.close()
