"""Write the IFC test models of ``tests/data/ifc`` (run: ``python tests/data/ifc/make_models.py``).

One design - a small public library on a square: an entrance door of 0.80 m OverallWidth, an
internal door with a lining, a ramp, stairs with two handrails, a toilet room with a toilet
pan, a light, a bench, a bollard and a tree - written as

- ``design_ifc4_georef.ifc`` / ``.ifcxml``: IFC4 in metres, IfcMapConversion to EPSG:31370;
- ``design_ifc4_local.ifc`` / ``.ifcxml``: the same without georeferencing;
- ``design_ifc2x3_georef.ifc`` / ``.ifcxml``: IFC2X3 in millimetres and degrees, with the
  ePSet_MapConversion / ePSet_ProjectedCRS convention, IFC2X3 entities (IfcFlowTerminal with
  IfcSanitaryTerminalType, IfcFurnishingElement, NumberOfRiser) and the ISO 10303-28 ifcXML
  flavour with nested entities.

The SPF files come from IfcOpenShell's API; the ifcXML files from the same in-memory model
through the small writers below. ``build_design`` and ``write_ifcxml`` are also used by
``benchmarks/bench_ifc.py``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, TextIO
from xml.sax.saxutils import escape, quoteattr

import ifcopenshell
import ifcopenshell.api
import ifcopenshell.guid

HERE = Path(__file__).resolve().parent
ORIGIN = (150000.0, 200000.0, 10.0)  # Lambert 72 easting, northing, height of the origin
ROTATION_DEG = 10.0


class _Guids:
    """Deterministic GlobalIds so that regenerated files are identical."""

    def __init__(self, seed: int = 1) -> None:
        self.counter = seed

    def __call__(self) -> str:
        self.counter += 1
        return ifcopenshell.guid.compress(f"{self.counter:032x}")


def _point(f: Any, xyz: tuple[float, ...]) -> Any:
    return f.createIfcCartesianPoint(tuple(float(v) for v in xyz))


def _placement(f: Any, rel_to: Any, xyz: tuple[float, float, float], u: float, angle_deg: float = 0.0) -> Any:
    a = math.radians(angle_deg)
    axis = f.createIfcAxis2Placement3D(
        _point(f, tuple(v / u for v in xyz)), f.createIfcDirection((0.0, 0.0, 1.0)),
        f.createIfcDirection((round(math.cos(a), 12), round(math.sin(a), 12), 0.0)))
    return f.createIfcLocalPlacement(rel_to, axis)


def _box_body(f: Any, ctx: Any, w: float, d: float, h: float, u: float) -> Any:
    """A body extruded from a rectangle with its corner at the placement origin."""
    position2d = f.createIfcAxis2Placement2D(_point(f, (w / 2 / u, d / 2 / u)), None)
    profile = f.createIfcRectangleProfileDef("AREA", None, position2d, w / u, d / u)
    solid = f.createIfcExtrudedAreaSolid(profile, f.createIfcAxis2Placement3D(_point(f, (0.0, 0.0, 0.0)), None, None),
                                         f.createIfcDirection((0.0, 0.0, 1.0)), h / u)
    rep = f.createIfcShapeRepresentation(ctx, "Body", "SweptSolid", (solid,))
    return f.createIfcProductDefinitionShape(None, None, (rep,))


def _polyline_body(f: Any, ctx: Any, points: list[tuple[float, float]], h: float, u: float) -> Any:
    """A body extruded from a closed polyline profile (IfcArbitraryClosedProfileDef)."""
    pts = [_point(f, (x / u, y / u)) for x, y in points] + []
    pts.append(pts[0])
    curve = f.createIfcPolyline(pts)
    profile = f.createIfcArbitraryClosedProfileDef("AREA", None, curve)
    solid = f.createIfcExtrudedAreaSolid(profile, f.createIfcAxis2Placement3D(_point(f, (0.0, 0.0, 0.0)), None, None),
                                         f.createIfcDirection((0.0, 0.0, 1.0)), h / u)
    rep = f.createIfcShapeRepresentation(ctx, "Body", "SweptSolid", (solid,))
    return f.createIfcProductDefinitionShape(None, None, (rep,))


def _heavy_body(f: Any, ctx: Any, u: float, n: int = 40) -> Any:
    """Tessellated geometry the lite model ignores (bulk for the benchmark)."""
    coords = [(math.cos(i / n * 6.283) / u, math.sin(i / n * 6.283) / u, z / u) for z in (0.0, 1.0)
              for i in range(n)]
    if f.schema == "IFC2X3":
        pts = [_point(f, c) for c in coords]
        faces = [f.createIfcFace((f.createIfcFaceOuterBound(
            f.createIfcPolyLoop((pts[i], pts[(i + 1) % n], pts[n + (i + 1) % n], pts[n + i])), True),))
            for i in range(n)]
        item = f.createIfcFacetedBrep(f.createIfcClosedShell(faces))
        rep = f.createIfcShapeRepresentation(ctx, "Body", "Brep", (item,))
    else:
        plist = f.createIfcCartesianPointList3D(coords)
        tris = [(i + 1, (i + 1) % n + 1, n + i + 1) for i in range(n)]
        item = f.createIfcTriangulatedFaceSet(plist, None, True, tris, None)
        rep = f.createIfcShapeRepresentation(ctx, "Body", "Tessellation", (item,))
    return f.createIfcProductDefinitionShape(None, None, (rep,))


def _pset(f: Any, product: Any, name: str, props: dict[str, Any]) -> None:
    pset = ifcopenshell.api.run("pset.add_pset", f, product=product, name=name)
    ifcopenshell.api.run("pset.edit_pset", f, pset=pset, properties=props)


def build_design(schema: str = "IFC4", georef: bool = True, copies: int = 1, heavy: int = 0) -> Any:
    """Build the test design as an IfcOpenShell file.

    ``copies`` > 1 repeats the building and its surroundings 40 m apart; ``heavy`` > 0 gives
    the tree and the bollard a tessellated body with that many points per ring (bulk that the
    lite model ignores, for the benchmark).
    """
    ifc2x3 = schema == "IFC2X3"
    u = 0.001 if ifc2x3 else 1.0  # metres per project length unit
    f = ifcopenshell.file(schema=schema)
    guid = _Guids()
    if ifc2x3:  # IFC2X3 requires an owner history on every rooted entity
        import ifcopenshell.api.owner.settings as owner

        org = f.createIfcOrganization(None, "Inclusiecheck", None, None, None)
        user = f.createIfcPersonAndOrganization(f.createIfcPerson(None, "Tester", None, None, None, None, None, None),
                                                org, None)
        app = f.createIfcApplication(org, "1.0", "make_models.py", "make_models")
        owner.get_user = lambda _file: user
        owner.get_application = lambda _file: app

    def create(ifc_class: str, name: str | None = None, predefined: str | None = None, **extra: Any) -> Any:
        entity = ifcopenshell.api.run("root.create_entity", f, ifc_class=ifc_class, name=name,
                                      predefined_type=predefined)
        entity.GlobalId = guid()
        for key, value in extra.items():
            setattr(entity, key, value)
        return entity

    project = create("IfcProject", "Testplein")
    project.LongName = "Inclusiecheck testplein"
    length = ifcopenshell.api.run("unit.add_si_unit", f, unit_type="LENGTHUNIT", prefix="MILLI" if ifc2x3 else None)
    if ifc2x3:
        angle = ifcopenshell.api.run("unit.add_conversion_based_unit", f, name="degree")
    else:
        angle = ifcopenshell.api.run("unit.add_si_unit", f, unit_type="PLANEANGLEUNIT")
    ifcopenshell.api.run("unit.assign_unit", f, units=[length, angle])
    model = ifcopenshell.api.run("context.add_context", f, context_type="Model")
    body = ifcopenshell.api.run("context.add_context", f, context_type="Model", context_identifier="Body",
                                target_view="MODEL_VIEW", parent=model)
    slope_angle = math.atan(0.05)  # 5 %
    angle_value = math.degrees(slope_angle) if ifc2x3 else slope_angle

    if georef:
        a = math.radians(ROTATION_DEG)
        if ifc2x3:
            _pset(f, project, "ePSet_MapConversion", {
                "Eastings": ORIGIN[0], "Northings": ORIGIN[1], "OrthogonalHeight": ORIGIN[2],
                "XAxisAbscissa": round(math.cos(a), 12), "XAxisOrdinate": round(math.sin(a), 12),
                "Scale": 0.001})
            _pset(f, project, "ePSet_ProjectedCRS", {"Name": "EPSG:31370"})
        else:
            metre = f.createIfcSIUnit(None, "LENGTHUNIT", None, "METRE")
            crs = f.createIfcProjectedCRS("EPSG:31370", "Belge 1972 / Belgian Lambert 72", None, None,
                                          None, None, metre)
            f.createIfcMapConversion(model, crs, ORIGIN[0], ORIGIN[1], ORIGIN[2],
                                     round(math.cos(a), 12), round(math.sin(a), 12), 1.0)

    site = create("IfcSite", "Testplein")
    site.ObjectPlacement = _placement(f, None, (0.0, 0.0, 0.0), u)
    ifcopenshell.api.run("aggregate.assign_object", f, products=[site], relating_object=project)

    for copy in range(copies):
        dx = copy * 40.0
        building = create("IfcBuilding", "Bibliotheek" if copy == 0 else f"Bibliotheek {copy}")
        building.ObjectPlacement = _placement(f, site.ObjectPlacement, (dx + 10.0, 0.0, 0.0), u)
        storey = create("IfcBuildingStorey", "Gelijkvloers")
        storey.ObjectPlacement = _placement(f, building.ObjectPlacement, (0.0, 0.0, 0.0), u)
        ifcopenshell.api.run("aggregate.assign_object", f, products=[building], relating_object=site)
        ifcopenshell.api.run("aggregate.assign_object", f, products=[storey], relating_object=building)

        lobby = create("IfcSpace", "0.01", **({"LongName": "Inkomhal"}))
        lobby.ObjectPlacement = _placement(f, storey.ObjectPlacement, (0.0, 0.0, 0.0), u)
        lobby.Representation = _box_body(f, body, 6.0, 5.0, 3.0, u)
        _pset(f, lobby, "Pset_SpaceCommon", {"PubliclyAccessible": True, "HandicapAccessible": True})
        wc = create("IfcSpace", "0.04", **({"LongName": "Toilet"}))
        wc.ObjectPlacement = _placement(f, storey.ObjectPlacement, (6.0, 0.0, 0.0), u)
        wc.Representation = _polyline_body(f, body, [(0, 0), (2.2, 0), (2.2, 2.0), (0, 2.0)], 3.0, u)
        _pset(f, wc, "Pset_SpaceCommon", {"PubliclyAccessible": True, "HandicapAccessible": True})
        ifcopenshell.api.run("aggregate.assign_object", f, products=[lobby, wc], relating_object=storey)

        entrance = create("IfcDoor", "Hoofdingang", OverallWidth=0.80 / u, OverallHeight=2.10 / u)
        entrance.ObjectPlacement = _placement(f, storey.ObjectPlacement, (2.0, 0.0, 0.0), u)
        _pset(f, entrance, "Pset_DoorCommon", {"IsExternal": True, "HandicapAccessible": True})
        _pset(f, entrance, "Pset_Inclusiecheck", {"ThresholdHeight": f.createIfcLengthMeasure(0.02 / u)})
        inner = create("IfcDoor", "Deur toiletten", OverallWidth=0.93 / u, OverallHeight=2.10 / u)
        inner.ObjectPlacement = _placement(f, storey.ObjectPlacement, (6.0, 1.0, 0.0), u, 90.0)
        _pset(f, inner, "Pset_DoorCommon", {"IsExternal": False})
        door_type = create("IfcDoorStyle" if ifc2x3 else "IfcDoorType", "Binnendeur 93")
        if ifc2x3:
            door_type.OperationType = "SINGLE_SWING_LEFT"
            door_type.ConstructionType = "WOOD"
            door_type.ParameterTakesPrecedence = False
            door_type.Sizeable = False
        else:
            door_type.PredefinedType = "DOOR"
            door_type.OperationType = "SINGLE_SWING_LEFT"
        lining = f.createIfcDoorLiningProperties(guid(), None, "Lining", None, 0.10 / u, 0.05 / u)
        door_type.HasPropertySets = (lining,)
        ifcopenshell.api.run("type.assign_type", f, related_objects=[inner], relating_type=door_type)

        ramp = create("IfcRamp", "Hellingbaan", None if ifc2x3 else "STRAIGHT_RUN_RAMP")
        if ifc2x3:
            ramp.ShapeType = "STRAIGHT_RUN_RAMP"
        ramp.ObjectPlacement = _placement(f, site.ObjectPlacement, (dx - 8.0, 0.0, 0.0), u)
        flight = create("IfcRampFlight", "Helling 1", None if ifc2x3 else "STRAIGHT")
        flight.ObjectPlacement = _placement(f, ramp.ObjectPlacement, (0.0, 0.0, 0.0), u)
        flight.Representation = _box_body(f, body, 6.0, 1.5, 0.3, u)
        _pset(f, flight, "Pset_RampFlightCommon", {"Slope": f.createIfcPlaneAngleMeasure(angle_value),
                                                   "ClearWidth": f.createIfcPositiveLengthMeasure(1.5 / u)})
        ifcopenshell.api.run("aggregate.assign_object", f, products=[flight], relating_object=ramp)

        stair = create("IfcStair", "Trap", None if ifc2x3 else "STRAIGHT_RUN_STAIR")
        if ifc2x3:
            stair.ShapeType = "STRAIGHT_RUN_STAIR"
        stair.ObjectPlacement = _placement(f, site.ObjectPlacement, (dx - 8.0, 3.0, 0.0), u)
        stair_flight = create("IfcStairFlight", "Trap 1", None if ifc2x3 else "STRAIGHT",
                              RiserHeight=0.16 / u, TreadLength=0.30 / u, NumberOfTreads=2)
        if ifc2x3:
            stair_flight.NumberOfRiser = 3
        else:
            stair_flight.NumberOfRisers = 3
        stair_flight.ObjectPlacement = _placement(f, stair.ObjectPlacement, (0.0, 0.0, 0.0), u)
        stair_flight.Representation = _box_body(f, body, 0.9, 1.2, 0.48, u)
        rails = [create("IfcRailing", f"Leuning {side}", "HANDRAIL") for side in ("links", "rechts")]
        for rail in rails:
            rail.ObjectPlacement = _placement(f, stair.ObjectPlacement, (0.0, 0.0, 0.0), u)
        ifcopenshell.api.run("aggregate.assign_object", f, products=[stair_flight, *rails], relating_object=stair)

        if ifc2x3:
            pan = create("IfcFlowTerminal", "Toiletpot")
            pan_type = create("IfcSanitaryTerminalType", "Hangtoilet", "TOILETPAN")
            ifcopenshell.api.run("type.assign_type", f, related_objects=[pan], relating_type=pan_type)
        else:
            pan = create("IfcSanitaryTerminal", "Toiletpot", "TOILETPAN")
        pan.ObjectPlacement = _placement(f, wc.ObjectPlacement, (1.0, 1.5, 0.0), u)
        ifcopenshell.api.run("spatial.assign_container", f, products=[pan], relating_structure=wc)

        if ifc2x3:
            light = create("IfcFlowTerminal", "Lichtpunt 1")
            light_type = create("IfcLightFixtureType", "Paalarmatuur", "POINTSOURCE")
            ifcopenshell.api.run("type.assign_type", f, related_objects=[light], relating_type=light_type)
        else:
            light = create("IfcLightFixture", "Lichtpunt 1", "POINTSOURCE")
        light.ObjectPlacement = _placement(f, site.ObjectPlacement, (dx - 3.0, -3.0, 0.0), u)
        _pset(f, light, "Pset_Inclusiecheck", {"MountingHeight": f.createIfcLengthMeasure(4.0 / u),
                                               "LuminousFlux": f.createIfcLuminousFluxMeasure(3000.0)})

        if ifc2x3:
            bench = create("IfcFurnishingElement", "Zitbank 1")
        else:
            bench = create("IfcFurniture", "Zitbank 1", "USERDEFINED", ObjectType="BENCH")
        bench.ObjectPlacement = _placement(f, site.ObjectPlacement, (dx - 2.0, -4.0, 0.0), u)
        _pset(f, bench, "Pset_Inclusiecheck", {"Backrest": True, "Armrests": False,
                                               "SeatHeight": f.createIfcLengthMeasure(0.45 / u)})

        bollard = create("IfcBuildingElementProxy", "Paal 1")
        bollard.ObjectPlacement = _placement(f, site.ObjectPlacement, (dx + 1.0, -2.0, 0.0), u)
        tree = create("IfcBuildingElementProxy" if ifc2x3 else "IfcGeographicElement", "Boom 1")
        tree.ObjectPlacement = _placement(f, site.ObjectPlacement, (dx - 5.0, -5.0, 0.0), u)
        if heavy:
            tree.Representation = _heavy_body(f, body, u, heavy)
            bollard.Representation = _heavy_body(f, body, u, heavy)

        ifcopenshell.api.run("spatial.assign_container", f, products=[entrance, inner], relating_structure=storey)
        ifcopenshell.api.run("spatial.assign_container", f, relating_structure=site,
                             products=[ramp, stair, light, bench, bollard, tree])
    for history in f.by_type("IfcOwnerHistory"):  # reproducible files
        history.CreationDate = 1700000000
        history.LastModifiedDate = None
    return f


# ----------------------------------------------------------------------------- ifcXML writers


def _number(value: float) -> str:
    return repr(float(value))


def _simple_text(value: Any, kind: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "ENUMERATION" or (kind == "LOGICAL" and value == "UNKNOWN"):
        return str(value).lower()
    if isinstance(value, float):
        return _number(value)
    return str(value)


def _flatten(value: Any) -> list[Any]:
    out: list[Any] = []
    for item in value:
        out.extend(_flatten(item) if isinstance(item, tuple) else [item])
    return out


def write_ifcxml(f: Any, path: Path, nest_aggregates: bool = True) -> None:
    """Write ``f`` as ifcXML: IFC4 ifcXML for IFC4 models, the ISO 10303-28 flavour for IFC2X3.

    Written as a stream of text (memory stays small for large models). IFC4: relations
    ``IfcRelAggregates`` are nested under their RelatingObject's ``IsDecomposedBy`` (as
    exporters may do) when ``nest_aggregates``. IFC2X3: points, directions and axis
    placements used once are written inline, as EDM-based exporters do.
    """
    with path.open("w", encoding="utf-8") as out:
        if f.schema == "IFC2X3":
            _write_2x3(f, out)
        else:
            _write_ifc4(f, out, nest_aggregates)


def _write_ifc4(f: Any, out: TextIO, nest: bool) -> None:
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write('<ifcXML xmlns="http://www.buildingsmart-tech.org/ifcXML/IFC4/Add2" '
              'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="uos_1" '
              'express="http://www.buildingsmart-tech.org/ifc/IFC4/Add2/IFC4_ADD2.exp">\n')
    out.write("  <header><name>inclusiecheck test model</name>"
              "<originating_system>tests/data/ifc/make_models.py</originating_system></header>\n")
    nested: dict[int, list[Any]] = {}
    skip: set[int] = set()
    if nest:
        for rel in f.by_type("IfcRelAggregates"):
            nested.setdefault(rel.RelatingObject.id(), []).append(rel)
            skip.add(rel.id())
    for entity in sorted(f, key=lambda e: e.id()):
        if entity.id() in skip:
            continue
        _write_entity4(f, entity, out, nested, "  ")
    out.write("</ifcXML>\n")


def _write_entity4(f: Any, entity: Any, out: TextIO, nested: dict[int, list[Any]], indent: str,
                   omit: str | None = None) -> None:
    attrs = [f'id="i{entity.id()}"']
    children: list[str] = []
    for index in range(len(entity)):
        name = entity.attribute_name(index)
        if name == omit:
            continue
        value = entity[index]
        kind = entity.attribute_type(index)
        if value is None:
            continue
        if isinstance(value, ifcopenshell.entity_instance):
            if value.id():
                children.append(f'<{name} xsi:type="{value.is_a()}" ref="i{value.id()}" xsi:nil="true"/>')
            else:
                children.append(f"<{name}><{value.is_a()}-wrapper>{escape(_simple_text(value.wrappedValue, ''))}"
                                f"</{value.is_a()}-wrapper></{name}>")
        elif isinstance(value, tuple):
            if value and isinstance(value[0], ifcopenshell.entity_instance):
                items = []
                for pos, item in enumerate(value):
                    if item.id():
                        items.append(f'<{item.is_a()} ref="i{item.id()}" xsi:nil="true"/>')
                    else:
                        items.append(f'<{item.is_a()}-wrapper pos="{pos}">'
                                     f"{escape(_simple_text(item.wrappedValue, ''))}</{item.is_a()}-wrapper>")
                children.append(f"<{name}>{''.join(items)}</{name}>")
            else:
                attrs.append(f"{name}={quoteattr(' '.join(_simple_text(v, kind) for v in _flatten(value)))}")
        else:
            attrs.append(f"{name}={quoteattr(_simple_text(value, kind))}")
    out.write(f"{indent}<{entity.is_a()} {' '.join(attrs)}>")
    for child in children:
        out.write(child)
    for rel in nested.get(entity.id(), []):
        out.write("<IsDecomposedBy>")
        _write_entity4(f, rel, out, nested, "", omit="RelatingObject")
        out.write("</IsDecomposedBy>")
    out.write(f"</{entity.is_a()}>\n")


_INLINE_2X3 = ("IfcCartesianPoint", "IfcDirection", "IfcAxis2Placement3D")


def _write_2x3(f: Any, out: TextIO) -> None:
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write('<ex:iso_10303_28 xmlns:ex="urn:oid:1.0.10303.28.2.1.1" '
              'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
              'xmlns:ifc="http://www.iai-tech.org/ifcXML/IFC2x3/FINAL" version="2.0">\n')
    out.write("<!-- written by tests/data/ifc/make_models.py -->\n")
    out.write("  <ex:iso_10303_28_header><ex:name>inclusiecheck test model</ex:name>"
              "</ex:iso_10303_28_header>\n")
    out.write('  <ex:express id="exp_1" schema_name="IFC2X3"/>\n')
    out.write('  <ifc:uos id="uos_1" xmlns="http://www.iai-tech.org/ifcXML/IFC2x3/FINAL">\n')
    inline = {e.id() for t in _INLINE_2X3 for e in f.by_type(t) if f.get_total_inverses(e) == 1}
    for entity in sorted(f, key=lambda e: e.id()):
        if entity.id() in inline:
            continue
        out.write("    ")
        _write_entity2x3(entity, out, inline, None)
        out.write("\n")
    out.write("  </ifc:uos>\n</ex:iso_10303_28>\n")


def _ref2x3(item: Any, out: TextIO, inline: set[int], pos: int | None) -> None:
    if item.id() in inline:
        _write_entity2x3(item, out, inline, pos)
    else:
        p = f' ex:pos="{pos}"' if pos is not None else ""
        out.write(f'<{item.is_a()}{p} xsi:nil="true" ref="i{item.id()}"/>')


def _write_entity2x3(entity: Any, out: TextIO, inline: set[int], pos: int | None) -> None:
    p = f' ex:pos="{pos}"' if pos is not None else ""
    out.write(f'<{entity.is_a()} id="i{entity.id()}"{p}>')
    for index in range(len(entity)):
        name = entity.attribute_name(index)
        value = entity[index]
        kind = entity.attribute_type(index)
        if value is None:
            continue
        if isinstance(value, ifcopenshell.entity_instance):
            out.write(f"<{name}>")
            if value.id():
                _ref2x3(value, out, inline, None)
            else:
                out.write(f"<{value.is_a()}-wrapper>{escape(_simple_text(value.wrappedValue, ''))}"
                          f"</{value.is_a()}-wrapper>")
            out.write(f"</{name}>")
        elif isinstance(value, tuple):
            out.write(f'<{name} ex:cType="list">')
            for i, item in enumerate(value):
                if isinstance(item, ifcopenshell.entity_instance):
                    if item.id():
                        _ref2x3(item, out, inline, i)
                    else:
                        out.write(f'<{item.is_a()}-wrapper ex:pos="{i}">'
                                  f"{escape(_simple_text(item.wrappedValue, ''))}</{item.is_a()}-wrapper>")
                elif isinstance(item, tuple):
                    out.write(f'<ex:seq-wrapper ex:pos="{i}">{" ".join(_simple_text(v, "") for v in item)}</ex:seq-wrapper>')
                else:
                    tag = "IfcLengthMeasure" if name == "Coordinates" else "ex:double-wrapper"
                    out.write(f'<{tag} ex:pos="{i}">{escape(_simple_text(item, kind))}</{tag}>')
            out.write(f"</{name}>")
        else:
            out.write(f"<{name}>{escape(_simple_text(value, kind))}</{name}>")
    out.write(f"</{entity.is_a()}>")


def main() -> None:
    """Write every test model next to this script."""
    for schema, georef, stem in (("IFC4", True, "design_ifc4_georef"), ("IFC4", False, "design_ifc4_local"),
                                 ("IFC2X3", True, "design_ifc2x3_georef")):
        model = build_design(schema, georef)
        model.write(str(HERE / f"{stem}.ifc"))
        write_ifcxml(model, HERE / f"{stem}.ifcxml")


if __name__ == "__main__":
    main()
