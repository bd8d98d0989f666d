"""Which regulation governs each feature: the regime, decided before any rule runs.

Flanders has two legal floors that never overlap on one feature:

- the toegankelijkheidsverordening (BVR 5 June 2009): publicly accessible buildings, their
  doors, toilets and lifts, and their outdoor access (the access path from the public domain to
  an accessible entrance, and from the building's own parking); not for outdoor works alone
  (Art. 10, 14);
- the 1997 regulation on pedestrian roads (BV97): public pedestrian roads inside the
  built-up area;
- neither: the rest of the public space, judged by guidance only.

Each feature gets one :class:`Regime` (``verordening``, ``bv97`` or ``public_space``), or an
undecided one that lists its candidates and the data that would decide it. The order of the
evidence, strongest first:

1. a correction in ``plan.yaml`` (``regimes: {feature_id: regime}``): the reviewer's word;
2. the feature's own ``regime`` attribute;
3. ``access_path`` (true: verordening; false: a public road);
4. the building it lies in or against, and whether that building is publicly accessible
   (its own ``public``, else the plan's ``public_building``);
5. geometry: on the straight walking line from a public entrance towards the nearest public
   sidewalk or footpath, within the access-path reach (15 m by default, from the rule-set data);
   parking within that reach of a public entrance is the building's own parking;
6. the plan default: building parts follow ``public_building``; everything else outdoors is a
   public road (BV97 inside the built-up area) or public space.

``work_kind: outdoor_only`` means the verordening does not apply at all: nothing derived gets it.
Every regime carries its reason in Dutch and English, and whether it was derived (so the report
can list derived regimes apart for the reviewer to confirm).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Mapping, Sequence

import numpy as np
import shapely
from shapely.geometry import LineString
from shapely.ops import nearest_points

from inclusiecheck.model.labels import value_label
from inclusiecheck.model import Feature, SiteModel

VERORDENING, BV97, PUBLIC_SPACE = "verordening", "bv97", "public_space"
REGIMES = (VERORDENING, BV97, PUBLIC_SPACE)

#: parts of a building: the verordening governs them when the building is publicly accessible
BUILDING_PARTS = frozenset({"entrance", "door", "lift", "toilet", "building"})
#: outdoor elements that can form an access path (ramps, stairs, steps, paths)
ACCESS_ELEMENTS = frozenset({"walkway", "ramp", "stairs", "level_change"})
#: layers of the public road (BV97 inside the built-up area when not an access path)
ROAD_LAYERS = frozenset({"walkway", "ramp", "stairs", "level_change", "crossing", "tactile",
                         "obstacle", "cycle_path"})
#: walkway kinds that are public pedestrian roads by themselves (never derived access paths)
PUBLIC_WALKWAY_KINDS = frozenset({"sidewalk", "footpath", "shared_space", "park_path",
                                  "square_surface"})
#: walkway kinds a public entrance's access path leads to
ROUTE_TARGET_KINDS = frozenset({"sidewalk", "footpath", "shared_space", "square_surface"})

#: distance (m) within which a feature lies "against" a building outline
AGAINST_M = 1.0
#: half width (m) of the corridor along an entrance's access line
ROUTE_HALF_WIDTH_M = 1.0
#: default scope figures; the rule-set data (``scope_parameters``) wins
DEFAULT_SCOPE_PARAMETERS: dict[str, float] = {
    "access_path_reach_m": 15.0,
    "small_building_m2": 150.0,
    "large_building_m2": 400.0,
}


@dataclass(frozen=True, slots=True)
class Regime:
    """The regulation that governs one feature, and why."""

    code: str | None                  # None: undecided
    reason: Mapping[str, str]
    derived: bool = True              # False: stated by the plan or corrected by the reviewer
    basis: str = "default"            # override, attribute, access_path, building, route, plan, ...
    candidates: tuple[str, ...] = ()  # when undecided
    missing: tuple[str, ...] = ()     # the data that would decide it

    def as_dict(self, lang: str) -> dict[str, Any]:
        out: dict[str, Any] = {"regime": self.code, "basis": self.basis,
                               "derived": self.derived, "reason": self.reason.get(lang, "")}
        if self.candidates:
            out["candidates"] = list(self.candidates)
        if self.missing:
            out["missing"] = list(self.missing)
        return out


def building_public(building: Feature, model: SiteModel) -> bool | None:
    """Is the building publicly accessible? Its own ``public``, else what its entrances (on or
    within 1 m of its outline) say: one public entrance makes it public; only entrances that
    say no make it not public; ``None`` when nothing says."""
    own = building.attrs.get("public")
    if own is not None:
        return bool(own)
    said = [e.attrs.get("public") for e in model.near("entrance", building.geometry, AGAINST_M)]
    said = [v for v in said if v is not None]
    if not said:
        return None
    return any(said)


def _t(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


def _name(feature: Feature) -> str:
    name = feature.attrs.get("name")
    return f"{feature.id} ({name})" if name and name != feature.id else feature.id


def _road(feature: Feature, model: SiteModel, why: dict[str, str], basis: str,
          derived: bool = True) -> Regime:
    """A public road or public space, by layer and the built-up area."""
    if feature.layer in ROAD_LAYERS and model.meta.effective_built_up_area():
        assumed = model.meta.built_up_area is None
        return Regime(BV97, _t(
            f"{why['nl']}: openbare weg voor voetgangers binnen de bebouwde kom"
            + (" (aangenomen)" if assumed else ""),
            f"{why['en']}: public pedestrian road inside the built-up area"
            + (" (assumed)" if assumed else "")), derived, basis)
    where = _t("buiten de bebouwde kom", "outside the built-up area") \
        if feature.layer in ROAD_LAYERS else _t("openbare ruimte", "public space")
    return Regime(PUBLIC_SPACE, _t(f"{why['nl']}: {where['nl']}, alleen aanbevelingen",
                                   f"{why['en']}: {where['en']}, guidance only"), derived, basis)


class RegimeIndex:
    """Regimes of every feature of a site model, derived once per run."""

    def __init__(self, model: SiteModel, scope_parameters: Mapping[str, float] | None = None,
                 public_of: Any = None) -> None:
        self.model = model
        self.params = {**DEFAULT_SCOPE_PARAMETERS, **(scope_parameters or {})}
        #: ``public_of(feature) -> bool | None`` (the derived ``public`` value of a building part)
        self._public_of = public_of or (lambda f: f.attrs.get("public"))
        self._by_feature: dict[int, Regime] = {}
        self._routes: dict[int, tuple[Feature, Feature | None]] | None = None
        self._parking: dict[int, Feature] | None = None
        self._seeded = False
        #: layer -> {id(feature): the building containing its representative point}
        self._hosts: dict[str, dict[int, Feature | None]] = {}
        #: the road regimes made so far, one (immutable) object per distinct reason
        self._roads: dict[tuple[bool, str, str, str, bool], Regime] = {}

    # -- lookups ----------------------------------------------------------------------------
    def of(self, feature: Feature) -> Regime:
        key = id(feature)
        regime = self._by_feature.get(key)
        if regime is None:
            if self._seeded:
                raise RuntimeError(f"no regime given for {feature.layer} {feature.id}: a "
                                   "tile's regimes come from the whole plan")
            regime = self._by_feature[key] = self._decide(feature)
        return regime

    def links(self) -> tuple[dict[int, tuple[Feature, Feature | None]], dict[int, Feature]]:
        """The access routes (``id(feature) -> (entrance, target)``) and the building parking
        (``id(parking) -> entrance``) the regimes were placed by, built if not yet."""
        if self._routes is None:
            self._routes = self._build_routes()
        return self._routes, self._parking_of()

    def seed(self, regimes: Mapping[int, Regime],
             routes: Mapping[int, tuple[Feature, Feature | None]],
             parking: Mapping[int, Feature]) -> None:
        """Take regimes decided on the whole plan (a parallel check decides them once, before
        it splits the plan into tiles): a tile's features keep the regime, access route and
        parking link the whole plan gives them; a feature without one is an error, never a
        regime decided on the tile alone."""
        self._by_feature = dict(regimes)
        self._routes = dict(routes)
        self._parking = dict(parking)
        self._seeded = True

    def all(self) -> list[tuple[Feature, Regime]]:
        return [(f, self.of(f)) for f in self.model]

    def route_entrance(self, feature: Feature) -> Feature | None:
        """The public entrance whose access route this feature was placed on (regime basis
        ``route``), else ``None``."""
        if self.of(feature).basis != "route":
            return None
        route = self._route_of(feature)
        if route is not None:
            return route[0]
        return self._parking_of().get(id(feature)) if feature.layer == "parking" else None

    @property
    def reach_m(self) -> float:
        return float(self.params["access_path_reach_m"])

    # -- the decision -------------------------------------------------------------------------
    def _road(self, feature: Feature, why: dict[str, str], basis: str,
              derived: bool = True) -> Regime:
        """:func:`_road` of ``feature``, made once per distinct outcome (most features of a
        plan share one: the same object, not 50,000 equal ones)."""
        key = (feature.layer in ROAD_LAYERS, why["nl"], why["en"], basis, derived)
        made = self._roads.get(key)
        if made is None:
            made = self._roads[key] = _road(feature, self.model, why, basis, derived)
        return made

    def _decide(self, feature: Feature) -> Regime:
        meta = self.model.meta
        overrides = meta.regimes
        code = (overrides.get(f"{feature.layer}:{feature.id}") or overrides.get(feature.id)) \
            if overrides else None
        if code:
            return Regime(code, _t("gecorrigeerd in plan.yaml (regimes)",
                                   "corrected in plan.yaml (regimes)"), False, "override")
        own = feature.attrs.get("regime")
        if own:
            return Regime(own, _t("vermeld in het plan (regime)", "stated in the plan (regime)"),
                          False, "attribute")
        outdoor_only = meta.work_kind == "outdoor_only"
        layer = feature.layer
        if layer in BUILDING_PARTS:
            return self._building_part(feature, outdoor_only)
        access = feature.attrs.get("access_path")
        if access is True and not outdoor_only:
            return Regime(VERORDENING, _t("toegangspad van een publiek toegankelijk gebouw "
                                          "(volgens de gegevens)",
                                          "access path of a publicly accessible building "
                                          "(as the data says)"), False, "access_path")
        if access is False:
            return self._road(feature, _t("geen toegangspad (volgens de gegevens)",
                                                 "not an access path (as the data says)"),
                         "access_path", derived=False)
        own_public = feature.attrs.get("public")   # parking: of a publicly accessible building
        if own_public is True and not outdoor_only:
            return Regime(VERORDENING, _t("hoort bij een publiek toegankelijk gebouw (public)",
                                          "belongs to a publicly accessible building (public)"),
                          False, "attribute")
        if own_public is False:
            return Regime(PUBLIC_SPACE, _t(
                "hoort niet bij een publiek toegankelijk gebouw (public: nee): alleen aanbevelingen",
                "does not belong to a publicly accessible building (public: no): guidance only"),
                False, "attribute")
        host = self._building_containing(feature)
        if host is not None:
            return self._by_building(feature, host, outdoor_only, inside=True)
        if layer in ACCESS_ELEMENTS and not (
                layer == "walkway" and feature.attrs.get("kind") in PUBLIC_WALKWAY_KINDS):
            if layer != "walkway":
                against = self._building_against(feature)
                if against is not None:
                    return self._by_building(feature, against, outdoor_only, inside=False)
            route = self._route_of(feature)
            if route is not None:
                return self._on_route(feature, *route, outdoor_only=outdoor_only)
        if layer == "parking":
            entrance = self._parking_of().get(id(feature))
            if entrance is not None and not outdoor_only:
                return Regime(VERORDENING, _t(
                    f"parking van het gebouw: binnen {self.reach_m:g} m van publieke ingang "
                    f"{_name(entrance)}",
                    f"the building's parking: within {self.reach_m:g} m of public entrance "
                    f"{_name(entrance)}"), True, "route")
        default = self.model.meta.regime
        public_walkway = layer == "walkway" and feature.attrs.get("kind") in PUBLIC_WALKWAY_KINDS
        if public_walkway:
            kind = feature.attrs["kind"]
            words = {lang: value_label("kind", kind, lang) or kind for lang in ("nl", "en")}
            return self._road(feature, _t(f"openbaar pad ({words['nl']})",
                                                 f"public path ({words['en']})"), "kind")
        if default is not None:
            return self._plan_default(feature, default, outdoor_only)
        if layer == "parking":
            return Regime(PUBLIC_SPACE, _t(
                "parkeren op het openbaar domein (geen parking van een publiek toegankelijk "
                "gebouw gevonden): alleen aanbevelingen",
                "parking on the public domain (no parking of a publicly accessible building "
                "found): guidance only"), True, "default")
        if outdoor_only and layer in ACCESS_ELEMENTS:
            return self._road(feature, _t("alleen omgevingswerken",
                                                 "outdoor works only"), "plan")
        return self._road(feature, _t("openbaar domein", "public domain"), "default")

    def _plan_default(self, feature: Feature, code: str, outdoor_only: bool) -> Regime:
        """The plan's ``regime`` for a feature nothing else places."""
        if code != VERORDENING:
            return self._road(feature, _t("standaardregime van het plan (regime)",
                                                 "the plan's default regime (regime)"), "plan") \
                if code == BV97 else Regime(PUBLIC_SPACE, _t(
                    "standaardregime van het plan (regime): openbare ruimte, alleen aanbevelingen",
                    "the plan's default regime (regime): public space, guidance only"), True,
                    "plan")
        if outdoor_only:
            return self._road(feature, _t("alleen omgevingswerken", "outdoor works only"),
                         "plan")
        public = self.model.meta.public_building
        if public is False:
            return self._road(feature, _t("geen publiek toegankelijk gebouw",
                                                 "not a publicly accessible building"), "plan")
        if public is None:
            return Regime(None, _t("buitenaanleg van een gebouw volgens het plan (regime); niet "
                                   "te bepalen of het publiek toegankelijk is",
                                   "outdoor works of a building according to the plan (regime); "
                                   "whether it is publicly accessible cannot be decided"),
                          True, "undecided", (VERORDENING, PUBLIC_SPACE), ("public",))
        return Regime(VERORDENING, _t(
            "buitenaanleg van een publiek toegankelijk gebouw volgens het plan (regime)",
            "outdoor works of a publicly accessible building according to the plan (regime)"),
            True, "plan")

    def _building_part(self, feature: Feature, outdoor_only: bool) -> Regime:
        if feature.layer == "toilet":
            host = self._building_containing(feature) or self._building_against(feature)
            if host is None:
                return Regime(PUBLIC_SPACE, _t(
                    "vrijstaande voorziening in de openbare ruimte: alleen aanbevelingen",
                    "free-standing facility in the public space: guidance only"), True,
                    "building")
        if outdoor_only:
            return Regime(PUBLIC_SPACE, _t(
                "alleen omgevingswerken: de toegankelijkheidsverordening is niet van toepassing",
                "outdoor works only: the toegankelijkheidsverordening does not apply"), True,
                "plan")
        public = (building_public(feature, self.model) if feature.layer == "building"
                  else self._public_of(feature))
        own = feature.attrs.get("public")
        basis = "attribute" if own is not None else "building"
        if public is None and feature.layer == "building":
            public = self.model.meta.public_building
            basis = "plan"   # neither the building nor its entrances say: the plan metadata
        if public is None:
            return Regime(None, _t("niet te bepalen of het gebouw publiek toegankelijk is",
                                   "whether the building is publicly accessible cannot be "
                                   "decided"), True, "undecided",
                          (VERORDENING, PUBLIC_SPACE), ("public",))
        if own is None and feature.layer != "building":
            host = self._building_containing(feature) or self._building_against(feature)
            if host is None or host.attrs.get("public") is None:
                basis = "plan"
        derived = basis != "attribute"
        if public:
            why = {"attribute": _t("publiek toegankelijk (public)",
                                   "publicly accessible (public)"),
                   "plan": _t("publiek toegankelijk gebouw volgens de plangegevens",
                              "publicly accessible building according to the plan metadata")}
            text = why.get(basis) or self._host_text(feature, True)
            return Regime(VERORDENING, text, derived, basis)
        return Regime(PUBLIC_SPACE, _t("geen publiek toegankelijk gebouw: alleen aanbevelingen",
                                       "not a publicly accessible building: guidance only"),
                      derived, basis)

    def _host_text(self, feature: Feature, public: bool) -> dict[str, str]:
        if feature.layer == "building":
            return _t(f"publiek toegankelijk gebouw {_name(feature)}: volgens zijn ingangen",
                      f"publicly accessible building {_name(feature)}: according to its "
                      "entrances")
        host = self._building_containing(feature) or self._building_against(feature)
        name = _name(host) if host is not None else "?"
        return _t(f"deel van publiek toegankelijk gebouw {name}",
                  f"part of publicly accessible building {name}")

    def _by_building(self, feature: Feature, building: Feature, outdoor_only: bool, *,
                     inside: bool) -> Regime:
        where = _t("in", "inside") if inside else _t("tegen", "against")
        name = _name(building)
        if outdoor_only:
            return self._road(feature, _t(
                f"{where['nl']} gebouw {name}, maar alleen omgevingswerken",
                f"{where['en']} building {name}, but outdoor works only"), "plan")
        public = building_public(building, self.model)
        basis = "building"   # derived from the drawing: listed for the reviewer to confirm
        by_plan = public is None
        if by_plan:
            public = self.model.meta.public_building
        if public is None:
            return Regime(None, _t(f"{where['nl']} gebouw {name}; niet te bepalen of het publiek "
                                   "toegankelijk is",
                                   f"{where['en']} building {name}; whether it is publicly "
                                   "accessible cannot be decided"), True, "undecided",
                          (VERORDENING, BV97 if feature.layer in ROAD_LAYERS else PUBLIC_SPACE),
                          ("public",))
        if public:
            role = _t("binnen", "indoors") if inside else _t("toegang", "access")
            said = _t(" (publiek toegankelijk volgens de plangegevens)",
                      " (publicly accessible according to the plan metadata)") if by_plan \
                else _t("", "")
            return Regime(VERORDENING, _t(
                f"{role['nl']} van publiek toegankelijk gebouw {name}: ligt {where['nl']} het "
                f"gebouw{said['nl']}",
                f"{role['en']} of publicly accessible building {name}: lies {where['en']} the "
                f"building{said['en']}"), True, basis)
        if inside:
            return Regime(PUBLIC_SPACE, _t(
                f"in gebouw {name}, niet publiek toegankelijk: alleen aanbevelingen",
                f"inside building {name}, not publicly accessible: guidance only"), True, basis)
        return self._road(feature, _t(f"tegen gebouw {name}, niet publiek toegankelijk",
                                             f"against building {name}, not publicly "
                                             "accessible"), basis)

    def _on_route(self, feature: Feature, entrance: Feature, target: Feature | None, *,
                  outdoor_only: bool) -> Regime:
        if outdoor_only:
            return self._road(feature, _t(
                f"op de toegang van ingang {_name(entrance)}, maar alleen omgevingswerken",
                f"on the access of entrance {_name(entrance)}, but outdoor works only"), "plan")
        building = self._building_against(entrance) or self._building_containing(entrance)
        of = f" van gebouw {_name(building)}" if building is not None else ""
        of_en = f" of building {_name(building)}" if building is not None else ""
        to = (_t(f"de openbare weg ({_name(target)})", f"the public road ({_name(target)})")
              if target is not None else _t("de openbare weg", "the public road"))
        return Regime(VERORDENING, _t(
            f"toegangspad{of}: verbindt ingang {_name(entrance)} met {to['nl']} "
            f"(binnen {self.reach_m:g} m)",
            f"access path{of_en}: connects entrance {_name(entrance)} with {to['en']} "
            f"(within {self.reach_m:g} m)"), True, "route")

    # -- geometry -------------------------------------------------------------------------------
    def _building_containing(self, feature: Feature) -> Feature | None:
        """The first building (in layer order) that covers the feature's representative
        point; worked out for every feature of its layer at once, the first time one asks."""
        if feature.layer == "building":
            return None
        hosts = self._hosts.get(feature.layer)
        if hosts is None:
            hosts = self._hosts[feature.layer] = self._hosts_of(
                self.model.features(feature.layer))
        key = id(feature)
        if key in hosts:
            return hosts[key]
        return self._hosts_of([feature])[key]   # a feature outside the model's layers

    def _hosts_of(self, feats: Sequence[Feature]) -> dict[int, Feature | None]:
        """:meth:`_building_containing` of ``feats``: one index query of their representative
        points against the buildings, one vectorised ``covers`` of the candidates."""
        out: dict[int, Feature | None] = {id(f): None for f in feats}
        buildings = self.model.features("building")
        if not feats or not buildings:
            return out
        geoms = np.empty(len(feats), dtype=object)
        geoms[:] = [f.geometry for f in feats]
        points = shapely.point_on_surface(geoms)   # what representative_point() gives
        which, candidate = self.model.tree("building").query(points, predicate="intersects")
        if not len(which):
            return out
        order = np.lexsort((candidate, which))      # per feature, buildings in layer order
        which, candidate = which[order], candidate[order]
        shapes = np.empty(len(buildings), dtype=object)
        shapes[:] = [b.geometry for b in buildings]
        covers = shapely.covers(shapes[candidate], points[which])
        for i, b in zip(which[covers].tolist(), candidate[covers].tolist()):
            key = id(feats[i])
            if out[key] is None:
                out[key] = buildings[b]
        return out

    def _building_against(self, feature: Feature) -> Feature | None:
        if feature.layer == "building":
            return None
        near = self.model.near("building", feature.geometry, AGAINST_M)
        return near[0] if near else None

    def _public_entrances(self) -> list[Feature]:
        return [e for e in self.model.features("entrance")
                if self._public_of(e) is True and self.of(e).code == VERORDENING]

    def _route_of(self, feature: Feature) -> tuple[Feature, Feature | None] | None:
        if self._routes is None:
            self._routes = self._build_routes()
        return self._routes.get(id(feature))

    def _build_routes(self) -> dict[int, tuple[Feature, Feature | None]]:
        """Features on the access line of each public entrance: the straight line towards the
        nearest public sidewalk or footpath, cut at the access-path reach."""
        out: dict[int, tuple[Feature, Feature | None]] = {}
        entrances = self._public_entrances()
        if not entrances:
            return out
        targets = [w for w in self.model.features("walkway")
                   if w.attrs.get("kind") in ROUTE_TARGET_KINDS
                   and w.attrs.get("access_path") is not True
                   and w.attrs.get("regime") in (None, BV97, PUBLIC_SPACE)]
        tree = shapely.STRtree([t.geometry for t in targets]) if targets else None
        reach = self.reach_m
        for entrance in entrances:
            point = entrance.geometry
            target = None
            corridor = point.buffer(2 * ROUTE_HALF_WIDTH_M)  # no road drawn: the doorstep only
            if tree is not None:
                target = targets[int(tree.nearest(point))]
                if target.geometry.distance(point) > 0:
                    end = nearest_points(point, target.geometry)[1]
                    line = LineString([point, end])
                    if line.length > reach:
                        line = LineString([point, line.interpolate(reach)])
                    corridor = line.buffer(ROUTE_HALF_WIDTH_M)
            paths: list[Feature] = []
            for layer in ACCESS_ELEMENTS:
                for f in self.model.near(layer, corridor, 0.0):
                    if f is target or id(f) in out:
                        continue
                    if layer == "walkway" and f.attrs.get("kind") in PUBLIC_WALKWAY_KINDS:
                        continue
                    out[id(f)] = (entrance, target)
                    if layer == "walkway" and self._may_lead(f):
                        paths.append(f)
            # the walking route follows a drawn path that bends away from the straight line:
            # ramps, stairs and steps on that path, within the reach of the entrance, are on it
            for path in paths:
                for layer in ("ramp", "stairs", "level_change"):
                    for f in self.model.near(layer, path.geometry, ROUTE_HALF_WIDTH_M):
                        if id(f) not in out and f.geometry.distance(point) <= reach:
                            out[id(f)] = (entrance, target)
        return out

    def _may_lead(self, walkway: Feature) -> bool:
        """Can this walkway on an entrance's access line carry the access route further?
        Not when the data or the reviewer says it is not the verordening's."""
        if walkway.attrs.get("access_path") is False:
            return False
        if walkway.attrs.get("regime") not in (None, VERORDENING):
            return False
        overrides = self.model.meta.regimes or {}
        code = overrides.get(f"{walkway.layer}:{walkway.id}") or overrides.get(walkway.id)
        return code in (None, VERORDENING)

    def _parking_of(self) -> dict[int, Feature]:
        if self._parking is None:
            self._parking = {}
            reach = self.reach_m
            for entrance in self._public_entrances():
                for p in self.model.near("parking", entrance.geometry, reach):
                    self._parking.setdefault(id(p), entrance)
        return self._parking


def regime_counts(index: RegimeIndex) -> dict[str, Any]:
    """Counts of features per regime (``undecided`` for None), and per basis."""
    counts = {code: 0 for code in (*REGIMES, "undecided")}
    derived = 0
    for _, regime in index.all():
        counts[regime.code or "undecided"] += 1
        derived += regime.derived
    return {"by_regime": counts, "derived": derived}
