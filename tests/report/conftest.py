"""Hand-built Reports for the output-format tests: a small Flemish square (EPSG:31370).

The report holds fails (structural and not, obligation and recommendation), warns, to_verify
with missing attributes, a granted deviation, passes, a not_applicable, a finding without
location, one on the existing situation, and locations of every GeoJSON geometry type.
"""

from __future__ import annotations

from typing import Any

import pytest

from inclusiecheck.model import Citation, Finding, Level, Outcome, Pillar, Report, RuleInfo, Verdict

X0, Y0 = 104_500.0, 193_800.0  # a square in Lambert 72 (EPSG:31370)

BV97 = Citation("BVR 29 april 1997 (voetgangerswegen)", "art. 2",
                "https://codex.vlaanderen.be/Zoeken/Document.aspx?DID=1005407")
TV = Citation("BVR 5 juni 2009 (toegankelijkheidsverordening)", "art. 24",
              "https://www.toegankelijkgebouw.be/regelgeving")
PD = Citation("Vademecum Toegankelijk Publiek Domein", "hoofdstuk 3.2",
              "https://www.vlaanderen.be/inter/toegankelijk-publiek-domein", kind="guidance")
LIGHT = Citation("NBN L 18-004 / EN 13201", "klasse P4", None, kind="guidance")


def P(dx: float, dy: float) -> list[float]:
    """A coordinate pair relative to the square's south-west corner."""
    return [X0 + dx, Y0 + dy]


def rect(x1: float, y1: float, x2: float, y2: float) -> list[list[float]]:
    return [P(x1, y1), P(x2, y1), P(x2, y2), P(x1, y2), P(x1, y1)]


TEXTS = {
    "nl": {
        "W1": ("Het vrije looppad is 1,20 m breed, minder dan de vereiste 1,50 m.",
               "Verbreed het looppad of verplaats het straatmeubilair."),
        "R1": ("Het hellend vlak heeft geen leuning aan beide zijden.",
               "Plaats leuningen aan beide zijden."),
        "C1": ("De boordsteen aan de oversteek is 4 cm hoog.", "Verlaag de boordsteen tot 2 cm."),
        "W2": ("De dwarshelling is 2,1 %, net boven 2 %.", "Beperk de dwarshelling tot 2 %."),
        "E1": ("De draairuimte voor de ingang is niet opgegeven.", "Geef turning_space_m op."),
        "S1": ("De perronhoogte van de halte is niet opgegeven.", "Geef platform_height_cm op."),
        "T1": ("De trap heeft geen contrasterende trapneuzen.", "Markeer de trapneuzen."),
        "W3": ("De vrije hoogte is voldoende.", ""),
        "L1": ("Dit deel van het plein is te donker (3,2 lx).", "Voeg verlichting toe."),
        "B1": ("Over 140 m staat geen zitbank.", "Plaats een bank met rug- en armleuningen."),
        "P1": ("Er is geen aangepaste parkeerplaats.", "Voorzie een aangepaste parkeerplaats."),
        "X1": ("Het bestaande voetpad is 1,10 m breed.", "Verbreed het voetpad bij de heraanleg."),
        "N1": ("Niet van toepassing.", ""),
    },
    "en": {
        "W1": ("The clear walkway is 1.20 m wide, less than the required 1.50 m.",
               "Widen the walkway or move the street furniture."),
        "R1": ("The ramp has no handrail on both sides.", "Add handrails on both sides."),
        "C1": ("The kerb at the crossing is 4 cm high.", "Lower the kerb to 2 cm."),
        "W2": ("The cross slope is 2.1 %, just above 2 %.", "Limit the cross slope to 2 %."),
        "E1": ("The turning space in front of the entrance is not given.",
               "Add turning_space_m."),
        "S1": ("The platform height of the stop is not given.", "Add platform_height_cm."),
        "T1": ("The stairs have no contrasting nosings.", "Mark the nosings."),
        "W3": ("The free height is sufficient.", ""),
        "L1": ("This part of the square is too dark (3.2 lx).", "Add lighting."),
        "B1": ("No bench over 140 m.", "Place a bench with backrest and armrests."),
        "P1": ("There is no adapted parking place.", "Provide an adapted parking place."),
        "X1": ("The existing sidewalk is 1.10 m wide.", "Widen the sidewalk when rebuilt."),
        "N1": ("Not applicable.", ""),
    },
}


def make_finding(key: str, lang: str, **kw: Any) -> Finding:
    message, advice = TEXTS[lang][key]
    base: dict[str, Any] = dict(
        rule_set="voetgangerswegen", layer="walkway", feature_id=key.lower(),
        source_ref={"file": "plein.gpkg", "layer": kw.get("layer", "walkway"), "fid": "1"},
        outcome=Outcome.FAIL, level=Level.OBLIGATION, structural=False, pillar=Pillar.ACCESSIBILITY, property=None,
        measured=None, required=None, unit=None, message=message, advice=advice, source=BV97,
        location=None, rule_set_version="1.0.0",
    )
    base.update(kw)
    return Finding(**base)


def make_rules(lang: str) -> tuple[RuleInfo, ...]:
    nl = lang == "nl"
    def r(id_: str, rule_set: str, title_nl: str, title_en: str, pillar: Pillar, level: Level,
          structural: bool, source: Citation, layer: str, qualitative: bool = False,
          description: str = "") -> RuleInfo:
        return RuleInfo(id_, rule_set, "1.0.0", title_nl if nl else title_en, pillar, level,
                        structural, source, layer, qualitative, description)

    A, S, C = Pillar.ACCESSIBILITY, Pillar.SOCIAL_SAFETY, Pillar.COMFORT
    O, R = Level.OBLIGATION, Level.RECOMMENDATION  # noqa: E741 - a column of the table below
    return (
        r("VW-01", "voetgangerswegen", "Vrije doorgang looppad", "Clear walkway width", A, O,
          True, BV97, "walkway"),
        r("VW-03", "voetgangerswegen", "Vrije hoogte", "Free height", A, O, True, BV97,
          "walkway"),
        r("TV-24", "toegankelijkheidsverordening", "Leuningen hellend vlak",
          "Ramp handrails", A, O, False, TV, "ramp"),
        r("TV-ENT-04", "toegankelijkheidsverordening", "Draairuimte voor de ingang",
          "Turning space at the entrance", A, O, True, TV, "entrance"),
        r("TV-PK-01", "toegankelijkheidsverordening", "Aangepaste parkeerplaatsen",
          "Adapted parking places", A, O, True, TV, "parking"),
        r("TV-ST-02", "toegankelijkheidsverordening", "Trapneuzen", "Stair nosings", A, O,
          False, TV, "stairs"),
        r("PD-07", "publiek-domein", "Boordsteenhoogte aan oversteek", "Kerb height at crossing",
          A, R, False, PD, "crossing"),
        r("PD-02", "publiek-domein", "Dwarshelling", "Cross slope", C, R, False, PD, "walkway"),
        r("PD-HA-01", "publiek-domein", "Perronhoogte halte", "Stop platform height", A, R,
          True, PD, "stop"),
        r("SV-L-01", "sociale-veiligheid", "Verlichtingsniveau", "Lighting level", S, R, False,
          LIGHT, "light"),
        r("PD-RB-01", "publiek-domein", "Rustpunten", "Rest points", C, R, False, PD, "bench"),
        r("SV-Q-01", "sociale-veiligheid", "Zicht op de omgeving vanuit de onderdoorgang",
          "Sightlines from the underpass", S, R, False, PD, "underpass", True,
          "Ga na of de uitgang zichtbaar is." if nl else "Check that the exit is visible."),
    )


def build_report(lang: str = "nl", *, list_all: bool = False, hostile: bool = False) -> Report:
    """A realistic report of a small square, in Dutch or English."""
    f = make_finding
    walkway_line = {"type": "LineString", "coordinates": [P(2, 30), P(40, 30)]}
    findings = [
        f("W1", lang, rule_id="VW-01", feature_id="sidewalk-north", structural=True,
          property="width_m", measured=1.2, required=1.5, unit="m",
          location={"type": "LineString", "coordinates": [P(10, 30), P(14.6, 30)]},
          data={"narrowing_length_m": 4.6}, rule_version=2),
        f("R1", lang, rule_id="TV-24", rule_set="toegankelijkheidsverordening", layer="ramp",
          feature_id="ramp-1", property="handrail", measured="none", required="both_sides",
          source=TV, location={"type": "Polygon", "coordinates": [rect(44, 8, 48, 14)]}),
        f("C1", lang, rule_id="PD-07", rule_set="publiek-domein", layer="crossing",
          feature_id="crossing-1", level=Level.RECOMMENDATION, property="kerb_height_cm",
          measured=4.0, required=2.0, unit="cm", source=PD,
          location={"type": "Point", "coordinates": P(20, 2)}),
        f("W2", lang, rule_id="PD-02", rule_set="publiek-domein", feature_id="square-surface",
          outcome=Outcome.WARN, level=Level.RECOMMENDATION, pillar=Pillar.COMFORT,
          property="cross_slope_pct", measured=2.1, required=2.0, unit="%", source=PD,
          location={"type": "Polygon",
                    "coordinates": [rect(5, 5, 35, 25), rect(15, 12, 20, 17)]}),
        f("E1", lang, rule_id="TV-ENT-04", rule_set="toegankelijkheidsverordening",
          layer="entrance", feature_id="town-hall-door", outcome=Outcome.TO_VERIFY,
          structural=True, property="turning_space_m", required=1.5, unit="m", source=TV,
          missing=("turning_space_m",), location={"type": "Point", "coordinates": P(46, 24)}),
        f("S1", lang, rule_id="PD-HA-01", rule_set="publiek-domein", layer="stop",
          feature_id="stop-markt", outcome=Outcome.TO_VERIFY, level=Level.RECOMMENDATION,
          structural=True, property="platform_height_cm", unit="cm", source=PD,
          missing=("platform_height_cm", "mode"),
          location={"type": "MultiPoint", "coordinates": [P(30, 1), P(33, 1)]}),
        f("T1", lang, rule_id="TV-ST-02", rule_set="toegankelijkheidsverordening",
          layer="stairs", feature_id="stairs-1", outcome=Outcome.DEVIATION,
          property="nosing_contrast", measured=False, required=True, source=TV,
          deviation={"justification": "Beschermd monument: natuursteen behouden.",
                     "decided_by": "Onroerend Erfgoed", "date": "2026-03-01"},
          location={"type": "MultiLineString",
                    "coordinates": [[P(50, 2), P(50, 6)], [P(51, 2), P(51, 6)]]}),
        f("W3", lang, rule_id="VW-03", feature_id="sidewalk-east", outcome=Outcome.PASS,
          structural=True, property="free_height_m", measured=2.5, required=2.2, unit="m",
          location={"type": "MultiPolygon", "coordinates": [[rect(38, 0, 42, 28)],
                                                          [rect(38, 30, 42, 34)]]}),
        f("L1", lang, rule_id="SV-L-01", rule_set="sociale-veiligheid", layer="light",
          feature_id="dark-zone-1", level=Level.RECOMMENDATION, pillar=Pillar.SOCIAL_SAFETY,
          property="illuminance_lx", measured=3.2, required=5.0, unit="lx", source=LIGHT,
          location={"type": "MultiPolygon", "coordinates": [[rect(0, 20, 6, 28)],
                                                          [rect(30, 26, 36, 29)]]}),
        f("B1", lang, rule_id="PD-RB-01", rule_set="publiek-domein", layer="bench",
          feature_id="route-1", outcome=Outcome.WARN, level=Level.RECOMMENDATION,
          pillar=Pillar.COMFORT, property="bench_spacing_m", measured=140.123456,
          required=100.0, unit="m", source=PD,
          location={"type": "GeometryCollection", "geometries": [
              {"type": "Point", "coordinates": P(25, 32)},
              {"type": "LineString", "coordinates": [P(20, 32), P(30, 32)]}]}),
        f("P1", lang, rule_id="TV-PK-01", rule_set="toegankelijkheidsverordening",
          layer="parking", feature_id="lot-1", structural=True, property="accessible_bays",
          measured=0, required=1, unit=None, source=TV, location=None),
        f("X1", lang, rule_id="VW-01", feature_id="sidewalk-old", structural=True,
          status="existing", property="width_m", measured=1.1, required=1.5, unit="m",
          location={"type": "LineString", "coordinates": [P(0, 36), P(20, 36)]}),
        f("N1", lang, rule_id="VW-03", feature_id="sidewalk-south",
          outcome=Outcome.NOT_APPLICABLE, location=None),
    ]
    if hostile:
        findings[0] = make_finding(
            "W1", lang, rule_id="VW-01", feature_id="<script>alert(1)</script>",
            structural=True, property="width_m", measured=1.2, required=1.5, unit="m",
            message='<img src="http://evil.example/x.png"> & "quotes"',
            advice="<b>bold</b> ]]> {{ 7*7 }}",
            source=Citation("Doc <i>", "art. 1", "javascript:alert(1)"),
            location=walkway_line)
    findings.sort(key=Finding.sort_key)
    by = {g.feature_id: g for g in findings}
    deciding_id = "<script>alert(1)</script>" if hostile else "sidewalk-north"
    verdict = Verdict(
        "ongunstig",
        "Een verplichting faalt structureel." if lang == "nl"
        else "An obligation fails structurally.",
        deciding=(by[deciding_id], by["lot-1"]),
        conditions=(by["ramp-1"], by["town-hall-door"]),
    )
    # the engine's summary: counts per rule set, pillar and level ({outcome: n}), passes
    # included, the existing situation apart
    summary: dict[str, Any] = {"total": {}, "by_rule_set": {}, "by_pillar": {}, "by_level": {},
                               "existing": {}}
    for g in findings:
        if g.status == "existing":
            summary["existing"][g.outcome.value] = summary["existing"].get(g.outcome.value, 0) + 1
            continue
        summary["total"][g.outcome.value] = summary["total"].get(g.outcome.value, 0) + 1
        for key, value in (("by_pillar", g.pillar.value), ("by_level", g.level.value),
                           ("by_rule_set", g.rule_set)):
            row = summary[key].setdefault(value, {})
            row[g.outcome.value] = row.get(g.outcome.value, 0) + 1
    map_layers = {
        "area": [("plan", {"type": "Polygon", "coordinates": [rect(-2, -2, 56, 40)]}, "new")],
        "building": [
            ("town-hall", {"type": "Polygon", "coordinates": [rect(43, 26, 55, 38)]}, "new"),
            ("shops", {"type": "MultiPolygon", "coordinates": [[rect(0, 38, 10, 40)],
                                                             [rect(12, 38, 22, 40)]]},
             "existing"),
        ],
        "walkway": [
            ("sidewalk-north", walkway_line, "new"),
            ("square-surface", {"type": "Polygon",
                                "coordinates": [rect(5, 5, 35, 25), rect(15, 12, 20, 17)]},
             "new"),
            ("sidewalk-old", {"type": "LineString", "coordinates": [P(0, 36), P(20, 36)]},
             "existing"),
        ],
        "ramp": [("ramp-1", {"type": "Polygon", "coordinates": [rect(44, 8, 48, 14)]}, "new")],
        "crossing": [("crossing-1", {"type": "LineString",
                                     "coordinates": [P(20, -2), P(20, 4)]}, "new")],
        "entrance": [("town-hall-door", {"type": "Point", "coordinates": P(46, 26)}, "new")],
        "stop": [("stop-markt", {"type": "Point", "coordinates": P(31, 1)}, "new")],
        "light": [(f"light-{i}", {"type": "Point", "coordinates": P(8 + 10 * i, 27)}, "new")
                  for i in range(4)],
        "vegetation": [("hedge-1", {"type": "LineString", "coordinates": [P(0, 10), P(0, 30)]},
                        "new"),
                       ("tree-1", {"type": "Point", "coordinates": P(36, 20)}, "new")],
        "bench": [("bench-1", {"type": "Point", "coordinates": P(12, 20)}, "new")],
        "parking": [("lot-1", {"type": "Polygon", "coordinates": [rect(36, -2, 43, 3)]}, "new")],
        "removed_thing": [("gone", {"type": "Point", "coordinates": P(1, 1)}, "removed")],
    }
    plan = {
        "project": "Heraanleg Marktplein" if not hostile else '<img src=x onerror=alert(1)>',
        "dossier": "OMV_2026012345",
        "municipality": "Zottegem",
        "applicant": "Stad Zottegem",
        "designer": "Studio Publieke Ruimte",
        "reviewer": "Inter",
        "permit_date": "2026-05-04",
        "work_kind": "renovation",
        "built_up_area": None,
        "source": "/home/someone/plans/plein.gpkg",
    }
    coverage = {
        "layers_present": sorted(k for k in map_layers if k != "removed_thing"),
        "layers_absent": ["lift", "toilet", "underpass"],
        "undecided_rules": [{"rule_id": "TV-ENT-04", "features": 1,
                             "missing": ["turning_space_m"]},
                            {"rule_id": "PD-HA-01", "features": 1,
                             "missing": ["platform_height_cm", "mode"]}],
        "qualitative": [{"rule_id": "SV-Q-01"}],
    }
    warnings = (
        {"code": "unknown_attribute", "message": "Unknown attribute 'kleur' kept as extra.",
         "file": "/home/someone/plans/plein.gpkg", "layer": "walkway",
         "feature_id": "sidewalk-north"},
        {"code": "geometry_repaired", "message": "Self-intersecting polygon repaired.",
         "file": "plein.gpkg", "layer": "area", "feature_id": "plan"},
    )
    return Report(
        lang=lang, plan=plan, crs="EPSG:31370",
        rule_sets=({"name": "voetgangerswegen", "version": "1.0.0"},
                   {"name": "toegankelijkheidsverordening", "version": "1.0.0"},
                   {"name": "publiek-domein", "version": "1.0.0"},
                   {"name": "sociale-veiligheid", "version": "0.1.0"}),
        verdict=verdict, summary=summary, coverage=coverage, warnings=warnings,
        findings=tuple(findings), rules=make_rules(lang), list_all=list_all,
        map_layers=map_layers, extents=(X0 - 2, Y0 - 2, X0 + 56, Y0 + 40),
        tool_version="0.1.0",
    )


def empty_report(lang: str = "nl") -> Report:
    """A report with no findings, no map and no rules: the smallest thing to render."""
    return Report(lang=lang, plan={}, crs="EPSG:31370", rule_sets=(),
                  verdict=Verdict("niet_van_toepassing", ""), summary={"total": 0},
                  coverage={}, warnings=(), findings=(), rules=())


@pytest.fixture
def report_nl() -> Report:
    return build_report("nl")


@pytest.fixture
def report_en() -> Report:
    return build_report("en")


@pytest.fixture
def report_all() -> Report:
    return build_report("nl", list_all=True)


@pytest.fixture
def hostile_report() -> Report:
    return build_report("nl", hostile=True)


# --- a minimal JSON Schema checker (jsonschema is not a dependency of the project) -------------

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def schema_errors(value: Any, schema: dict[str, Any], root: dict[str, Any],
                  path: str = "$") -> list[str]:
    """Check ``value`` against the subset of JSON Schema that report.schema.json uses."""
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return schema_errors(value, target, root, path)
    errors: list[str] = []
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            return [f"{path}: {value!r:.60} is not of type {types}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: {value!r} != {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        errors.append(f"{path}: string too short")
    if isinstance(value, (int, float)) and "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{path}: {value} < {schema['minimum']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{path}: missing required key {key!r}")
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                errors += schema_errors(item, props[key], root, f"{path}.{key}")
            elif extra is False:
                errors.append(f"{path}: unexpected key {key!r}")
            elif isinstance(extra, dict):
                errors += schema_errors(item, extra, root, f"{path}.{key}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(f"{path}: more than {schema['maxItems']} items")
        if "items" in schema:
            for i, item in enumerate(value):
                errors += schema_errors(item, schema["items"], root, f"{path}[{i}]")
    if "anyOf" in schema and all(schema_errors(value, s, root, path) for s in schema["anyOf"]):
        errors.append(f"{path}: matches none of anyOf")
    if "oneOf" in schema:
        matches = sum(not schema_errors(value, s, root, path) for s in schema["oneOf"])
        if matches != 1:
            errors.append(f"{path}: matches {matches} of oneOf (must be exactly 1)")
    return errors


@pytest.fixture
def make_report():
    """The report builder, for tests that need a variant."""
    return build_report


@pytest.fixture
def check_schema():
    """A function ``(value, schema) -> list of errors``."""
    return lambda value, schema: schema_errors(value, schema, schema)


@pytest.fixture
def make_empty_report():
    return empty_report
