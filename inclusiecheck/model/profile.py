"""Data profile v1 as pydantic models: one class per layer (feature kind).

Layer and attribute names are exactly those of ``docs/data-profile.md``. Every attribute is
optional; units are in the names. Values are parsed leniently (decimal commas, ja/nee,
numbers stored as text, codes in any case). The geometry is not part of these models: it is
kept on :class:`inclusiecheck.model.feature.Feature` as a shapely object.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict

from inclusiecheck.model.values import (
    parse_access,
    parse_bool,
    parse_code,
    parse_int,
    parse_number,
    parse_text,
)

Num = Annotated[float | None, BeforeValidator(parse_number)]
Int = Annotated[int | None, BeforeValidator(parse_int)]
Flag = Annotated[bool | None, BeforeValidator(parse_bool)]
Text = Annotated[str | None, BeforeValidator(parse_text)]
#: ``yes`` / ``limited`` / ``no``; booleans are read as yes / no (``parse_access``)
Access = Annotated[Literal["yes", "limited", "no"] | None, BeforeValidator(parse_access)]


_Codes = TypeVar("_Codes")
#: An enumeration attribute: one of the codes of a ``Literal`` alias below, read
#: case-insensitively (``parse_code``). ``allowed_codes`` returns the codes at run time.
Code = Annotated[_Codes | None, BeforeValidator(parse_code)]

# The code lists of the enumeration attributes (tests/model/test_profile_codes.py checks that
# every code attribute uses one of them and that they are what the profile validates).
Status = Literal["existing", "new", "removed"]
Regime = Literal["verordening", "bv97", "public_space"]
AreaKind = Literal["square", "park", "playground", "street", "station_area", "stop_area",
                   "plan_boundary"]
WalkwayKind = Literal["sidewalk", "footpath", "shared_space", "park_path", "square_surface",
                      "corridor"]
Surface = Literal["asphalt", "concrete", "paving_stones", "sett", "gravel", "grass", "wood",
                  "other"]
TactileKind = Literal["guide_line", "warning", "boarding", "information"]
Handrail = Literal["none", "one_side", "both_sides"]
LiftKind = Literal["shaft", "platform"]
StopMode = Literal["bus", "tram"]
ChangingTable = Literal["no", "women_only", "men_only", "all", "yes"]
ObstacleKind = Literal["pole", "sign", "bollard", "bin", "bike_rack", "tree_pit", "planter",
                       "terrace", "cabinet", "scooter_zone", "grate", "other"]
VegetationKind = Literal["hedge", "shrubs", "tree", "tree_row", "lawn"]
BuildingUse = Literal["housing", "other"]
ParkingArrangement = Literal["parallel", "perpendicular", "angled"]


class LayerAttributes(BaseModel):
    """Attributes common to every layer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Text = None
    name: Text = None
    status: Code[Status] = None
    #: the regulation that governs the feature, when the plan states it (else it is derived:
    #: see ``inclusiecheck.engine.regimes``)
    regime: Code[Regime] = None


class Area(LayerAttributes):
    """``area``: squares, parks, playgrounds, streets, station and stop areas, plan boundary."""

    kind: Code[AreaKind] = None
    lighting_class: Text = None


class Walkway(LayerAttributes):
    """``walkway``: a centre line (with ``width_m``) or a surface polygon."""

    kind: Code[WalkwayKind] = None
    width_m: Num = None
    total_width_m: Num = None
    street_width_m: Num = None
    access_path: Flag = None
    slope_pct: Num = None
    cross_slope_pct: Num = None
    surface: Code[Surface] = None
    lit: Flag = None
    main_route: Flag = None
    lighting_class: Text = None


class CyclePath(LayerAttributes):
    width_m: Num = None
    two_way: Flag = None


class Crossing(LayerAttributes):
    kerb_height_cm: Num = None
    tactile_paving: Flag = None
    traffic_signals: Flag = None
    acoustic_signal: Flag = None
    refuge_width_m: Num = None
    lit: Flag = None
    lighting_class: Text = None


class Tactile(LayerAttributes):
    kind: Code[TactileKind] = None
    width_m: Num = None


class Ramp(LayerAttributes):
    length_m: Num = None
    slope_pct: Num = None
    rise_cm: Num = None
    width_m: Num = None
    handrail: Code[Handrail] = None
    landing_top_m: Num = None
    landing_bottom_m: Num = None
    landing_intermediate_m: Num = None
    #: side of the intermediate landing where the ramp changes direction (the smaller side)
    landing_turn_m: Num = None
    wheel_guard: Flag = None
    cross_slope_pct: Num = None
    access_path: Flag = None


class Stairs(LayerAttributes):
    steps: Int = None
    riser_cm: Num = None
    tread_cm: Num = None
    width_m: Num = None
    handrail: Code[Handrail] = None
    nosing_contrast: Flag = None
    tactile_warning: Flag = None
    #: depth of the (shallowest) intermediate landing of the stair, when it has one
    landing_depth_m: Num = None


class Lift(LayerAttributes):
    #: ``shaft``: a cabin in a closed shaft (EN 81-70); ``platform``: a vertical platform lift
    kind: Code[LiftKind] = None
    cabin_width_m: Num = None
    cabin_depth_m: Num = None
    door_width_cm: Num = None
    #: diameter of the free, level turning space in front of the lift access
    turning_space_m: Num = None


class LevelChange(LayerAttributes):
    height_cm: Num = None
    bevelled: Flag = None


class Entrance(LayerAttributes):
    door_width_cm: Num = None
    threshold_cm: Num = None
    turning_space_m: Num = None
    handle_side_clearance_cm: Num = None
    automatic: Flag = None
    revolving: Flag = None
    public: Flag = None
    #: a tactile information tile (resilient rubber tile, 90 x 90 cm) marks the entrance
    tactile_information: Flag = None
    building_area_m2: Num = None


class Door(LayerAttributes):
    door_width_cm: Num = None
    threshold_cm: Num = None
    turning_space_m: Num = None
    handle_side_clearance_cm: Num = None
    opens_outward: Flag = None
    automatic: Flag = None
    public: Flag = None
    sanitary: Flag = None


class Stop(LayerAttributes):
    mode: Code[StopMode] = None
    platform_height_cm: Num = None
    platform_width_m: Num = None
    platform_length_m: Num = None
    swing_in: Flag = None
    #: gradient of the vehicle's boarding ramp from this platform (De Lijn's inventory value)
    boarding_gradient_pct: Num = None
    tactile_guidance: Flag = None
    boarding_tactile: Flag = None
    shelter: Flag = None
    seating: Flag = None
    lit: Flag = None
    real_time_info: Flag = None
    lighting_class: Text = None
    #: the operator's own declaration (GTFS ``wheelchair_boarding``: 1 yes, 2 no), shown apart
    #: from inclusiecheck's categories; no rule judges it
    operator_accessible: Access = None


class Toilet(LayerAttributes):
    public: Flag = None
    #: ``yes`` / ``limited`` / ``no`` (OSM ``wheelchair``); true / false are read as yes / no
    accessible: Access = None
    changing_table: Code[ChangingTable] = None
    gender_neutral: Flag = None
    room_width_m: Num = None
    room_length_m: Num = None
    turning_space_m: Num = None
    transfer_space_cm: Num = None
    front_space_cm: Num = None
    door_width_cm: Num = None
    #: layout of the adapted toilet (verordening Art. 31 2° c-e); ``knee_*``: the free space
    #: under the washbasin, ``basin_*``: its place in an inner corner (names stay distinct
    #: in their first 10 characters, as Shapefile fields)
    wc_washbasin_passage_cm: Num = None
    wc_depth_cm: Num = None
    washbasin: Flag = None
    knee_height_cm: Num = None
    knee_width_cm: Num = None
    knee_depth_cm: Num = None
    basin_in_corner: Flag = None
    basin_corner_axis_cm: Num = None
    free_of_charge: Flag = None
    opening_hours: Text = None


class Bench(LayerAttributes):
    backrest: Flag = None
    armrests: Flag = None
    seat_height_cm: Num = None
    size_m: Num = None


class Light(LayerAttributes):
    mounting_height_m: Num = None
    luminous_flux_lm: Num = None
    dimmed_pct: Num = None
    off_hours: Text = None
    size_m: Num = None
    distribution: Text = None


class Obstacle(LayerAttributes):
    kind: Code[ObstacleKind] = None
    size_m: Num = None
    height_m: Num = None
    free_height_m: Num = None
    contrast: Flag = None
    has_base: Flag = None
    #: largest opening (slot or mesh width) of a grate in the walking surface
    opening_cm: Num = None


class Vegetation(LayerAttributes):
    kind: Code[VegetationKind] = None
    height_m: Num = None
    canopy_base_m: Num = None
    size_m: Num = None


class Building(LayerAttributes):
    height_m: Num = None
    active_frontage: Flag = None
    public: Flag = None
    building_area_m2: Num = None
    #: ``housing``: a building of the verordening's Art. 5 (housing), with its own door rules
    use: Code[BuildingUse] = None


class Wall(LayerAttributes):
    height_m: Num = None


class Parking(LayerAttributes):
    accessible: Flag = None
    bays: Int = None
    accessible_bays: Int = None
    width_m: Num = None
    length_m: Num = None
    slope_pct: Num = None
    arrangement: Code[ParkingArrangement] = None
    public: Flag = None
    #: the adapted bays are reserved and signed (E9a with the wheelchair symbol)
    reserved: Flag = None


class Underpass(LayerAttributes):
    length_m: Num = None
    width_m: Num = None
    height_m: Num = None
    exit_visible: Flag = None
    lit: Flag = None


#: layer name -> attribute model. The single source of truth for layer and attribute names.
LAYER_MODELS: dict[str, type[LayerAttributes]] = {
    "area": Area,
    "walkway": Walkway,
    "cycle_path": CyclePath,
    "crossing": Crossing,
    "tactile": Tactile,
    "ramp": Ramp,
    "stairs": Stairs,
    "lift": Lift,
    "level_change": LevelChange,
    "entrance": Entrance,
    "door": Door,
    "stop": Stop,
    "toilet": Toilet,
    "bench": Bench,
    "light": Light,
    "obstacle": Obstacle,
    "vegetation": Vegetation,
    "building": Building,
    "wall": Wall,
    "parking": Parking,
    "underpass": Underpass,
}

#: allowed geometry types per layer (Multi* variants are accepted for each).
LAYER_GEOMETRIES: dict[str, tuple[str, ...]] = {
    "area": ("Polygon",),
    "walkway": ("LineString", "Polygon"),
    "cycle_path": ("LineString", "Polygon"),
    "crossing": ("Point", "LineString", "Polygon"),
    "tactile": ("LineString", "Polygon"),
    "ramp": ("LineString", "Polygon"),
    "stairs": ("LineString", "Polygon"),
    "lift": ("Point", "Polygon"),
    "level_change": ("Point",),
    "entrance": ("Point",),
    "door": ("Point",),
    "stop": ("Point", "Polygon"),
    "toilet": ("Point", "Polygon"),
    "bench": ("Point", "LineString"),
    "light": ("Point",),
    "obstacle": ("Point", "LineString", "Polygon"),
    "vegetation": ("Point", "LineString", "Polygon"),
    "building": ("Polygon",),
    "wall": ("LineString", "Polygon"),
    "parking": ("Polygon", "Point"),
    "underpass": ("LineString", "Polygon"),
}

#: attribute defaults the data profile states (applied by the normaliser). ``access_path``
#: has no default: unset means unknown, and the regime is derived from the geometry instead.
ATTRIBUTE_DEFAULTS: dict[str, dict[str, Any]] = {}


def attribute_names(layer: str) -> tuple[str, ...]:
    """Return the profile's attribute names of ``layer`` (common ones included)."""
    return tuple(LAYER_MODELS[layer].model_fields)


def attribute_kind(layer: str, attribute: str) -> str:
    """Return ``number``, ``integer``, ``boolean``, ``code`` or ``text`` for an attribute."""
    field = LAYER_MODELS[layer].model_fields[attribute]
    metadata = field.metadata
    for item in metadata:
        func = getattr(item, "func", None)
        if func is parse_number:
            return "number"
        if func is parse_int:
            return "integer"
        if func is parse_bool:
            return "boolean"
        if func is parse_code or func is parse_access:
            return "code"
    return "text"


def allowed_codes(layer: str, attribute: str) -> tuple[str, ...] | None:
    """Return the allowed codes of an enumeration attribute, else ``None``."""
    from typing import get_args

    annotation = LAYER_MODELS[layer].model_fields[attribute].annotation
    for arg in get_args(annotation):
        values = get_args(arg)
        if values and all(isinstance(v, str) for v in values):
            return tuple(values)
    return None
