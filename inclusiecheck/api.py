"""The Python API: one call runs read -> normalise -> measure -> evaluate and returns a Report.

The CLI and other front-ends (a QGIS plugin, a web service) call :func:`check`; output
formats are rendered from the returned :class:`~inclusiecheck.model.Report` with
:func:`inclusiecheck.report.render`.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from collections.abc import Iterable, Iterator, Mapping, Sequence

from shapely.geometry import mapping

from inclusiecheck import __version__
from inclusiecheck.engine.deviations import find_default, load_deviations
from inclusiecheck.engine.evaluate import (
    Evaluation,
    evaluate,
    frozen_heap,
    locations_of,
    rules_in_force,
)
from inclusiecheck.engine.loader import LoadedRule, RuleSet, resolve_selectors
from inclusiecheck.engine.verdict import decide
from inclusiecheck.model import Citation, InputError, Level, Pillar, Report, RuleInfo, SiteModel
from inclusiecheck.model.normalise import normalise
from inclusiecheck.model.profile import LAYER_MODELS
from inclusiecheck.readers import ReadOptions, read_plan

#: layers drawn on the report map, bottom to top
MAP_LAYERS = ("area", "building", "parking", "cycle_path", "walkway", "vegetation", "wall",
              "underpass", "ramp", "stairs", "crossing", "tactile", "obstacle", "bench", "light",
              "toilet", "stop", "lift", "level_change", "door", "entrance")


def parse_crs(value: str | int | None) -> str | None:
    """``31370``, ``"31370"`` or ``"EPSG:31370"`` -> ``"EPSG:31370"`` (validated by pyproj)."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if text.isdigit():
        text = f"EPSG:{text}"
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input(text)
    except CRSError:
        raise InputError(f"unknown CRS {value!r}; give an EPSG code such as 31370 or EPSG:3812") \
            from None
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()


def load_model(plan: str | Path, *, mapping_profile: str | Path | None = None,
               crs: str | None = None, origin: tuple[float, float, float] | None = None,
               meta: dict[str, Any] | None = None, ifc_geometry: bool = False) -> SiteModel:
    """Read and normalise a plan into a :class:`SiteModel` (the first two stages)."""
    options = ReadOptions(crs=parse_crs(crs), origin=origin, ifc_geometry=ifc_geometry)
    raw = read_plan(plan, options, mapping_profile)
    model = normalise(raw, meta)
    from inclusiecheck.engine.measures import too_detailed_warnings

    model.warnings.extend(too_detailed_warnings(model))
    return model


def check(plan: str | Path, *, rules: Sequence[str] | None = None,
          mapping_profile: str | Path | None = None, crs: str | None = None,
          date: dt.date | str | None = None, lang: str | None = None, list_all: bool = False,
          meta: dict[str, Any] | None = None, deviations: str | Path | None = None,
          origin: tuple[float, float, float] | None = None, ifc_geometry: bool = False,
          model: SiteModel | None = None, rulesets: list[RuleSet] | None = None,
          jobs: int = 1, executor: str = "process", scheduler: Any = None,
          tile_size_m: float | None = None) -> Report:
    """Check a plan and return the inclusion advice :class:`~inclusiecheck.model.Report`.

    Parameters
    ----------
    plan : path of a GeoPackage, GeoJSON, Shapefile, folder, ``.ifc`` or ``.ifcxml``.
    rules : rule-set names or folder paths; default: every built-in set.
    mapping_profile : a shipped mapping profile name (``nl``, ``shapefile``) or a YAML file.
    crs : CRS for files without one (``31370`` or ``EPSG:31370``).
    date : the permit date that selects the rule versions in force (default: the plan's
        ``permit_date``, else today).
    lang : ``nl`` (default) or ``en``.
    list_all : also list passes and not-applicable outcomes.
    meta : plan metadata that overrides ``plan.yaml`` (project, dossier, work_kind, ...).
    deviations : a deviations file; default ``afwijkingen.yaml`` beside the plan, if any.
    jobs : evaluate in tiles with this many worker processes (default 1: one process, no
        tiles); the report is byte-identical to the single-process one (docs/scale.md).
    executor : ``process`` (default) or ``dask`` (the tiles on a dask.distributed cluster;
        needs the ``dask`` extra).
    scheduler : with ``executor="dask"``: the scheduler's address or a ``distributed.Client``;
        default a local cluster of ``jobs`` workers.
    tile_size_m : square tiles of this size (m) instead of two balanced tiles per job; with
        ``jobs=1`` the tiles run one after the other in this process (for tests).
    """
    if jobs > 1 and executor == "process" and not _forks():
        from inclusiecheck.engine.parallel import worker_pool

        # spawned workers start (and import the engine) while this process reads the plan;
        # forked ones are forked once it is read (they inherit it)
        with worker_pool(jobs) as pool:
            return _check(plan, rules=rules, mapping_profile=mapping_profile, crs=crs,
                          date=date, lang=lang, list_all=list_all, meta=meta,
                          deviations=deviations, origin=origin, ifc_geometry=ifc_geometry,
                          model=model, rulesets=rulesets, jobs=jobs, executor=executor,
                          scheduler=scheduler, tile_size_m=tile_size_m, pool=pool)
    return _check(plan, rules=rules, mapping_profile=mapping_profile, crs=crs, date=date,
                  lang=lang, list_all=list_all, meta=meta, deviations=deviations,
                  origin=origin, ifc_geometry=ifc_geometry, model=model, rulesets=rulesets,
                  jobs=jobs, executor=executor, scheduler=scheduler, tile_size_m=tile_size_m)


def _forks() -> bool:
    from inclusiecheck.engine.parallel import fork_available

    return fork_available()


def _check(plan: str | Path, *, rules: Sequence[str] | None, mapping_profile: str | Path | None,
           crs: str | None, date: dt.date | str | None, lang: str | None, list_all: bool,
           meta: dict[str, Any] | None, deviations: str | Path | None,
           origin: tuple[float, float, float] | None, ifc_geometry: bool,
           model: SiteModel | None, rulesets: list[RuleSet] | None, jobs: int, executor: str,
           scheduler: Any, tile_size_m: float | None, pool: Any = None) -> Report:
    plan_path = Path(plan)
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            raise InputError(f"invalid date {date!r}; use YYYY-MM-DD") from None
    overrides = dict(meta or {})
    if date is not None:
        overrides["permit_date"] = date
    if model is None:
        model = load_model(plan_path, mapping_profile=mapping_profile, crs=crs, origin=origin,
                           meta=overrides, ifc_geometry=ifc_geometry)
    lang = lang or model.meta.lang or "nl"
    if lang not in ("nl", "en"):
        raise InputError(f"unknown language {lang!r}; use nl or en")
    day = model.meta.permit_date or dt.date.today()
    sets = rulesets if rulesets is not None else resolve_selectors(rules)
    in_force = rules_in_force(sets, day)
    dev_path = Path(deviations) if deviations else find_default(plan_path)
    devs = load_deviations(dev_path) if dev_path else []
    # the model, then the findings, stay out of the collector's full collections until the
    # report is assembled (one full collection of a 60,000-feature model and its 80,000
    # findings is about 0.8 s of CPU, and the objects made after the evaluation set one off).
    # What is garbage already (the rule files' parse, about 300,000 objects with every
    # built-in set) is collected first, while the heap is small (about 0.1 s): frozen, it
    # would stay in memory until the report is written
    gc.collect()
    with frozen_heap():
        if jobs > 1 or executor != "process" or tile_size_m is not None:
            from inclusiecheck.engine.parallel import evaluate_parallel

            result = evaluate_parallel(model, in_force, date=day, lang=lang,
                                       list_all=list_all, deviations=devs, jobs=jobs,
                                       executor=executor, scheduler=scheduler,
                                       tile_size_m=tile_size_m, pool=pool)
        else:
            result = evaluate(model, in_force, date=day, lang=lang, list_all=list_all,
                              deviations=devs)
        gc.freeze()   # the findings too
        return assemble(model, sets, result, lang=lang, list_all=list_all, day=day,
                        inputs=input_files(plan_path, dev_path))


#: files of a plan folder that are not plan data (hashing them would make the list noisy)
_SKIP_INPUT = (".", "~")


def input_files(plan: Path, deviations: Path | None = None) -> list[dict[str, Any]]:
    """The files the check read, each with its SHA-256 and size, sorted by name.

    A folder plan: every regular file in the folder (not below it); a file plan: the file,
    its sidecars (same stem: a Shapefile's .dbf, .shx, .prj, a ``<name>.plan.yaml``) and a
    ``plan.yaml`` beside it; and the deviations file when one was read. Names are relative to
    the plan's folder (or the file name), never absolute.
    """
    import hashlib

    if not plan.exists():
        return []
    base = plan if plan.is_dir() else plan.parent
    if plan.is_dir():
        files = [p for p in plan.iterdir() if p.is_file() and not p.name.startswith(_SKIP_INPUT)]
    else:
        stem = plan.name.split(".")[0]
        files = [p for p in base.iterdir() if p.is_file()
                 and (p.name.split(".")[0] == stem or p.name == "plan.yaml")]
    if deviations is not None and deviations.is_file() and deviations not in files:
        files.append(deviations)
    out = []
    for path in sorted(set(files), key=lambda p: p.name):
        digest = hashlib.sha256()
        try:
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            size = path.stat().st_size
        except OSError:
            continue
        try:
            name = path.relative_to(base).as_posix()
        except ValueError:
            name = path.name
        out.append({"file": name, "sha256": digest.hexdigest(), "bytes": size})
    return out


#: layers whose named features are labelled on the map
MAP_NAMED_LAYERS = ("building", "walkway", "area")


def _rule_info(rule: LoadedRule, lang: str) -> RuleInfo:
    spec = rule.spec
    return RuleInfo(
        id=spec.id, rule_set=rule.rule_set, rule_set_version=rule.rule_set_version,
        title=spec.title.get(lang), pillar=Pillar(spec.pillar), level=Level(spec.level),
        structural=spec.structural,
        source=Citation(spec.source.document, spec.source.article, spec.source.url,
                        spec.source.kind),
        layer=", ".join(spec.applies_to.layers), qualitative=spec.check.type == "manual",
        description=spec.description.get(lang) if spec.description else "",
        defined_in=rule.defined_in, modified_by=rule.modified_by,
        texts={"title": {k: spec.title.get(k) for k in ("nl", "en")},
               "description": {k: spec.description.get(k) if spec.description else ""
                               for k in ("nl", "en")}},
        version=spec.version)


def _nested_counts(counts: dict[tuple[str, str, str, str, str], int]) -> dict[str, Any]:
    total: Counter[str] = Counter()
    by_set: dict[str, Counter[str]] = defaultdict(Counter)
    by_pillar: dict[str, Counter[str]] = defaultdict(Counter)
    by_level: dict[str, Counter[str]] = defaultdict(Counter)
    existing: Counter[str] = Counter()
    for (rule_set, pillar, level, status, outcome), n in counts.items():
        if status == "existing":
            existing[outcome] += n
            continue
        total[outcome] += n
        by_set[rule_set][outcome] += n
        by_pillar[pillar][outcome] += n
        by_level[level][outcome] += n

    def plain(c: Counter[str]) -> dict[str, int]:
        return {k: c[k] for k in sorted(c)}

    return {
        "total": plain(total),
        "by_rule_set": {k: plain(v) for k, v in sorted(by_set.items())},
        "by_pillar": {k: plain(v) for k, v in sorted(by_pillar.items())},
        "by_level": {k: plain(v) for k, v in sorted(by_level.items())},
        "existing": plain(existing),
    }


def assemble(model: SiteModel, sets: Iterable[RuleSet], result: Evaluation, *, lang: str,
             list_all: bool, day: dt.date,
             inputs: list[dict[str, Any]] | None = None) -> Report:
    """Build the immutable Report from the model and the evaluation."""
    sets = list(sets)
    summary = _nested_counts(result.counts)
    summary["features"] = {layer: len(feats) for layer, feats in sorted(model.layers.items())}
    obligation_counts: Counter[str] = Counter()
    for (_set, _pillar, level, status, outcome), n in result.counts.items():
        if level == "obligation" and status == "new":
            obligation_counts[outcome] += n
    verdict = decide(result.findings, obligation_counts, lang)

    from inclusiecheck.engine.summaries import extra_summaries

    summary.update(extra_summaries(model, result, lang))
    if result.regimes:
        summary["regimes"] = result.regimes

    used_layers = sorted({layer for r in result.rules for layer in r.spec.applies_to.layers})
    undecided = []
    for rule in result.rules:
        stats = result.rule_stats.get(rule.id)
        if stats and stats.counts.get("to_verify"):
            undecided.append({
                "rule_id": rule.id, "title": rule.spec.title.get(lang),
                "to_verify": stats.counts["to_verify"],
                "missing": sorted(stats.missing),
            })
    not_applied = [r.id for r in result.rules if r.spec.check.type != "manual"
                   and not any(v for k, v in result.rule_stats.get(r.id, _EMPTY).counts.items()
                               if k != "not_applicable")]
    qualitative = [{"rule_id": r.id, "title": r.spec.title.get(lang),
                    "layer": ", ".join(r.spec.applies_to.layers),
                    "source": {"document": r.spec.source.document,
                               "article": r.spec.source.article}}
                   for r in result.rules if r.spec.check.type == "manual"]
    coverage = {
        "layers_present": sorted(model.layers),
        "layers_absent": [layer for layer in used_layers
                          if layer in LAYER_MODELS and not model.has_layer(layer)],
        "rules_evaluated": len([r for r in result.rules if r.spec.check.type != "manual"]),
        "undecided_rules": undecided,
        "rules_not_applied": sorted(not_applied),
        "qualitative": qualitative,
        "rules_date": day.isoformat(),
    }
    warnings = tuple(w.as_dict() for w in [*model.warnings, *result.warnings])
    map_source: dict[str, list[tuple[str, Any, str]]] = {}
    map_names: dict[str, dict[str, str]] = {}
    bounds = None
    for layer in MAP_LAYERS:
        feats = model.features(layer)
        if not feats:
            continue
        map_source[layer] = [(f.id, f.geometry, f.status) for f in feats]
        if layer in MAP_NAMED_LAYERS:
            named = {f.id: str(f.attrs["name"]) for f in feats
                     if f.attrs.get("name") and f.status != "removed"}
            if named:
                map_names[layer] = named
    if len(model):
        import shapely

        geoms = [f.geometry for f in model]
        minx, miny, maxx, maxy = shapely.total_bounds(geoms)
        bounds = (float(minx), float(miny), float(maxx), float(maxy))
    plan = model.meta.as_report_dict()
    plan["source"] = model.source_path
    if inputs is not None:
        plan["inputs"] = inputs
    if model.meta.permit_date is None:
        plan["rules_date"] = day.isoformat()
    return Report(
        lang=lang, plan=plan, crs=model.crs,
        rule_sets=tuple({"name": s.name, "version": s.version, "publisher": s.spec.publisher,
                         "title": s.spec.title.get(lang), "origin": s.origin,
                         "extends": list(s.spec.extends), **s.provenance()} for s in sets),
        verdict=verdict, summary=summary, coverage=coverage, warnings=warnings,
        findings=tuple(result.findings), rules=tuple(_rule_info(r, lang) for r in result.rules),
        list_all=list_all, map_layers=MapLayers(map_source), extents=bounds, tool_version=__version__,
        map_names=map_names,
        rule_set_titles={s.name: {k: s.spec.title.get(k) for k in ("nl", "en")} for s in sets})


class MapLayers(Mapping[str, list[tuple[str, dict[str, Any], str]]]):
    """The plan geometry of the report maps (:attr:`Report.map_layers`): layer -> list of
    (feature id, GeoJSON geometry, status), in :data:`MAP_LAYERS` order.

    Made from the features' geometries on first use (every layer at once, coordinates rounded
    as a finding's are): a report written without a map (``--format json``) never converts
    the whole plan to GeoJSON. Holds only the ids, geometries and statuses, not the model.
    """

    def __init__(self, source: Mapping[str, Sequence[tuple[str, Any, str]]]) -> None:
        self._source = {layer: list(feats) for layer, feats in source.items()}
        self._layers: dict[str, list[tuple[str, dict[str, Any], str]]] | None = None

    def _made(self) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
        if self._layers is None:
            layers = {}
            for layer, feats in self._source.items():
                locs = locations_of([geom for _id, geom, _status in feats])
                layers[layer] = [(fid, loc or mapping(geom), status)
                                 for (fid, geom, status), loc in zip(feats, locs)]
            self._layers = layers
            self._source = {layer: [] for layer in layers}   # the geometries are let go
        return self._layers

    def __getitem__(self, layer: str) -> list[tuple[str, dict[str, Any], str]]:
        return self._made()[layer]

    def __iter__(self) -> Iterator[str]:
        return iter(self._source)

    def __len__(self) -> int:
        return len(self._source)

    def __contains__(self, layer: object) -> bool:
        return layer in self._source

    def __repr__(self) -> str:
        return f"MapLayers({list(self._source)})"


class _Empty:
    counts: dict[str, int] = {}


_EMPTY = _Empty()


def finding_key(finding: Any) -> tuple[str, str, str, str]:
    """The identity of a finding across plan versions: rule, layer, feature, property."""
    return (finding.rule_id, finding.layer, finding.feature_id, finding.property or "")


def compare(old: Report, new: Report) -> dict[str, Any]:
    """Compare the findings of two versions of a plan (e.g. before and after a revision).

    Returns ``resolved`` (in the old version, gone or no longer failing in the new one),
    ``introduced`` (new in the new version), ``changed`` (same rule and feature, other outcome)
    and ``unchanged``, plus both verdicts. Passes are not listed unless both reports were made
    with ``list_all``.

    Each resolved, introduced and changed item says its ``cause``: ``rule`` when the rule
    that judged it has another ``version`` in the two reports (e.g. the plans' permit dates
    select different versions, see ``rules/CHANGELOG.md``) and the plan's measured value is
    the same; ``new_rule`` / ``removed_rule`` when the rule is in force for only one of them;
    ``rule_and_plan`` when both the rule version and the measured value changed; ``plan``
    otherwise. ``rule_versions`` is ``{"old": n, "new": m}`` where the versions differ; each
    finding also carries the ``rule_version`` that judged it.
    """
    old_map = {finding_key(f): f for f in old.listed_findings()}
    new_map = {finding_key(f): f for f in new.listed_findings()}
    old_versions = {r.id: r.version for r in old.rules}
    new_versions = {r.id: r.version for r in new.rules}

    def brief(f: Any) -> dict[str, Any]:
        return {"rule_id": f.rule_id, "layer": f.layer, "feature_id": f.feature_id,
                "property": f.property, "outcome": f.outcome.value, "level": f.level.value,
                "measured": f.measured, "required": f.required, "unit": f.unit,
                "message": f.message, "rule_version": f.rule_version}

    def cause(rule_id: str, a: Any = None, b: Any = None) -> dict[str, Any]:
        if rule_id not in old_versions and rule_id in new_versions:
            return {"cause": "new_rule"}
        if rule_id in old_versions and rule_id not in new_versions:
            return {"cause": "removed_rule"}
        v_old = a.rule_version if a is not None else old_versions.get(rule_id)
        v_new = b.rule_version if b is not None else new_versions.get(rule_id)
        if v_old is None or v_new is None or v_old == v_new:
            return {"cause": "plan"}
        plan_changed = a is not None and b is not None and a.measured != b.measured
        return {"cause": "rule_and_plan" if plan_changed else "rule",
                "rule_versions": {"old": v_old, "new": v_new}}

    resolved = [{**brief(old_map[k]), **cause(k[0], a=old_map[k])}
                for k in sorted(old_map) if k not in new_map]
    introduced = [{**brief(new_map[k]), **cause(k[0], b=new_map[k])}
                  for k in sorted(new_map) if k not in old_map]
    changed = [{"old": brief(old_map[k]), "new": brief(new_map[k]),
                **cause(k[0], old_map[k], new_map[k])}
               for k in sorted(old_map) if k in new_map
               and old_map[k].outcome is not new_map[k].outcome]
    unchanged = [brief(new_map[k]) for k in sorted(new_map) if k in old_map
                 and old_map[k].outcome is new_map[k].outcome]
    return {
        "old": {"plan": old.plan, "verdict": old.verdict.code},
        "new": {"plan": new.plan, "verdict": new.verdict.code},
        "resolved": resolved, "introduced": introduced, "changed": changed,
        "unchanged": unchanged,
    }
