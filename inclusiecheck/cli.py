"""The ``inclusiecheck`` command line: a thin shell over :mod:`inclusiecheck.api`.

Exit codes: 0 = no ``fail`` at or above ``--fail-on``; 1 = there is one; 2 = input error
(one clear line on stderr, never a traceback).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from inclusiecheck import __version__
from inclusiecheck.model import InputError, Level, Outcome, Report

#: plain click help (no boxed table): every option name whole and readable descriptions at
#: 80 columns (a long option name puts its description on the next line)
HELP_SETTINGS = {"max_content_width": 100}

app = typer.Typer(
    name="inclusiecheck",
    help="Inclusion review of public-space designs: accessibility and social safety.",
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings=HELP_SETTINGS,
)
rules_app = typer.Typer(help="List, show, scaffold, validate, test and document rule sets.",
                        no_args_is_help=True, pretty_exceptions_enable=False,
                        rich_markup_mode=None, context_settings=HELP_SETTINGS)
app.add_typer(rules_app, name="rules")


def _no_python_types(self: object, ctx: object) -> None:
    """Arguments are named by their metavar (PLAN, PATH), not a Python type (list[Path])."""
    return None


typer.core.TyperArgument.display_type_rich = _no_python_types  # type: ignore[method-assign]
_typer_option_type = typer.core.TyperOption.display_type_rich


def _option_metavar(self: typer.core.TyperOption, ctx: object) -> str | None:
    """An option without a metavar is labelled by its name (``--layer LAYER``), not by a
    Python type (``<str>``)."""
    if self.metavar is None and not self.is_flag and not self.count:
        return max(self.opts, key=len).lstrip("-").upper().replace("-", "_")
    return _typer_option_type(self, ctx)  # type: ignore[arg-type]


typer.core.TyperOption.display_type_rich = _option_metavar  # type: ignore[method-assign]


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit(0)


@app.callback()
def _main(
    show_version: Annotated[bool, typer.Option("--version", help="Print the version and exit.", callback=_print_version, is_eager=True)] = False,
) -> None:
    """Inclusion review of public-space designs: accessibility and social safety."""


class FailOn(str, Enum):
    obligation = "obligation"
    recommendation = "recommendation"
    never = "never"


class Lang(str, Enum):
    nl = "nl"
    en = "en"


class Executor(str, Enum):
    process = "process"
    dask = "dask"


def _console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=False, highlight=False)


#: longest error message printed (a hostile input could make it huge)
MAX_ERROR_CHARS = 2000


def one_line(message: str, limit: int = MAX_ERROR_CHARS) -> str:
    """``message`` as one printable line: line breaks joined, control and format characters
    (terminal escapes, NUL, bidi marks) shown escaped, cut at ``limit`` characters."""
    text = " ".join(part.strip() for part in str(message).splitlines() if part.strip())
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _err(message: str) -> None:
    typer.echo(f"inclusiecheck: error: {one_line(message)}", err=True)


def _formats(values: list[str] | None) -> list[str]:
    names: list[str] = []
    for value in values or ["html,json"]:
        for part in value.split(","):
            name = part.strip().lower()
            if name and name not in names:
                names.append(name)
    return names


def _parse_origin(value: str | None) -> tuple[float, float, float] | None:
    if not value:
        return None
    try:
        parts = [float(p) for p in value.split(",")]
    except ValueError:
        raise InputError(f"--origin {value!r}: use E,N or E,N,rotation_deg") from None
    if len(parts) not in (2, 3):
        raise InputError(f"--origin {value!r}: use E,N or E,N,rotation_deg")
    if not all(math.isfinite(p) for p in parts) or max(abs(p) for p in parts[:2]) > 1e8:
        raise InputError(f"--origin {value!r}: E and N must be finite map coordinates in "
                         "metres (at most 1e8) and the rotation a finite angle")
    return (parts[0], parts[1], parts[2] if len(parts) == 3 else 0.0)


def exit_code(report: Report, fail_on: FailOn) -> int:
    if fail_on is FailOn.never:
        return 0
    levels = {Level.OBLIGATION} if fail_on is FailOn.obligation else {Level.OBLIGATION,
                                                                      Level.RECOMMENDATION}
    for finding in report.findings:
        if finding.outcome is Outcome.FAIL and finding.level in levels and finding.status == "new":
            return 1
    return 0


def _check_date(value: str | None) -> dt.date | None:
    """``--check-date`` as a date (None: the reports take SOURCE_DATE_EPOCH, else today)."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--check-date {value!r}: use YYYY-MM-DD") from None


def write_outputs(report: Report, out: Path, formats: list[str], *,
                  bcf_recommendations: bool = False,
                  progress: PlanProgress | None = None,
                  check_date: dt.date | None = None, jobs: int = 1) -> list[Path]:
    """Render ``report`` in every format, then write them into ``out`` as one set with its
    ``manifest.json`` (:func:`inclusiecheck.output.write_report_set`); return the report
    paths (not the manifest). ``jobs``: processes a renderer may use (``--jobs``)."""
    from inclusiecheck.engine.evaluate import frozen_heap
    from inclusiecheck.output import write_report_set
    from inclusiecheck.report import RenderOptions, get_format

    _keep_until_exit(report)
    chosen = [get_format(name) for name in formats]  # validate all names before writing
    options = RenderOptions(lang=report.lang, bcf_recommendations=bcf_recommendations,
                            check_date=check_date, jobs=jobs)
    rendered = []
    # the report (every finding) stays out of the collector's full collections while the
    # formats make their many short-lived objects
    with frozen_heap():
        for number, fmt in enumerate(chosen):
            path = out / fmt.filename
            if progress is not None:
                progress.step("write", 0.6 + 0.4 * number / max(len(chosen), 1),
                              f"writing {fmt.filename}", path=str(path))
            rendered.append((fmt.filename, fmt.render(report, options)))
    written = write_report_set(out, rendered)[:-1]
    if progress is not None:
        progress.step("written", 1.0, f"{len(written)} files written",
                      files=[str(p) for p in written])
    return written


class ProgressMode(str, Enum):
    json = "json"


class Progress:
    """``--progress json``: one JSON object per line on stderr, flushed at once.

    Every line has ``"event"`` (``progress`` or ``done``), ``"stage"``, ``"percent"`` (0-100
    over the whole run, never decreasing), ``"message"`` and, in a batch, ``"plan"`` (its
    index from 0) and ``"plans"``; ``done`` also has ``"exit_code"`` and ``"verdict"``.
    Stages of each plan: ``read`` (reading and normalising), ``evaluate``, ``write`` (one line
    per output file, with ``"path"``) and ``written`` (with ``"files"``).
    """

    def __init__(self, enabled: bool, plans: int) -> None:
        self.enabled = enabled
        self.plans = max(plans, 1)
        self.last = 0.0

    def emit(self, event: str, stage: str, fraction: float, message: str,
             **extra: object) -> None:
        if not self.enabled:
            return
        import json

        self.last = max(self.last, min(max(fraction, 0.0), 1.0))
        line = {"event": event, "stage": stage, "percent": round(100 * self.last, 1),
                "message": message, **extra}
        sys.stderr.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
        sys.stderr.flush()

    def for_plan(self, index: int) -> PlanProgress:
        return PlanProgress(self, index)

    def done(self, code: int, verdict: str | None) -> None:
        self.emit("done", "done", 1.0, "finished", exit_code=code, verdict=verdict)


class PlanProgress:
    """The progress of plan ``index`` of a run: fractions of that plan's share."""

    def __init__(self, run: Progress, index: int) -> None:
        self.run = run
        self.index = index

    def step(self, stage: str, fraction: float, message: str, **extra: object) -> None:
        run = self.run
        if run.plans > 1:
            extra = {"plan": self.index, "plans": run.plans, **extra}
        run.emit("progress", stage, (self.index + fraction) / run.plans, message, **extra)


def _check_one(plan: Path, progress: Progress, index: int, **options: object) -> Report:
    """Read, normalise and evaluate one plan, reporting the stages to ``progress``."""
    from inclusiecheck.api import check as run_check
    from inclusiecheck.api import load_model

    step = progress.for_plan(index)
    if not progress.enabled:
        return run_check(plan, **options)  # type: ignore[arg-type]
    step.step("read", 0.0, f"reading {plan}")
    overrides = dict(options.get("meta") or {})  # type: ignore[call-overload]
    if options.get("date") is not None:
        try:
            overrides["permit_date"] = dt.date.fromisoformat(str(options["date"]))
        except ValueError:
            raise InputError(f"invalid date {options['date']!r}; use YYYY-MM-DD") from None
    model = load_model(plan, mapping_profile=options.get("mapping_profile"),  # type: ignore[arg-type]
                       crs=options.get("crs"), origin=options.get("origin"),  # type: ignore[arg-type]
                       meta=overrides, ifc_geometry=bool(options.get("ifc_geometry")))
    step.step("evaluate", 0.3, "evaluating the rules",
              features=sum(len(features) for features in model.layers.values()))
    return run_check(plan, model=model, **options)  # type: ignore[arg-type]


def check_out_folder(out: Path, plans: list[Path]) -> None:
    """Refuse an ``--out`` that is a file, lies below a file, or is a plan folder itself
    (reports written there would be read as plan layers next time).

    Raises
    ------
    InputError
        With a one-line message naming ``out``.
    """
    for parent in (out, *out.parents):
        if parent.exists() and not parent.is_dir():
            what = "is a file" if parent == out else f"lies inside {parent}, which is a file"
            raise InputError(f"--out {out}: {what}; give a folder for the reports")
    if out.is_dir():
        target = out.resolve()
        for plan in plans:
            if plan.is_dir() and plan.resolve() == target:
                raise InputError(f"--out {out}: this is the plan folder itself; write the "
                                 "reports to another folder")


def _ui_lang(lang: str) -> str:
    """The UI catalogue for ``lang``: Dutch for ``nl``, English otherwise."""
    return "nl" if lang == "nl" else "en"


#: failing findings per level printed by the console summary (the rest: in the report)
SUMMARY_FAILS = 8


def print_summary(report: Report, written: list[Path]) -> None:
    """The console summary in the report's language: the verdict, obligations apart from
    recommendations, the first failing findings of each, and where the full list is."""
    from inclusiecheck.report.viewmodel import humanize, load_catalogue, reading_order

    console = _console()
    lang = _ui_lang(report.lang)
    t = load_catalogue(lang)
    label = t[f"verdict.{report.verdict.code}"].upper()
    console.print(f"[bold]{t['console.verdict']}: {label}[/bold] — "
                  f"{report.verdict.reason_in(lang)}", markup=True, highlight=False)
    by_level = report.summary.get("by_level", {})
    ordered, _groups = reading_order(report)
    numbers = {id(f): n for n, f in enumerate(ordered, start=1)}
    for level, key in ((Level.OBLIGATION, "console.obligations"),
                       (Level.RECOMMENDATION, "console.recommendations")):
        counts = by_level.get(level.value, {})
        console.print(f"{t[key]}: " + t["console.counts"].format(
            fail=counts.get("fail", 0), warn=counts.get("warn", 0),
            to_verify=counts.get("to_verify", 0), passed=counts.get("pass", 0)),
            markup=False, highlight=False)
        fails = [f for f in ordered if f.outcome is Outcome.FAIL and f.level is level
                 and f.status == "new"]
        if fails:
            console.print("  " + t["console.fails"].format(n=len(fails)), markup=False,
                          highlight=False)
        for f in fails[:SUMMARY_FAILS]:
            layer = t.get(f"layer.{f.layer}", f.layer)
            console.print("    " + one_line(f"✗ {numbers[id(f)]}. {f.rule_id} {layer} {f.feature_id}: "
                                   f"{humanize(f.text('message', lang), t)}", 500),
                          markup=False, highlight=False)
        if len(fails) > SUMMARY_FAILS:
            console.print("    " + t["console.more"].format(n=len(fails) - SUMMARY_FAILS),
                          markup=False, highlight=False)
    existing = report.summary.get("existing") or {}
    if existing.get("fail") or existing.get("to_verify"):
        console.print(t["console.existing"].format(fail=existing.get("fail", 0),
                                                   to_verify=existing.get("to_verify", 0)),
                      markup=False, highlight=False)
    readable = next((p for p in written if p.suffix in (".html", ".md")), None)
    if readable is not None:
        console.print(t["console.full_list"].format(path=readable), markup=False,
                      highlight=False)
    console.print(t["console.written"], markup=False, highlight=False)
    for path in written:
        console.print(one_line(f"  → {path}", 500), markup=False, highlight=False)


@app.command()
def check(
    plans: Annotated[list[Path], typer.Argument(help="Plan file(s) or folder(s).", metavar="PLAN")],
    rules: Annotated[list[str] | None, typer.Option("--rules", "-r", help="Rule set name or folder (repeatable); default: all built-in sets.", metavar="SET")] = None,
    mapping: Annotated[str | None, typer.Option("--mapping", "-m", help="Mapping profile: nl, shapefile or a YAML file (IFC models use their own); osm or osw for OSM-tagged GeoJSON/GeoPackage and OpenSidewalks; cad-nl or a cad-layers file for DXF.", metavar="NAME")] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="CRS for files without one: 31370 or EPSG:31370.", metavar="CRS")] = None,
    date: Annotated[str | None, typer.Option("--date", help="Permit date: selects the rule versions in force (default: the plan's; else today, with a warning in the report).", metavar="DATE")] = None,
    check_date: Annotated[str | None, typer.Option("--check-date", help="Date of the check shown in HTML and Markdown (default: SOURCE_DATE_EPOCH, else today; never in JSON).", metavar="DATE")] = None,
    formats: Annotated[list[str] | None, typer.Option("--format", "-f", help="Output formats, comma list or repeated: html, json, geojson, gpkg, sarif, md, bcf (default html,json).", metavar="FORMAT")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (default: inclusiecheck-report).", metavar="FOLDER", show_default=False)] = Path("inclusiecheck-report"),
    lang: Annotated[Lang | None, typer.Option("--lang", help="Report language: nl (default) or en.", metavar="LANG")] = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 when a fail of this level exists: obligation (default), recommendation or never.", metavar="LEVEL", show_default=False)] = FailOn.obligation,
    list_all: Annotated[bool, typer.Option("--all", help="Also list passes and not-applicable outcomes.")] = False,
    deviations: Annotated[Path | None, typer.Option("--deviations", help="Deviations file (default: afwijkingen.yaml beside the plan).", metavar="PATH")] = None,
    origin: Annotated[str | None, typer.Option("--origin", help="IFC without georeferencing: the model origin as E,N or E,N,rotation in degrees.", metavar="E,N[,DEG]")] = None,
    work_kind: Annotated[str | None, typer.Option("--work-kind", help="new, renovation, extension or outdoor_only.", metavar="KIND")] = None,
    built_up_area: Annotated[bool | None, typer.Option("--built-up-area/--outside-built-up-area", help="Whether the plan lies inside the built-up area.", show_default=False)] = None,
    public_building: Annotated[bool | None, typer.Option("--public-building/--no-public-building", help="Default for building parts that do not say whether their building is publicly accessible.", show_default=False)] = None,
    regime: Annotated[str | None, typer.Option("--regime", help="Default regulation of outdoor features nothing else places: verordening, bv97 or public_space.", metavar="REGIME")] = None,
    complete_layers: Annotated[str | None, typer.Option("--complete-layers", help="Layers that hold every feature of their kind in the plan area, comma list (light,building,bench,toilet; present = every layer the plan has; none). Default: the layers a design plan has; OpenStreetMap, OpenSidewalks and GTFS data none. Absence proves something only in a complete layer.", metavar="LAYERS")] = None,
    building_area: Annotated[float | None, typer.Option("--building-area", help="Publicly accessible floor area in m² (decides the verordening's case).", min=0, metavar="NUMBER")] = None,
    ifc_geometry: Annotated[bool, typer.Option("--ifc-geometry", help="IFC: exact footprints from IfcOpenShell's geometry kernel (slower).")] = False,
    bcf_recommendations: Annotated[bool, typer.Option("--bcf-recommendations", help="BCF: also export recommendations.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the written paths.")] = False,
    progress: Annotated[ProgressMode | None, typer.Option("--progress", help="json: machine-readable progress on stderr, one JSON object per line (for the QGIS plugin and other front-ends; see docs/cli.md).", metavar="json")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Evaluate in N parallel jobs, the plan split into tiles or parts (large plans; the report is the same as with 1).", min=1, metavar="N")] = 1,
    executor: Annotated[Executor, typer.Option("--executor", help="process (default) or dask: run the tiles on a dask.distributed cluster (needs inclusiecheck[dask]).", metavar="NAME", show_default=False)] = Executor.process,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="With --executor dask: the scheduler address (tcp://host:8786); default a local cluster of --jobs workers.", metavar="ADDRESS")] = None,
    tile_size: Annotated[float | None, typer.Option("--tile-size", help="Square tiles of this size in metres instead of one balanced tile per job.", min=0.001, metavar="METRES")] = None,
) -> None:
    """Check a plan and write the inclusion advice report."""

    if scheduler is not None and executor is not Executor.dask:
        raise InputError("--scheduler needs --executor dask")
    if executor is Executor.dask:
        from inclusiecheck.engine.parallel import require_dask

        require_dask()
    parallel = {"jobs": jobs, "executor": executor.value, "scheduler": scheduler,
                "tile_size_m": tile_size}
    report_progress = Progress(progress is ProgressMode.json, len(plans))

    if regime is not None and regime not in ("verordening", "bv97", "public_space"):
        raise InputError(f"--regime {regime!r}: use verordening, bv97 or public_space")
    meta = {"work_kind": work_kind, "built_up_area": built_up_area,
            "public_building": public_building, "building_area_m2": building_area,
            "regime": regime, "complete_layers": complete_layers}
    if date is not None:
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise InputError(f"--date {date!r}: use YYYY-MM-DD") from None
    day = _check_date(check_date)
    names = _formats(formats)
    from inclusiecheck.report import get_format

    for name in names:
        get_format(name)
    check_out_folder(out, plans)
    from inclusiecheck.output import lock_folder

    lock_folder(out)  # held until the process ends: a second run into --out is refused
    code = 0
    if len(plans) == 1:
        report = _check_one(plans[0], report_progress, 0, rules=rules, mapping_profile=mapping,
                            crs=crs, date=date, lang=lang.value if lang else None,
                            list_all=list_all,
                            meta={k: v for k, v in meta.items() if v is not None},
                            deviations=deviations, origin=_parse_origin(origin),
                            ifc_geometry=ifc_geometry, **parallel)
        written = write_outputs(report, out, names, bcf_recommendations=bcf_recommendations,
                                progress=report_progress.for_plan(0), check_date=day,
                                jobs=jobs)
        report_progress.done(exit_code(report, fail_on), report.verdict.code)
        if quiet:
            for path in written:
                typer.echo(str(path))
        else:
            print_summary(report, written)
        raise typer.Exit(exit_code(report, fail_on))
    # batch: one sub-folder per plan, an index of all verdicts; a bad plan does not stop the batch
    rows: list[dict[str, object]] = []
    for index, (plan, folder) in enumerate(zip(plans, batch_folders(plans))):
        target = out / folder
        try:
            report = _check_one(plan, report_progress, index, rules=rules,
                                mapping_profile=mapping, crs=crs, date=date,
                                lang=lang.value if lang else None, list_all=list_all,
                                meta={k: v for k, v in meta.items() if v is not None},
                                deviations=deviations, origin=_parse_origin(origin),
                                ifc_geometry=ifc_geometry, **parallel)
        except InputError as exc:
            _err(str(exc) if str(plan) in str(exc) else f"{plan}: {exc}")
            rows.append({"plan": str(plan), "folder": folder, "error": str(exc)})
            code = 2
            continue
        written = write_outputs(report, target, names, bcf_recommendations=bcf_recommendations,
                                progress=report_progress.for_plan(index), check_date=day,
                                jobs=jobs)
        if quiet:
            for path in written:
                typer.echo(str(path))
        else:
            typer.echo(f"== {plan}")
            print_summary(report, written)
        plan_code = exit_code(report, fail_on)
        totals = report.summary.get("total", {})
        rows.append({"plan": str(plan), "folder": folder, "verdict": report.verdict.code,
                     "project": report.plan.get("project"), "dossier": report.plan.get("dossier"),
                     "fail": totals.get("fail", 0), "warn": totals.get("warn", 0),
                     "to_verify": totals.get("to_verify", 0), "exit_code": plan_code})
        if code != 2:
            code = max(code, plan_code)
    for path in write_batch_index(rows, out, lang.value if lang else "nl"):
        typer.echo(str(path)) if quiet else typer.echo(f"  → {path}")
    report_progress.done(code, None)
    raise typer.Exit(code)


@app.command()
def compare(
    old: Annotated[Path, typer.Argument(help="The earlier plan version.", metavar="OLD")],
    new: Annotated[Path, typer.Argument(help="The revised plan version.", metavar="NEW")],
    rules: Annotated[list[str] | None, typer.Option("--rules", "-r", help="Rule set name or folder (repeatable); default: all built-in sets.", metavar="SET")] = None,
    mapping: Annotated[str | None, typer.Option("--mapping", "-m", help="Mapping profile: nl, shapefile or a YAML file; osm, osw or cad-nl for OSM-tagged data, OpenSidewalks and DXF.", metavar="NAME")] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="CRS for files without one: 31370 or EPSG:31370.", metavar="CRS")] = None,
    date: Annotated[str | None, typer.Option("--date", help="Permit date: selects the rule versions in force.", metavar="DATE")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (default: inclusiecheck-compare).", metavar="FOLDER", show_default=False)] = Path("inclusiecheck-compare"),
    lang: Annotated[Lang, typer.Option("--lang", help="Language of compare.md and the summary: nl (default) or en.", metavar="LANG", show_default=False)] = Lang.nl,
) -> None:
    """Compare two versions of a plan: which findings were resolved, introduced or changed."""
    import json

    from inclusiecheck.api import check as run_check
    from inclusiecheck.api import compare as run_compare
    from inclusiecheck.output import write_report_set

    reports = [run_check(p, rules=rules, mapping_profile=mapping, crs=crs, date=date,
                         lang=lang.value) for p in (old, new)]
    result = run_compare(*reports)
    compare_json = (json.dumps(result, indent=2, ensure_ascii=False, sort_keys=True)
                    + "\n").encode()
    from inclusiecheck.report.viewmodel import humanize, load_catalogue

    nl = lang is Lang.nl
    t = load_catalogue(lang.value)

    def verdict(code: str) -> str:
        return t.get(f"verdict.{code}", code)

    def outcome(code: str) -> str:
        return t.get(f"outcome.{code}", code)

    def where(item: dict) -> str:
        return f"{t.get('layer.' + item['layer'], item['layer'])} {item['feature_id']}"

    lines = [f"# {t['compare.title']}", "",
             f"- {old}: {verdict(result['old']['verdict'])}",
             f"- {new}: {verdict(result['new']['verdict'])}", ""]
    for key in ("resolved", "introduced", "changed"):
        items = result[key]
        lines.append(f"## {t['compare.' + key]} ({len(items)})")
        lines.append("")
        for item in items:
            why = _compare_cause(item, nl)
            if key == "changed":
                lines.append(f"- {item['new']['rule_id']} {where(item['new'])}: "
                             f"{outcome(item['old']['outcome'])} → "
                             f"{outcome(item['new']['outcome'])}{why}")
            else:
                lines.append(f"- {item['rule_id']} {where(item)} "
                             f"({outcome(item['outcome'])}): {humanize(item['message'], t)}{why}")
        lines.append("")
    by_rule = sum(1 for key in ("resolved", "introduced", "changed") for item in result[key]
                  if item["cause"] != "plan")
    if by_rule:
        lines.append(f"{by_rule} " + ("wijziging(en) komen (ook) van een andere regelversie of "
                                      "regel, niet enkel van het plan (zie rules/CHANGELOG.md)."
                                      if nl else "change(s) come (also) from another rule version "
                                      "or rule, not only from the plan (see rules/CHANGELOG.md)."))
        lines.append("")
    write_report_set(out, [("compare.json", compare_json),
                           ("compare.md", "\n".join(lines).encode())])
    typer.echo("\n".join(lines[:5]))
    typer.echo(t["compare.summary"].format(
        resolved=len(result["resolved"]), introduced=len(result["introduced"]),
        changed=len(result["changed"]), unchanged=len(result["unchanged"]))
        + (f"; {by_rule} " + ("door een regelwijziging" if nl else "from a rule change")
           if by_rule else ""))
    typer.echo(f"  → {out / 'compare.json'}\n  → {out / 'compare.md'}")


@app.command()
def scan(
    plan: Annotated[Path, typer.Argument(help="The input: anything check reads (an OSM extract, a GTFS feed, a GeoPackage of a city's assets).", metavar="INPUT")],
    by: Annotated[str | None, typer.Option("--by", help="grid or grid:SIZE: square units of SIZE metres in the plan CRS (default grid:1000).", metavar="grid[:SIZE]")] = None,
    units: Annotated[Path | None, typer.Option("--units", help="Polygons that are the units (e.g. municipal boundaries), in any GIS file with a CRS.", metavar="FILE")] = None,
    unit_field: Annotated[str | None, typer.Option("--unit-field", help="With --units: the field that names each unit (e.g. NAAM or NISCODE).", metavar="NAME")] = None,
    halo: Annotated[float, typer.Option("--halo", help="Metres around a unit whose features the rules see as neighbours (default 600: the largest reach of the built-in rules).", metavar="M", show_default=False)] = 600.0,
    rules: Annotated[list[str] | None, typer.Option("--rules", "-r", help="Rule set name or folder (repeatable); default: all built-in sets.", metavar="SET")] = None,
    mapping: Annotated[str | None, typer.Option("--mapping", "-m", help="Mapping profile, as for check.", metavar="NAME")] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="CRS for files without one: 31370 or EPSG:31370.", metavar="CRS")] = None,
    date: Annotated[str | None, typer.Option("--date", help="Date that selects the rule versions in force (default: the input's permit date, else today).", metavar="DATE")] = None,
    complete_layers: Annotated[str | None, typer.Option("--complete-layers", help="Layers that hold every feature of their kind, as for check.", metavar="LAYERS")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (default: inclusiecheck-scan); also holds the resume state.", metavar="FOLDER", show_default=False)] = Path("inclusiecheck-scan"),
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the findings: nl (default) or en.", metavar="LANG", show_default=False)] = Lang.nl,
    list_all: Annotated[bool, typer.Option("--all", help="Also list passes and not-applicable outcomes in the findings GeoPackage.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar; print only the written paths.")] = False,
    progress: Annotated[ProgressMode | None, typer.Option("--progress", help="json: progress on stderr, one JSON object per line (as check; see docs/cli.md).", metavar="json")] = None,
) -> None:
    """Scan a large input unit by unit (grid cells or polygons such as municipalities): a
    findings GeoPackage and a summary per unit; a killed scan resumes where it stopped."""
    from inclusiecheck.scan import ScanOptions, TextBar, parse_by
    from inclusiecheck.scan import scan as run_scan

    if units is not None and by is not None:
        raise InputError("--by and --units exclude each other: grid cells or polygons")
    if unit_field is not None and units is None:
        raise InputError("--unit-field needs --units FILE")
    day = None
    if date is not None:
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            raise InputError(f"--date {date!r}: use YYYY-MM-DD") from None
    if not math.isfinite(halo):
        raise InputError(f"--halo {halo}: give a number of metres")
    options = ScanOptions(grid_m=None if units is not None else parse_by(by), units=units,
                          unit_field=unit_field, halo_m=halo,
                          rules=tuple(rules) if rules else None, mapping=mapping, crs=crs,
                          date=day, lang=lang.value, list_all=list_all,
                          meta=(("complete_layers", complete_layers),) if complete_layers else ())
    check_out_folder(out, [plan])
    if progress is ProgressMode.json:
        report = Progress(True, 1)

        def on_progress(event: dict) -> None:
            total = event.get("total") or 0
            fraction = {"read": 0.0, "write": 0.95, "written": 1.0}.get(
                event["stage"], 0.05 + 0.9 * event.get("done", 0) / total if total else 0.05)
            extra = {k: event[k] for k in ("unit", "done", "total", "files") if k in event}
            stage = "evaluate" if event["stage"] in ("units", "unit") else event["stage"]
            report.emit("progress", stage, fraction, event["message"], **extra)
    else:
        on_progress = TextBar(enabled=None if not quiet else False)

    def on_note(note: str) -> None:
        typer.echo(f"inclusiecheck: note: {one_line(note)}", err=True)

    result = run_scan(plan, out, options, progress=on_progress, note=on_note)
    if progress is ProgressMode.json:
        report.done(0, None)
    if quiet:
        for path in result.written:
            typer.echo(str(path))
        return
    typer.echo(f"{result.units} units ({result.resumed} finished before), {result.features} "
               f"features, {result.findings} findings, {result.seconds:.1f} s")
    if result.outside:
        typer.echo(f"{result.outside} features lie outside every unit: not judged, only seen "
                   "as neighbours of the units beside them")
    for path in result.written:
        typer.echo(one_line(f"  → {path}", 500))


def _compare_cause(item: dict, nl: bool) -> str:
    """What a compared finding's change comes from, when it is not (only) the plan."""
    cause = item["cause"]
    versions = item.get("rule_versions")
    if cause == "rule" and versions:
        return (f" (nieuwe regelversie {versions['old']} → {versions['new']}, plan ongewijzigd)"
                if nl else f" (new rule version {versions['old']} → {versions['new']}, "
                           "plan unchanged)")
    if cause == "rule_and_plan" and versions:
        return (f" (regelversie {versions['old']} → {versions['new']} én plan gewijzigd)"
                if nl else f" (rule version {versions['old']} → {versions['new']} and plan "
                           "changed)")
    if cause == "new_rule":
        return " (nieuwe regel)" if nl else " (new rule)"
    if cause == "removed_rule":
        return " (regel niet meer van kracht)" if nl else " (rule no longer in force)"
    return ""


def batch_folders(plans: list[Path]) -> list[str]:
    """A distinct output sub-folder name per plan: its stem, made unique with its parent's
    name (and a number) when two plans share a stem (``a/plan.gpkg``, ``b/plan.gpkg``)."""
    names: list[str] = []
    stems = [p.stem if p.stem != "" else p.name for p in plans]
    for plan, stem in zip(plans, stems):
        name = stem
        if stems.count(stem) > 1:
            name = f"{plan.resolve().parent.name}-{stem}"
        base, n = name, 2
        while name in names:
            name, n = f"{base}-{n}", n + 1
        names.append(name)
    return names


def write_batch_index(rows: list[dict[str, object]], out: Path, lang: str) -> list[Path]:
    """``batch.json`` and an accessible ``index.html`` listing every plan's verdict."""
    import html
    import json

    from inclusiecheck.output import write_report_set
    from inclusiecheck.report.viewmodel import load_catalogue

    nl = lang == "nl"
    t = load_catalogue(_ui_lang(lang))
    batch_json = (json.dumps({"plans": rows}, indent=2, ensure_ascii=False, sort_keys=True)
                  + "\n").encode("utf-8")
    e = html.escape
    title = "Inclusieadviezen: overzicht" if nl else "Inclusion advice: overview"
    head = ("Plan", "Dossier", "Oordeel" if nl else "Verdict", "niet voldaan" if nl else "fail",
            "aandachtspunt" if nl else "warn", "te controleren" if nl else "to verify")
    body = []
    for row in rows:
        if "error" in row:
            verdict = ("fout in invoer: " if nl else "input error: ") + str(row["error"])
            cells = [e(str(row["plan"])), "", e(verdict), "", "", ""]
        else:
            code = str(row["verdict"])
            label = t[f"verdict.{code}"].lower() if f"verdict.{code}" in t else code
            link = f'<a href="{e(str(row["folder"]))}/report.html">{e(str(row["plan"]))}</a>'
            cells = [link, e(str(row.get("dossier") or "")), e(label), str(row["fail"]),
                     str(row["warn"]), str(row["to_verify"])]
        body.append("<tr><th scope=\"row\">" + cells[0] + "</th>"
                    + "".join(f"<td>{c}</td>" for c in cells[1:]) + "</tr>")
    page = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{e(title)}</title><style>body{{font-family:system-ui,sans-serif;margin:2rem;"
            "color:#1a1a1a}table{border-collapse:collapse}th,td{border:1px solid #767676;"
            "padding:.3rem .6rem;text-align:left}a{color:#0645ad}</style></head><body><main>"
            f"<h1>{e(title)}</h1><table><caption>{e(title)}</caption><thead><tr>"
            + "".join(f'<th scope="col">{e(h)}</th>' for h in head)
            + "</tr></thead><tbody>" + "".join(body) + "</tbody></table></main></body></html>\n")
    return write_report_set(out, [("batch.json", batch_json),
                                  ("index.html", page.encode("utf-8"))])[:-1]


def sample_plan() -> Path:
    """The shipped sample plan (inside the package, or the repository's samples/)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "samples" / "marktplein", here.parent / "samples" / "marktplein"):
        if candidate.exists():
            return candidate
    raise InputError("the shipped sample plan was not found (broken install?)")


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (default: inclusiecheck-demo).", metavar="FOLDER", show_default=False)] = Path("inclusiecheck-demo"),
    lang: Annotated[Lang, typer.Option("--lang", help="Report language: nl (default) or en.", metavar="LANG", show_default=False)] = Lang.nl,
) -> None:
    """Check the shipped sample plan (a small Flemish square) and write its report."""
    from inclusiecheck.api import check as run_check

    plan = sample_plan()
    report = run_check(plan, lang=lang.value)
    written = write_outputs(report, out, ["html", "json", "geojson", "md"])
    print_summary(report, written)
    from inclusiecheck.report.viewmodel import load_catalogue

    typer.echo(load_catalogue(lang.value)["console.demo_done"].format(path=out.resolve()))


@app.command()
def init(
    plan: Annotated[Path, typer.Argument(help="The new plan GeoPackage, e.g. plan.gpkg (must not exist).", metavar="PLAN")],
) -> None:
    """Create an empty plan: a GeoPackage with every data-profile layer and field (EPSG:31370)
    and a commented plan.yaml beside it."""
    from inclusiecheck.planinit import init_plan

    for path in init_plan(plan):
        typer.echo(f"created {path}")


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


@app.command()
def formats() -> None:
    """List the output formats."""
    from inclusiecheck.report import available_formats

    for name, fmt in available_formats().items():
        typer.echo(f"{name:8} {fmt.filename:18} {fmt.description}")


# -- rules ---------------------------------------------------------------------------------------
class ListFormat(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"


#: columns of ``rules list --format json|csv`` (one row per rule version)
RULE_LIST_FIELDS = ("id", "rule_set", "rule_set_version", "version", "level", "pillar", "layers",
                    "title", "source_document", "source_article", "source_kind", "valid_from",
                    "valid_until")


@rules_app.command("list")
def rules_list(
    rules: Annotated[list[str] | None, typer.Option("--rules", "-r", help="Rule set name or folder (repeatable); default: all built-in sets.", metavar="SET")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the titles: nl (default) or en.", metavar="LANG", show_default=False)] = Lang.nl,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="text (default: one rule per line, fits the terminal), json or csv (every field).", metavar="FORMAT", show_default=False)] = ListFormat.text,
) -> None:
    """List the rules of the selected (default: all built-in) rule sets."""
    import csv
    import io
    import json
    import shutil

    from inclusiecheck.engine.loader import resolve_selectors

    rows: list[dict[str, Any]] = []
    for ruleset in resolve_selectors(rules):
        for rule in ruleset.rules:
            s = rule.spec
            rows.append({
                "id": s.id, "rule_set": rule.rule_set, "rule_set_version": rule.rule_set_version,
                "version": s.version, "level": s.level, "pillar": s.pillar,
                "layers": ", ".join(s.applies_to.layers), "title": s.title.get(lang.value),
                "source_document": s.source.document, "source_article": s.source.article,
                "source_kind": s.source.kind,
                "valid_from": s.valid_from.isoformat() if s.valid_from else None,
                "valid_until": s.valid_until.isoformat() if s.valid_until else None})
    if fmt is ListFormat.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if fmt is ListFormat.csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(RULE_LIST_FIELDS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        typer.echo(buffer.getvalue(), nl=False)
        return
    # text: one rule per line; the title is cut to the terminal width (the rest: --format)
    width = max(shutil.get_terminal_size((80, 24)).columns, 60)
    level = {"obligation": "V" if lang is Lang.nl else "O", "recommendation": "A" if lang is Lang.nl else "R"}
    id_width = max((len(r["id"]) for r in rows), default=5)
    current = None
    for row in rows:
        if row["rule_set"] != current:
            current = row["rule_set"]
            typer.echo(f"{current} {row['rule_set_version']}")
        valid = ""
        if row["valid_until"]:   # a superseded version: say until when it applies
            valid = f" [v{row['version']} ≤ {row['valid_until']}]"
        head = f"  {row['id']:<{id_width}} {level.get(row['level'], '?')} "
        room = width - len(head) - 1
        title = f"{row['title']}{valid}"
        typer.echo(head + (title if len(title) <= room else title[:room - 1] + "…"))
    typer.echo(f"{len(rows)} regels (V = verplichting, A = aanbeveling); alle velden: "
               "--format json|csv" if lang is Lang.nl else
               f"{len(rows)} rules (O = obligation, R = recommendation); every field: "
               "--format json|csv")


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(help="Rule id, e.g. VW-01", metavar="RULE")],
    rules: Annotated[list[str] | None, typer.Option("--rules", "-r", help="Rule set name or folder (repeatable); default: all built-in sets.", metavar="SET")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the title: nl (default) or en.", metavar="LANG", show_default=False)] = Lang.nl,
    date: Annotated[str | None, typer.Option("--date", help="Show the version in force on this date (default today).", metavar="DATE")] = None,
) -> None:
    """Show one rule (the version in force): metadata, source, check, parameters, texts."""
    import yaml

    from inclusiecheck.engine.loader import resolve_selectors

    try:
        day = dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError:
        raise InputError(f"--date {date!r}: use YYYY-MM-DD") from None
    for ruleset in resolve_selectors(rules):
        versions = [r for r in ruleset.rules if r.id == rule_id.upper()]
        current = [r for r in versions if r.spec.valid_on(day)] or versions[-1:]
        for rule in current:
            if rule.id == rule_id.upper():
                data = rule.spec.model_dump(mode="json", by_alias=True, exclude_none=True)
                data["check"]["params"] = rule.params.model_dump(mode="json", exclude_none=True)
                header = (f"# {rule.id} — {rule.spec.title.get(lang.value)}\n"
                          f"# set: {rule.rule_set} {rule.rule_set_version}; file: {rule.path}\n")
                if rule.modified_by:
                    header += f"# modified by: {', '.join(rule.modified_by)}\n"
                from inclusiecheck.engine.reach import describe

                header += f"# reach: {describe(rule)}\n"
                typer.echo(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
                return
    raise InputError(f"no rule {rule_id!r} in the selected rule sets")


def _warn_plugin_errors() -> None:
    """A warning section on stderr naming every plugin that failed to load (its check types
    or rule sets are missing)."""
    from inclusiecheck.engine.loader import plugin_load_errors

    errors = plugin_load_errors()
    if errors:
        typer.echo(f"warning: {len(errors)} plugin{'s' if len(errors) > 1 else ''} failed to "
                   "load; what they provide is not available:", err=True)
        for error in errors:
            typer.echo(f"  {one_line(str(error))}", err=True)


@rules_app.command("validate")
def rules_validate(
    path: Annotated[Path | None, typer.Argument(help="A rule-set folder, a folder of sets, or a rule folder; default: the built-in sets.", metavar="PATH", show_default=False)] = None,
) -> None:
    """Validate rule files: every schema error with its file and line.

    Plugins that failed to load are listed in a warning section (a rule that uses a check
    type of such a plugin is an error that names the plugin).
    """
    from inclusiecheck.engine.loader import builtin_rules_dir, validate_folder

    if path is None:
        path = builtin_rules_dir()

    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    from inclusiecheck.scaffold import todo_markers

    warnings: list = []
    problems, count = validate_folder(path, warnings)
    for problem in problems:
        typer.echo(str(problem), err=True)
    for warning in warnings:
        typer.echo(str(warning), err=True)
    _warn_plugin_errors()
    if problems:
        typer.echo(f"{len(problems)} problems in {path}", err=True)
        raise typer.Exit(1)
    todos = todo_markers(path)
    for file, line in todos[:20]:
        typer.echo(f"{file}:{line}: warning: TODO placeholder left to fill in", err=True)
    if len(todos) > 20:
        typer.echo(f"... and {len(todos) - 20} more TODO placeholders", err=True)
    typer.echo(f"{count} rules valid in {path}"
               + (f" ({len(todos)} TODO placeholders left)" if todos else ""))


@rules_app.command("test")
def rules_test(
    path: Annotated[Path | None, typer.Argument(help="A rule-set folder or a folder of sets; default: the built-in sets.", metavar="PATH", show_default=False)] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print every case, not only the failures.")] = False,
) -> None:
    """Run the pass/fail cases of every rule; prints 'N passed, N failed'."""
    from inclusiecheck.engine.loader import builtin_rules_dir
    from inclusiecheck.testing import run_cases

    if path is None:
        path = builtin_rules_dir()

    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    results = run_cases(path)
    failed = [r for r in results if not r.ok]
    for r in results:
        if verbose or not r.ok:
            mark = "ok  " if r.ok else "FAIL"
            typer.echo(f"{mark} {r.rule_id} {r.case} {r.feature_id}: expected {r.expected}, "
                       f"got {r.actual}" + (f" ({r.detail})" if r.detail else ""))
    typer.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    raise typer.Exit(1 if failed else 0)


@rules_app.command("migrate")
def rules_migrate(
    path: Annotated[Path, typer.Argument(help="A rule file, a rule folder, a rule-set folder or a folder of sets.", metavar="PATH", show_default=False)],
    write: Annotated[bool, typer.Option("--write", help="Rewrite the files (atomically); without it, print the changes as a unified diff.")] = False,
) -> None:
    """Rewrite rule files from the deprecated check types (lookup, conditional_threshold,
    threshold_by_code, mode_threshold; min_inclusive/max_inclusive) to threshold.

    Only the check: block changes; every other line, comment and key order stays. The
    outcomes stay the same; running it again changes nothing. Exit code 2 when a file cannot
    be read (the others are still migrated)."""
    from inclusiecheck.engine.migrate import migrate_path
    from inclusiecheck.output import write_atomic

    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    migrations, problems = migrate_path(path)
    for file, reason in problems:
        typer.echo(f"{file}: {reason}", err=True)
    changed = [m for m in migrations if m.changed]
    root = path if path.is_dir() else path.parent
    for migration in changed:
        if write:
            write_atomic(migration.path, migration.new.encode("utf-8"))
            typer.echo(f"migrated {migration.path}")
        else:
            typer.echo(migration.diff(root), nl=False)
    verb = "migrated" if write else "to migrate (dry run; --write rewrites them)"
    typer.echo(f"{len(changed)} of {len(migrations)} rule files {verb}", err=not write)
    if problems:
        raise typer.Exit(2)


@rules_app.command("docs")
def rules_docs(
    path: Annotated[Path | None, typer.Argument(help="Rule-set folder(s) root; default: the built-in sets.", metavar="PATH", show_default=False)] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("rule-docs"),
) -> None:
    """Generate the rule reference (Markdown and HTML, Dutch and English) from rule files."""
    from inclusiecheck.docs_gen import write_rule_docs
    from inclusiecheck.engine.loader import resolve_selectors
    from inclusiecheck.testing import rulesets_at

    sets = rulesets_at(path) if path is not None else resolve_selectors(None)
    for written in write_rule_docs(sets, out):
        typer.echo(str(written))


@rules_app.command("schema")
def rules_schema(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for rule/ruleset/cases JSON Schemas.")] = Path("schemas"),
    builtin_only: Annotated[bool, typer.Option("--builtin-only", help="Only the built-in check types' parameters (as in docs/schemas).")] = False,
) -> None:
    """Write JSON Schemas of the rule files (for editor validation of YAML).

    Point VS Code's YAML extension at them with a first line such as
    ``# yaml-language-server: $schema=schemas/rule.schema.json``.
    """
    import json

    from inclusiecheck.docs_gen import rule_json_schemas
    from inclusiecheck.output import write_atomic

    for name, schema in rule_json_schemas(builtin_only).items():
        path = out / f"{name}.schema.json"
        write_atomic(path, (json.dumps(schema, indent=2, ensure_ascii=False) + "\n").encode())
        typer.echo(str(path))


@rules_app.command("checks")
def rules_checks(
    builtin_only: Annotated[bool, typer.Option("--builtin-only", help="Leave out the check types of installed plugins.")] = False,
    write: Annotated[Path | None, typer.Option("--write", help="Update the generated section of this Markdown file (e.g. docs/check-types.md) instead of printing.")] = None,
) -> None:
    """Print every check type and its parameters (Markdown), as in docs/check-types.md.

    Plugins that failed to load are listed in a warning section on stderr.
    """
    from inclusiecheck.docs_gen import check_types_markdown, replace_generated
    from inclusiecheck.output import write_atomic

    text = check_types_markdown(builtin_only=builtin_only)
    if write is None:
        typer.echo(text, nl=False)
        _warn_plugin_errors()
        return
    _warn_plugin_errors()
    if not write.is_file():
        raise InputError(f"{write}: no such file")
    old = write.read_text(encoding="utf-8")
    try:
        updated = replace_generated(old, text)
    except ValueError:
        raise InputError(f"{write}: no GENERATED markers to replace") from None
    write_atomic(write, updated.encode("utf-8"))
    typer.echo(f"{write}: {'updated' if updated != old else 'up to date'}")


@rules_app.command("new")
def rules_new(
    path: Annotated[Path, typer.Argument(help="The rule-set folder (with --set: the folder to create, or its parent).", metavar="PATH")],
    rule_id: Annotated[str | None, typer.Option("--id", help="Rule id, e.g. GENT-01 (capitals, dash, number).")] = None,
    layer: Annotated[str, typer.Option("--layer", help="The data-profile layer the rule applies to.")] = "walkway",
    check_name: Annotated[str, typer.Option("--check", help="Check type to scaffold: threshold, presence, enumeration or manual.")] = "threshold",
    prop: Annotated[str | None, typer.Option("--property", help="Attribute the check judges (default: the layer's first fitting one).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Dotted rule name (default: layer.property_min).")] = None,
    slug: Annotated[str | None, typer.Option("--slug", help="Folder name after the id (default from the property).")] = None,
    set_name: Annotated[str | None, typer.Option("--set", help="Create a new rule set of this name (ruleset.yaml) first.")] = None,
    extends: Annotated[list[str] | None, typer.Option("--extends", help="With --set: the set(s) the new set extends (repeatable).")] = None,
    publisher: Annotated[str | None, typer.Option("--publisher", help="With --set: who publishes the set.")] = None,
    schema: Annotated[str | None, typer.Option("--schema-base", help="Base URL or path of the JSON Schemas for the editor line.")] = None,
) -> None:
    """Scaffold a rule with its test cases (and, with --set, a new rule set).

    The new rule is valid and its cases pass as written; fill in the TODO texts and the
    source, adjust the limit, then run 'rules validate' and 'rules test'.
    """
    from inclusiecheck.scaffold import SCHEMA_BASE_URL, new_rule, new_rule_set

    base = schema or SCHEMA_BASE_URL
    folder = path
    if extends and not set_name:
        raise InputError("--extends needs --set NAME (it describes a new rule set)")
    if set_name:
        if (path / "ruleset.yaml").is_file():
            raise InputError(f"{path} already holds a rule set; leave out --set to add a rule")
        folder = path if path.name == set_name else path / set_name
        written = [new_rule_set(folder, set_name, extends=list(extends or []),
                                publisher=publisher, schema_base=base)]
    elif rule_id is None:
        raise InputError("give --id for the new rule (and --set NAME to create a new set)")
    else:
        written = []
    if rule_id is not None:
        written += new_rule(folder, rule_id, layer, check_name, prop=prop, name=name, slug=slug,
                            schema_base=base)
    for item in written:
        typer.echo(f"created {item}")
    typer.echo(f"next: fill in the TODO texts and the source, then\n"
               f"  inclusiecheck rules validate {folder}\n"
               f"  inclusiecheck rules test {folder} -v")


def _usage_error(exc: Exception) -> None:
    """A click usage error as one line: the message and where to find the usage."""
    format_message = getattr(exc, "format_message", None)
    message = format_message() if callable(format_message) else str(exc)
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None) if ctx is not None else None
    hint = f" (see '{path} --help')" if path else ""
    _err(f"{message}{hint}")


def main() -> None:
    """Console entry point: input errors are one line on stderr and exit code 2."""
    try:
        code = app(standalone_mode=False)
    except InputError as exc:
        _err(str(exc))
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        _err("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
    except SystemExit:
        raise
    except OSError as exc:  # the file system refused (permissions, disk full): not a bug
        where = exc.filename if isinstance(exc.filename, str) else None
        reason = exc.strerror or str(exc) or type(exc).__name__
        _err(f"{where}: {reason}" if where else reason)
        sys.exit(2)
    except Exception as exc:  # click usage errors and anything unforeseen: one line
        # typer vendors its own click: recognise usage errors by their interface
        usage_code = getattr(exc, "exit_code", None)
        if callable(getattr(exc, "show", None)) and isinstance(usage_code, int):
            _usage_error(exc)
            sys.exit(usage_code)
        _err(f"internal error: {type(exc).__name__}: {exc} (please report this)")
        sys.exit(3)
    finally:
        from inclusiecheck.output import release_unused

        release_unused()
    sys.exit(code if isinstance(code, int) else 0)


class _Kept:
    """Under :func:`run` (the console script), the last report written: it stays referenced
    until the process ends, so that its findings are not freed one by one as the command
    returns (a batch holds one plan's report at a time, as without it)."""

    active = False
    report: Report | None = None


def _keep_until_exit(report: Report) -> None:
    if _Kept.active:
        _Kept.report = report


def run() -> None:
    """The console script (``inclusiecheck``, ``python -m inclusiecheck``): :func:`main`,
    then the process ends with its exit code without tearing down its heap.

    Freeing a large check's objects one by one (every finding and its texts, the plan's
    features) as the command returns and the interpreter shuts down took 0.36 s of the
    12 s CPU of a 60,000-feature plan, for nothing: the report is written. So the last
    report stays referenced (:class:`_Kept`), and once stdout and stderr are flushed and
    the ``atexit`` handlers have run (the lock files, temporary folders, multiprocessing's),
    the process ends at once (``os._exit``), as mypy's does. When another thread is still
    alive, or the exit status is not a number, the interpreter ends as usual (it waits for
    the thread), and so it does under a profiler or tracer. :func:`main` itself only raises
    ``SystemExit``: callers that embed it (tests, benchmarks) keep their process."""
    _Kept.active = True
    try:
        main()
    except SystemExit as exc:
        code = exc.code
        if code is not None and not isinstance(code, int):
            raise
        _hard_exit(code or 0)
    _hard_exit(0)


def _flush_std_streams() -> bool:
    """Flush stdout and stderr; False when stdout could not be written (a closed pipe, a
    full disk)."""
    written = True
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except AttributeError:   # no such stream (pythonw)
            pass
        except (OSError, ValueError) as exc:
            if stream is sys.stdout:
                written = False
                if not isinstance(exc, BrokenPipeError):   # (a reader that stopped: quiet)
                    with contextlib.suppress(AttributeError, OSError, ValueError):
                        sys.stderr.write(f"inclusiecheck: error: cannot write the standard "
                                         f"output: {exc}\n")
                        sys.stderr.flush()
    return written


def _hard_exit(code: int) -> None:
    """End the process with ``code`` as :func:`run` describes: ``sys.exit`` while another
    thread is alive or a profiler or tracer (cProfile, coverage, a debugger) runs, which
    writes its data as the interpreter ends. Like the interpreter's own end, exit status 120
    instead of 0 when stdout could not be flushed."""
    import atexit
    import os
    import threading

    if threading.active_count() > 1 or sys.getprofile() is not None \
            or sys.gettrace() is not None:
        sys.exit(code)
    written = _flush_std_streams()
    atexit._run_exitfuncs()
    written = _flush_std_streams() and written   # (what a handler printed)
    os._exit(code if written or code else 120)


if __name__ == "__main__":  # pragma: no cover
    run()
