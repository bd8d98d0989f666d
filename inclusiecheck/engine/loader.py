"""Finding, loading, validating and resolving rule sets.

A rule set is a folder with ``ruleset.yaml`` and one sub-folder per rule holding ``rule.yaml``
(and its ``cases/``). Sets are found in the built-in rules folder, in folders given by path,
and in installed packages through the ``inclusiecheck.rulesets`` entry-point group (an entry
point names a function returning the folder of one set, or of several sets). A set may
``extend`` others: it inherits their rules, may override parameters, switch rules off, raise a
level, and add rules; the report says which set and version each rule came from.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from collections.abc import Iterable

from pydantic import BaseModel, ValidationError

from inclusiecheck.engine import checks
from inclusiecheck.engine.checks.api import CheckParams, CheckType
from inclusiecheck.engine.conditions import condition_problems
from inclusiecheck.engine.schema import Rule, RuleOverride, RuleSetSpec
from inclusiecheck.engine.yamlio import YamlFileError, line_of, load_yaml
from inclusiecheck.model import InputError
from inclusiecheck.model.profile import LAYER_MODELS
from inclusiecheck.registry import LoadError, Registry

ENTRY_POINT_GROUP = "inclusiecheck.rulesets"
RULESET_FILE = "ruleset.yaml"
RULE_FILE = "rule.yaml"


@dataclass(frozen=True, slots=True)
class Problem:
    """A rule-file problem with its place, for ``rules validate``."""

    file: Path
    line: int | None
    message: str
    #: ``warning``: shown by ``rules validate``, never a reason to refuse the rule set
    severity: str = "error"

    def __str__(self) -> str:
        line = f":{self.line}" if self.line else ""
        kind = "warning: " if self.severity == "warning" else ""
        return f"{self.file}{line}: {kind}{self.message}"


class RuleSetError(InputError):
    """One or more problems in rule files."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0])
        more = f" (and {len(problems) - 1} more problems; run 'inclusiecheck rules validate')" \
            if len(problems) > 1 else ""
        super().__init__(first + more)


@dataclass(frozen=True, slots=True)
class LoadedRule:
    """A validated rule bound to its check type and validated parameters."""

    spec: Rule
    check: CheckType
    params: CheckParams
    rule_set: str
    rule_set_version: str
    path: Path
    defined_in: str
    #: sets that changed this rule through ``overrides`` (outermost last)
    modified_by: tuple[str, ...] = ()
    #: the ``note`` of the last override (why the municipality changed it)
    override_note: str | None = None
    #: the legal scope figures of the set that defines the rule (``scope_parameters``)
    scope_parameters: tuple[tuple[str, float], ...] = ()

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def folder(self) -> Path:
        return self.path.parent


def run_order(rules: Iterable[LoadedRule]) -> list[LoadedRule]:
    """``rules`` in the order they must run: a rule whose check reads other rules' outcomes
    (``params.reads()``, e.g. ``any_compliant``) runs after every rule it reads; otherwise the
    given order is kept (a stable sort on the depth of reading; a cycle is cut, not looped)."""
    rules = list(rules)
    by_id: dict[str, list[LoadedRule]] = {}
    for rule in rules:
        by_id.setdefault(rule.id, []).append(rule)
    depth: dict[str, int] = {}

    def depth_of(rule_id: str, seen: frozenset[str]) -> int:
        if rule_id in depth:
            return depth[rule_id]
        reads = {r for rule in by_id.get(rule_id, ()) for r in rule.params.reads()
                 if r in by_id and r not in seen}
        value = 1 + max((depth_of(r, seen | {rule_id}) for r in reads), default=-1)
        depth[rule_id] = value
        return value

    return sorted(rules, key=lambda rule: depth_of(rule.id, frozenset()))


@dataclass(slots=True)
class RuleSet:
    spec: RuleSetSpec
    path: Path
    rules: list[LoadedRule] = field(default_factory=list)
    origin: str = "path"
    #: every set this one extends, directly or through its bases: name -> version
    bases: dict[str, str] = field(default_factory=dict)
    #: ids of rules switched off (``enabled: false``, own or through ``overrides``)
    disabled: list[str] = field(default_factory=list)
    #: custom attributes declared by this set and the sets it extends (``attributes:``)
    attributes: frozenset[str] = frozenset()
    #: warnings of ``rules validate`` (unknown attribute names), never a reason to refuse
    warnings: list[Problem] = field(default_factory=list)

    def provenance(self) -> dict[str, Any]:
        """What the report says about where this set's rules come from: the sets it extends
        (with versions), the rules it overrides and the rules it switches off."""
        out: dict[str, Any] = {}
        if self.bases:
            out["bases"] = [{"name": n, "version": v} for n, v in sorted(self.bases.items())]
        changed = sorted({r.id for r in self.rules if self.name in r.modified_by})
        if changed:
            out["overridden_rules"] = changed
        if self.disabled:
            out["disabled_rules"] = sorted(self.disabled)
        return out

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def version(self) -> str:
        return self.spec.version


# -- discovery ---------------------------------------------------------------------------------
def builtin_rules_dir() -> Path:
    """The folder of the built-in rule sets: inside the installed package (wheel), or the
    repository's top-level ``rules/`` in a development checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "rules"
    if packaged.is_dir():
        return packaged
    return here.parent / "rules"


_SPEC_CACHE: dict[Path, tuple[tuple[int, int], Any]] = {}


def _ruleset_data(path: Path) -> Any:
    """The parsed ``ruleset.yaml`` at ``path``, read once per file version (cached by
    modification time and size: discovery and loading would otherwise both read it)."""
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size)
    hit = _SPEC_CACHE.get(path)
    if hit is not None and hit[0] == key:
        return hit[1]
    data = load_yaml(path)
    _SPEC_CACHE[path] = (key, data)
    return data


def _sets_below(folder: Path) -> dict[str, Path]:
    """Rule sets in ``folder`` itself or its direct sub-folders: ``name -> folder``."""
    found: dict[str, Path] = {}
    if (folder / RULESET_FILE).is_file():
        found[_set_name(folder)] = folder
        return found
    if folder.is_dir():
        for child in sorted(folder.iterdir()):
            if (child / RULESET_FILE).is_file():
                found[_set_name(child)] = child
    return found


def _set_name(folder: Path) -> str:
    try:
        data = _ruleset_data(folder / RULESET_FILE)
    except InputError:
        return folder.name  # the error is reported when the set is loaded
    if isinstance(data, dict) and isinstance(data.get("name"), str):
        return data["name"]
    return folder.name


@dataclass(frozen=True, slots=True)
class RuleSetSource:
    """What a rule-set plugin gives: the folder of one set or of several sets."""

    #: the entry point's name
    name: str
    folder: Path
    #: the distribution that provides it
    origin: str


def _ruleset_sources(ep: Any, target: Any) -> list[RuleSetSource]:
    folder = Path(target() if callable(target) else target)
    return [RuleSetSource(ep.name, folder, ep.dist.name if ep.dist is not None else ep.name)]


#: the folders of the rule-set plugins (entry-point group ``inclusiecheck.rulesets``), loaded
#: once, on first use; the ones that failed are in ``RULESET_PLUGINS.load_errors``
RULESET_PLUGINS: Registry[RuleSetSource] = Registry(
    "rule-set folder", entry_points=ENTRY_POINT_GROUP, plugin_kind="rule-set plugin",
    plugin_items=_ruleset_sources,
    name_of=lambda source: f"{source.origin}:{source.name}")


def plugin_load_errors() -> list[LoadError]:
    """The plugins (check types and rule sets) that failed to load, for ``rules checks`` and
    ``rules validate`` to show."""
    checks.CHECKS.load()
    RULESET_PLUGINS.load()
    return [*checks.CHECKS.load_errors, *RULESET_PLUGINS.load_errors]


def discover() -> dict[str, tuple[Path, str]]:
    """All rule sets known by name: ``name -> (folder, origin)`` (origin ``builtin`` or the
    distribution that provides it)."""
    known: dict[str, tuple[Path, str]] = {}
    for name, path in _sets_below(builtin_rules_dir()).items():
        known[name] = (path, "builtin")
    for source in RULESET_PLUGINS.values():
        folder, dist = source.folder, source.origin
        for name, path in _sets_below(folder).items():
            if name in known and known[name][0].resolve() == path.resolve():
                continue
            known.setdefault(name, (path, dist))
    return known


def default_set_names() -> list[str]:
    """The sets run when the user names none: every built-in set marked ``default``."""
    names = []
    for name, (path, origin) in discover().items():
        if origin == "builtin":
            spec = _read_set_spec(path, [])
            if spec is not None and spec.default:
                names.append(name)
    return sorted(names)


# -- validation helpers ------------------------------------------------------------------------
def _suggest(key: str, model: type[BaseModel]) -> str:
    names = [f.alias or n for n, f in model.model_fields.items()]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(names)}"


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that holds the last key of ``loc`` (for typo suggestions)."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return None
        annotation = fields[part].annotation
        current = _unwrap_model(annotation)
        if current is None:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap_model(annotation: Any) -> Any:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _unwrap_model(arg)
        if found is not None:
            return found
    return None


def _problems_from(exc: ValidationError, path: Path, model: type[BaseModel],
                   prefix: tuple[Any, ...] = ()) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        full = prefix + loc
        where = ".".join(str(p) for p in full) or "(top)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden" and loc:
            holder = _model_at(model, loc)
            hint = _suggest(str(loc[-1]), holder) if holder else ""
            msg = f"unknown key {loc[-1]!r}{hint}"
        elif err["type"] == "missing":
            msg = "required key is missing"
        problems.append(Problem(path, line_of(path, full), f"{where}: {msg}"))
    return problems


def _yaml_problem(exc: InputError, path: Path) -> Problem:
    if isinstance(exc, YamlFileError):
        return Problem(exc.path, exc.line, exc.problem)
    return Problem(path, None, str(exc).split(": ", 1)[-1])


def _read_set_spec(folder: Path, problems: list[Problem]) -> RuleSetSpec | None:
    path = folder / RULESET_FILE
    try:
        data = _ruleset_data(path)
    except InputError as exc:
        problems.append(_yaml_problem(exc, path))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(path, 1, "ruleset.yaml must be a mapping"))
        return None
    not_finite = _non_finite_problems(data, path)
    if not_finite:
        problems.extend(not_finite)
        return None
    try:
        return RuleSetSpec.model_validate(data)
    except ValidationError as exc:
        problems.extend(_problems_from(exc, path, RuleSetSpec))
        return None


def bind_rule(spec: Rule, path: Path, problems: list[Problem],
              params_override: dict[str, Any] | None = None, *,
              params_loc: tuple[Any, ...] = ("check", "params"),
              semantic: bool = True) -> tuple[CheckType, CheckParams] | None:
    """Resolve the check type of a rule and validate its parameters against it.

    ``params_loc`` is where the parameters sit in ``path`` (for error lines: an override's
    parameters live in ``ruleset.yaml``); ``semantic`` adds the checks beyond the schema
    (layer, scope, placeholders, conditions).
    """
    try:
        check = checks.get(spec.check.type)
    except InputError as exc:
        problems.append(Problem(path, line_of(path, ("check", "type")), f"check.type: {exc}"))
        return None
    if semantic:
        problems.extend(semantic_problems(spec, path))
        problems.extend(placeholder_problems(spec, path, check))
        for section in ("where", "plan"):
            for loc, message in condition_problems(getattr(spec.applies_to, section),
                                                   ("applies_to", section)):
                problems.append(Problem(path, line_of(path, loc),
                                        f"{'.'.join(str(p) for p in loc)}: {message}"))
    params = dict(spec.check.params)
    if params_override:
        params.update(params_override)
    try:
        bound = check.params.model_validate(params)
    except ValidationError as exc:
        problems.extend(_problems_from(exc, path, check.params, params_loc))
        return None
    if spec.check.lenient:
        try:
            check.params.model_validate({**params, **spec.check.lenient})
        except ValidationError as exc:
            problems.extend(_problems_from(exc, path, check.params, ("check", "lenient")))
            return None
    return check, bound


def scope_parameters(rules: Iterable[LoadedRule]) -> dict[str, float]:
    """The legal scope figures for a run: those of the built-in toegankelijkheidsverordening
    set, updated by the sets of the rules in force (a set that states them)."""
    out = dict(_builtin_scope_parameters())
    for rule in rules:
        out.update(dict(rule.scope_parameters))
    return out


@functools.cache
def _builtin_scope_parameters() -> dict[str, float]:
    """Read once per process; callers copy the table."""
    path = builtin_rules_dir() / "toegankelijkheidsverordening" / RULESET_FILE
    if not path.is_file():
        return {}
    try:
        return dict(RuleSetSpec.model_validate(load_yaml(path)).scope_parameters)
    except Exception:  # pragma: no cover - the built-in set is validated by its tests
        return {}


_TEMPLATE_FIELD = re.compile(r"\{([^{}\s]*)\}")
_PLAIN_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def attribute_name_problems(spec: Rule, path: Path, declared: Iterable[str] = ()
                            ) -> tuple[list[Problem], list[Problem]]:
    """Errors and warnings about the attribute names the rule uses (see
    :mod:`inclusiecheck.engine.attributes`)."""
    from inclusiecheck.engine.attributes import problems_with_lines

    errors, warnings = [], []
    for line, message, is_error in problems_with_lines(spec, path, declared):
        if is_error:
            errors.append(Problem(path, line, message))
        else:
            warnings.append(Problem(path, line, message, "warning"))
    return errors, warnings


def deprecation_warnings(spec: Rule, path: Path) -> list[Problem]:
    """Warnings about deprecated check types and parameters (they still load and run the same;
    ``inclusiecheck rules migrate`` rewrites them)."""
    from inclusiecheck.engine.migrate import deprecations

    return [Problem(path, line_of(path, loc), message, "warning")
            for loc, message in deprecations(spec.check.type, dict(spec.check.params))]


def semantic_problems(spec: Rule, path: Path) -> list[Problem]:
    """Checks beyond the schema: known layers and scopes, plain message placeholders."""
    from inclusiecheck.engine.scopes import SCOPES

    problems = []
    for layer in spec.applies_to.layers:
        if layer not in LAYER_MODELS:
            close = difflib.get_close_matches(layer, list(LAYER_MODELS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else \
                f"; layers of the data profile: {', '.join(LAYER_MODELS)}"
            problems.append(Problem(path, line_of(path, ("applies_to", "layer")),
                                    f"applies_to.layer: unknown layer {layer!r}{hint}"))
    scope = spec.applies_to.scope
    if scope is not None and scope not in SCOPES:
        problems.append(Problem(path, line_of(path, ("applies_to", "scope")),
                                f"applies_to.scope: {SCOPES.unknown_message(scope)}"))
    for loc, text in _message_texts(spec):
        for lang in ("nl", "en"):
            for name in _TEMPLATE_FIELD.findall(getattr(text, lang)):
                if not _PLAIN_NAME.match(name):
                    problems.append(Problem(
                        path, line_of(path, (*loc, lang)),
                        f"{'.'.join(loc)}.{lang}: placeholder {{{name}}} is not a plain name; "
                        "use names such as {measured}, {required}, {unit}, {feature_id}"))
    return problems


#: values every finding offers its message templates (see the evaluator)
BASE_PLACEHOLDERS = frozenset({"feature_id", "layer", "property", "measured", "required",
                               "unit", "missing"})
_DATA_KEY = re.compile(r"""["']([a-z_][a-z0-9_]*)["']\s*:""")
_DATA_KEYS: dict[str, frozenset[str] | None] = {}


def _module_keys(module_name: str) -> frozenset[str] | None:
    """Every ``"name":`` dict key written in a check module's source: a superset of the
    ``data`` values its results carry (``None`` when the source is not available)."""
    if module_name not in _DATA_KEYS:
        import importlib
        import inspect

        try:
            source = inspect.getsource(importlib.import_module(module_name))
        except (ImportError, OSError, TypeError):
            _DATA_KEYS[module_name] = None
        else:
            _DATA_KEYS[module_name] = frozenset(_DATA_KEY.findall(source))
    return _DATA_KEYS[module_name]


def known_placeholders(check: CheckType) -> frozenset[str] | None:
    """The placeholders a rule of ``check`` may use: the values of every finding, the check's
    parameters and the values its results carry; ``None`` when they cannot be known (a
    plugin without source)."""
    module_keys = _module_keys(getattr(check.func, "__module__", "") or "")
    if module_keys is None:
        return None
    shared = _module_keys("inclusiecheck.engine.checks.api") or frozenset()
    return BASE_PLACEHOLDERS | frozenset(check.params.model_fields) | module_keys | shared


def placeholder_problems(spec: Rule, path: Path, check: CheckType) -> list[Problem]:
    """Message placeholders no finding of this check fills (they would print literally)."""
    known = known_placeholders(check)
    if known is None:
        return []
    problems = []
    for loc, text in _message_texts(spec):
        for lang in ("nl", "en"):
            for name in sorted(set(_TEMPLATE_FIELD.findall(getattr(text, lang)))):
                if _PLAIN_NAME.match(name) and name not in known:
                    close = difflib.get_close_matches(name, sorted(known), n=1)
                    hint = f"did you mean {{{close[0]}}}?" if close else \
                        "use {measured}, {required}, {unit}, {feature_id} or a check parameter"
                    problems.append(Problem(
                        path, line_of(path, (*loc, lang)),
                        f"{'.'.join(loc)}.{lang}: unknown placeholder {{{name}}} (check type "
                        f"{check.name} does not fill it; it would print literally); {hint}"))
    return problems


def _message_texts(spec: Rule) -> list[tuple[tuple[str, ...], Any]]:
    texts: list[tuple[tuple[str, ...], Any]] = [(("message",), spec.message),
                                                (("advice",), spec.advice)]
    if spec.messages is not None:
        for key in ("fail", "warn", "to_verify", "pass"):
            texts.append((("messages", key), getattr(spec.messages, key.replace("pass",
                                                                                "pass_"))))
    return [(loc, text) for loc, text in texts if text is not None]


def non_finite_numbers(data: Any, loc: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], float]]:
    """Where a rule file holds ``.nan`` or ``.inf`` (a limit no value can be compared with:
    ``min: .nan`` would pass everything). Walked without recursion."""
    found = []
    stack: list[tuple[tuple[Any, ...], Any]] = [(loc, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            found.append((where, value))
        elif isinstance(value, dict):
            stack.extend(((*where, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*where, i), v) for i, v in enumerate(value))
    return sorted(found, key=lambda item: [str(p) for p in item[0]])


def _non_finite_problems(data: Any, path: Path) -> list[Problem]:
    return [Problem(path, line_of(path, where),
                    f"{'.'.join(str(p) for p in where)}: {value!r} is not a finite number")
            for where, value in non_finite_numbers(data)]


def load_rule_file(path: Path, problems: list[Problem]) -> Rule | None:
    """Read and validate one ``rule.yaml`` (problems are appended, ``None`` returned)."""
    try:
        data = load_yaml(path)
    except InputError as exc:
        problems.append(_yaml_problem(exc, path))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(path, 1, "rule.yaml must be a mapping"))
        return None
    not_finite = _non_finite_problems(data, path)
    if not_finite:
        problems.extend(not_finite)
        return None
    try:
        return Rule.model_validate(data)
    except ValidationError as exc:
        problems.extend(_problems_from(exc, path, Rule))
        return None


def rule_files(folder: Path) -> list[Path]:
    """The rule files of a set folder, in a stable order."""
    return sorted(p for p in folder.glob(f"*/{RULE_FILE}") if p.is_file())


# -- loading -----------------------------------------------------------------------------------
def load_set(folder: Path, *, known: dict[str, tuple[Path, str]] | None = None,
             origin: str = "path", problems: list[Problem] | None = None,
             _stack: tuple[str, ...] = (),
             _cache: dict[Path, RuleSet | None] | None = None) -> RuleSet | None:
    """Load one rule set (resolving what it extends). Problems are collected in ``problems``
    when given, else raised as one :class:`RuleSetError`.

    ``_cache`` (folder -> loaded set) lets several sets share one load of a common base set,
    so its rules are read once and its problems reported once.
    """
    collect = problems is not None
    problems = problems if problems is not None else []
    cache = _cache if _cache is not None else {}
    key = folder.resolve()
    if key in cache and not _stack_has(cache[key], _stack):
        ruleset = cache[key]
        if problems and not collect:
            raise RuleSetError(problems)
        return ruleset
    ruleset = _load_set(folder, known if known is not None else discover(), origin, problems,
                        _stack, cache)
    if ruleset is not None or not _stack:
        cache[key] = ruleset
    if problems and not collect:
        raise RuleSetError(problems)
    return ruleset


def _stack_has(ruleset: RuleSet | None, stack: tuple[str, ...]) -> bool:
    return ruleset is not None and ruleset.name in stack


def _load_set(folder: Path, known: dict[str, tuple[Path, str]], origin: str,
              problems: list[Problem], stack: tuple[str, ...],
              cache: dict[Path, RuleSet | None]) -> RuleSet | None:
    set_file = folder / RULESET_FILE
    spec = _read_set_spec(folder, problems)
    if spec is None:
        return None
    if spec.name in stack:
        problems.append(Problem(set_file, line_of(set_file, ("extends",)),
                                f"rule set {spec.name!r} extends itself (cycle: "
                                f"{' -> '.join([*stack, spec.name])})"))
        return None
    ruleset = RuleSet(spec=spec, path=folder, origin=origin,
                      attributes=frozenset(spec.attributes))
    inherited_versions: dict[str, list[LoadedRule]] = {}
    base_of: dict[str, str] = {}
    for i, base_name in enumerate(spec.extends):
        if base_name not in known:
            close = difflib.get_close_matches(base_name, list(known), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(Problem(set_file, line_of(set_file, ("extends", i)),
                                    f"extends unknown rule set {base_name!r}; {hint}known: "
                                    f"{', '.join(sorted(known))}"))
            continue
        base_path, base_origin = known[base_name]
        base = load_set(base_path, known=known, origin=base_origin, problems=problems,
                        _stack=(*stack, spec.name), _cache=cache)
        if base is None:
            continue
        ruleset.bases[base.name] = base.version
        ruleset.bases.update(base.bases)
        ruleset.attributes |= base.attributes
        for rule in base.rules:
            inherited_versions.setdefault(rule.id, []).append(rule)
            base_of.setdefault(rule.id, base.name)
    own: dict[str, list[LoadedRule]] = {}
    for path in rule_files(folder):
        rule_spec = load_rule_file(path, problems)
        if rule_spec is None:
            continue
        if rule_spec.id in inherited_versions:
            problems.append(Problem(path, line_of(path, ("id",)),
                                    f"rule id {rule_spec.id} is already defined in base set "
                                    f"{base_of[rule_spec.id]!r}; change it under 'overrides:' "
                                    f"in {RULESET_FILE}, or give this rule its own id"))
            continue
        clash = next((r for r in own.get(rule_spec.id, []) if _overlap(r.spec, rule_spec)), None)
        if clash is not None:
            problems.append(Problem(path, line_of(path, ("id",)),
                                    f"duplicate rule id {rule_spec.id} (also in {clash.path}); "
                                    "versions of one rule need valid_from/valid_until periods "
                                    "that do not overlap"))
            continue
        bound = bind_rule(rule_spec, path, problems)
        if bound is None:
            continue
        errors, warnings = attribute_name_problems(rule_spec, path, ruleset.attributes)
        ruleset.warnings.extend(warnings)
        ruleset.warnings.extend(deprecation_warnings(rule_spec, path))
        if errors:
            problems.extend(errors)
            continue
        own.setdefault(rule_spec.id, []).append(
            LoadedRule(rule_spec, bound[0], bound[1], spec.name, spec.version, path, spec.name,
                       scope_parameters=tuple(sorted(spec.scope_parameters.items()))))
    for rule_id, override in spec.overrides.items():
        pool = own if rule_id in own else inherited_versions
        targets = pool.get(rule_id)
        if not targets:
            close = difflib.get_close_matches(rule_id, [*inherited_versions, *own], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            where = (f" (the sets it extends: {', '.join(spec.extends)})" if spec.extends
                     else " (this set extends no other set)")
            problems.append(Problem(set_file, line_of(set_file, ("overrides", rule_id)),
                                    f"overrides unknown rule {rule_id!r}{hint}{where}"))
            continue
        updated = [_apply_override(t, override, spec, set_file, problems, ruleset.attributes,
                                   ruleset.warnings) for t in targets]
        pool[rule_id] = [u for u in updated if u is not None]
    merged = {**inherited_versions, **own}
    for versions in own.values():
        for rule in versions:
            for i, read_id in enumerate(rule.params.reads()):
                if read_id == rule.id or read_id not in merged:
                    why = "itself" if read_id == rule.id else f"unknown rule {read_id!r}"
                    problems.append(Problem(rule.path, line_of(rule.path, (
                        "check", "params", "rules", i)), f"check reads the outcomes of {why}"))
    ruleset.rules = [r for _, versions in sorted(merged.items())
                     for r in sorted(versions, key=_version_key) if r.spec.enabled]
    ruleset.disabled = sorted(rid for rid, versions in merged.items()
                              if versions and not any(r.spec.enabled for r in versions))
    return ruleset


def override_case_folders(folder: Path, rule_id: str) -> list[Path]:
    """Folders of ``folder`` that hold cases for an inherited (overridden) rule: named after the
    rule id (``PD-01`` or ``PD-01-some-slug``), with ``cases/`` and no ``rule.yaml``."""
    out = []
    for child in sorted(folder.iterdir()) if folder.is_dir() else []:
        if (child.name == rule_id or child.name.startswith(rule_id + "-")) \
                and child.is_dir() and not (child / RULE_FILE).exists() \
                and (child / "cases").is_dir():
            out.append(child)
    return out


def _stray_folders(folder: Path, rule_ids: set[str]) -> list[Problem]:
    """Sub-folders that look like rules but are not loaded (``rule.yml``, cases without rule)."""
    problems = []
    for child in sorted(folder.iterdir()):
        if not child.is_dir() or child.name.startswith((".", "_")) \
                or (child / RULE_FILE).is_file():
            continue
        near = [p.name for p in child.iterdir()
                if p.is_file() and p.name.lower() in ("rule.yml", "rules.yaml", "rule.yaml.txt",
                                                        "regel.yaml", "rule.yaml")]
        if near:
            problems.append(Problem(child / near[0], None,
                                    f"not loaded: a rule file must be named exactly {RULE_FILE!r}"))
        elif (child / "cases").is_dir() and not any(
                child.name == rid or child.name.startswith(rid + "-") for rid in rule_ids):
            problems.append(Problem(child, None,
                                    f"folder has cases/ but no {RULE_FILE}, and its name does not "
                                    "start with the id of a rule of this set or its bases"))
    return problems


def _overlap(a: Rule, b: Rule) -> bool:
    import datetime as dt

    a_from, a_until = a.valid_from or dt.date.min, a.valid_until or dt.date.max
    b_from, b_until = b.valid_from or dt.date.min, b.valid_until or dt.date.max
    return a_from <= b_until and b_from <= a_until


def _version_key(rule: LoadedRule) -> tuple:
    import datetime as dt

    return (rule.spec.valid_from or dt.date.min, rule.spec.version)


def _apply_override(rule: LoadedRule, override: RuleOverride, spec: RuleSetSpec, path: Path,
                    problems: list[Problem], declared: frozenset[str] = frozenset(),
                    warnings: list[Problem] | None = None) -> LoadedRule | None:
    """The rule as the extending set changes it (re-validated as a whole rule).

    Raising a recommendation to an obligation keeps the schema's rule that an obligation cites
    a law: the override must give a ``source`` of kind ``law`` (e.g. the municipality's own
    regulation) unless the rule already cites one.
    """
    changes: dict[str, Any] = {}
    for name in ("enabled", "level", "structural", "source", "advice", "message"):
        value = getattr(override, name)
        if value is not None:
            changes[name] = value
    if override.params:
        changes["check"] = rule.spec.check.model_copy(
            update={"params": {**rule.spec.check.params, **override.params}})
    loc = ("overrides", rule.id)
    new_level = changes.get("level", rule.spec.level)
    new_source = changes.get("source", rule.spec.source)
    if new_level == "obligation" and new_source.kind != "law":
        problems.append(Problem(path, line_of(path, (*loc, "level")),
                                f"overrides.{rule.id}: raising {rule.id} to an obligation needs "
                                "a 'source' with kind: law (the regulation that makes it binding,"
                                " e.g. the municipal regulation); it now cites "
                                f"{new_source.kind}: {new_source.document}"))
        return None
    data = rule.spec.model_dump(by_alias=True)
    data.update({k: (v.model_dump(by_alias=True) if isinstance(v, BaseModel) else v)
                 for k, v in changes.items()})
    try:
        new_spec = Rule.model_validate(data)
    except ValidationError as exc:
        for problem in _problems_from(exc, path, Rule, loc):
            problems.append(Problem(path, line_of(path, loc), problem.message))
        return None
    bound = bind_rule(new_spec, path, problems, params_loc=(*loc, "params"), semantic=False)
    if bound is None:
        return None
    if override.params:
        from inclusiecheck.engine.attributes import attribute_problems

        found = False
        for issue in attribute_problems(new_spec, declared):
            # only what the override's own parameters name (the base set answers for the rest)
            if issue.loc[:2] != ("check", "params") or len(issue.loc) < 3 \
                    or issue.loc[2] not in override.params:
                continue
            where = (*loc, "params", *issue.loc[2:])
            entry = Problem(path, line_of(path, where),
                            f"{'.'.join(map(str, where))}: {issue.message}",
                            "error" if issue.error else "warning")
            if issue.error:
                problems.append(entry)
                found = True
            elif warnings is not None:
                warnings.append(entry)
        if found:
            return None
    if override.message is not None or override.advice is not None:
        problems.extend(p for p in semantic_problems(new_spec, path)
                        if "placeholder" in p.message)
    return replace(rule, spec=new_spec, params=bound[1], rule_set=spec.name,
                   rule_set_version=spec.version, modified_by=(*rule.modified_by, spec.name),
                   override_note=override.note or rule.override_note)


def known_with(paths: Iterable[Path]) -> dict[str, tuple[Path, str]]:
    """Every discoverable set, plus the sets below ``paths`` and, for a set folder, its sibling
    sets (these take precedence, so a set being written resolves ``extends`` to a sibling
    folder before an installed copy)."""
    known = discover()
    for path in paths:
        if (path / RULESET_FILE).is_file():  # a set folder: its sibling sets too
            for name, folder in _sets_below(path.parent).items():
                known[name] = (folder, "path")
        for name, folder in _sets_below(path).items():
            known[name] = (folder, "path")
    return known


def resolve_selectors(selectors: Iterable[str] | None) -> list[RuleSet]:
    """Load the rule sets named by ``--rules`` values (set names or paths); none = defaults.

    When one selected set extends another selected set (directly or through its own bases),
    the base is not run twice: the extending set replaces it.
    """
    selectors = list(selectors or [])
    paths = [Path(s) for s in selectors if Path(s).is_dir()]
    known = known_with(paths)
    if not selectors:
        selectors = default_set_names()
    cache: dict[Path, RuleSet | None] = {}
    sets: list[RuleSet] = []
    for selector in selectors:
        path = Path(selector)
        if path.is_dir() and ("/" in selector or "\\" in selector or selector not in known):
            found = _sets_below(path)
            if not found:
                raise InputError(f"{path}: no ruleset.yaml here or in its sub-folders")
            for folder in found.values():
                sets.append(_must(load_set(folder, known=known, origin="path", _cache=cache)))
        elif selector in known:
            folder, origin = known[selector]
            sets.append(_must(load_set(folder, known=known, origin=origin, _cache=cache)))
        else:
            close = difflib.get_close_matches(selector, list(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise InputError(f"unknown rule set {selector!r}{hint} (known: "
                             f"{', '.join(sorted(known))}; or give a folder path)")
    return drop_included_bases(sets)


def drop_included_bases(sets: list[RuleSet]) -> list[RuleSet]:
    """Drop every set that another set of ``sets`` already extends (and repeated sets)."""
    names = {s.name for s in sets}
    replaced = {base for s in sets for base in s.bases if base in names}
    unique: dict[str, RuleSet] = {}
    for s in sets:
        if s.name not in replaced:
            unique.setdefault(s.name, s)
    return list(unique.values())


def _must(ruleset: RuleSet | None) -> RuleSet:
    assert ruleset is not None
    return ruleset


def validate_folder(folder: Path, warnings: list[Problem] | None = None
                    ) -> tuple[list[Problem], int]:
    """Validate every rule set below ``folder`` (or one rule folder or ``rule.yaml``); return
    the problems (each once, in file order) and the number of valid rules. ``warnings``, when
    given, receives the warnings (attribute names the profile does not know)."""
    problems: list[Problem] = []
    warnings = warnings if warnings is not None else []
    found = _sets_below(folder) if folder.is_dir() else {}
    if not found:
        rule_path = folder / RULE_FILE if folder.is_dir() else folder
        if rule_path.is_file():
            spec = load_rule_file(rule_path, problems)
            if spec is not None and bind_rule(spec, rule_path, problems) is not None:
                errors, unknown = attribute_name_problems(spec, rule_path)
                problems.extend(errors)
                warnings.extend(unknown)
                warnings.extend(deprecation_warnings(spec, rule_path))
            problems.extend(case_problems(rule_path.parent))
            return _unique(problems), 0 if problems else 1
        return [Problem(folder, None, "no ruleset.yaml here or in its sub-folders")], 0
    known = known_with([folder])
    cache: dict[Path, RuleSet | None] = {}
    count = 0
    for set_folder in found.values():
        ruleset = load_set(set_folder, known=known, problems=problems, _cache=cache)
        if ruleset is not None:
            warnings.extend(w for w in ruleset.warnings if w not in warnings)
            own = [r for r in ruleset.rules if r.path.parent.parent == set_folder]
            count += len(own)
            for folder_of_rule in sorted({r.folder for r in own}):
                problems.extend(case_problems(folder_of_rule))
            ids = {r.id for r in ruleset.rules} | set(ruleset.spec.overrides)
            problems.extend(_stray_folders(set_folder, ids))
    return _unique(problems), count


def case_problems(rule_folder: Path) -> list[Problem]:
    """Problems of a rule's ``cases/expected.yaml``: its schema, and fixture files that are
    missing or lie outside the ``cases/`` folder (``file: ../../../etc/passwd``)."""
    from inclusiecheck.engine.schema import CasesSpec

    cases = rule_folder / "cases"
    path = cases / "expected.yaml"
    if not path.is_file():
        return []
    try:
        data = load_yaml(path)
    except InputError as exc:
        return [_yaml_problem(exc, path)]
    not_finite = _non_finite_problems(data, path)
    if not_finite:
        return not_finite
    try:
        spec = CasesSpec.model_validate(data)
    except ValidationError as exc:
        return [Problem(path, line_of(path, err["loc"]),
                        f"{'.'.join(map(str, err['loc']))}: "
                        f"{err['msg'].removeprefix('Value error, ')}")
                for err in exc.errors()]
    problems = []
    root = cases.resolve()
    for index, case in enumerate(spec.cases):
        fixture = cases / case.file
        if not fixture.resolve().is_relative_to(root):
            problems.append(Problem(path, line_of(path, ("cases", index, "file")),
                                    f"cases.{index}.file: {case.file!r} lies outside the cases "
                                    "folder"))
        elif not fixture.is_file():
            problems.append(Problem(path, line_of(path, ("cases", index, "file")),
                                    f"cases.{index}.file: {case.file!r} not found in {cases}"))
    return problems


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            out.append(problem)
    return out
