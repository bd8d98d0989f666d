"""The headline verdict, derived transparently from the findings.

- ongunstig (unfavourable): an obligation fails structurally;
- gunstig onder voorwaarden (favourable on conditions): obligations fail only non-structurally,
  or obligations could not be decided for lack of data (the conditions list them);
- gunstig (favourable): every applicable obligation passes;
- niet van toepassing: no obligation applies.

Only findings on the design (status ``new``) decide; the existing situation is reported apart.
Recommendations never change the verdict: they are the advice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from inclusiecheck.model import Finding, Level, Outcome, Verdict

REASONS = {
    "ongunstig": {"nl": "Een verplichting wordt structureel niet gehaald.",
                  "en": "An obligation is not met and needs a redesign."},
    "gunstig_onder_voorwaarden": {
        "nl": "De verplichtingen worden gehaald op voorwaarde dat de vermelde punten worden "
              "aangepast of aangevuld.",
        "en": "The obligations are met on condition that the listed points are fixed or the "
              "missing data is supplied."},
    "gunstig": {"nl": "Alle toepasselijke verplichtingen worden gehaald.",
                "en": "Every applicable obligation is met."},
    "niet_van_toepassing": {"nl": "Geen enkele verplichting is van toepassing op dit plan.",
                            "en": "No obligation applies to this plan."},
}


def decide(findings: Iterable[Finding], obligation_counts: Mapping[str, int], lang: str) -> Verdict:
    """Decide the verdict from the listed findings and the count of obligation outcomes on
    new features (``obligation_counts``: outcome -> n, passes included).

    A ``to_verify`` obligation whose scope is undecided but that fails even against the least
    strict in-scope limit (``would_fail``) is a condition like any other to-verify finding,
    listed first; ``if_in_scope`` says what the verdict becomes once the scope is confirmed.
    """
    design = [f for f in findings if f.level is Level.OBLIGATION and f.status == "new"]
    code, deciding, conditions = _decide(design)
    confirmed = [_as_fail(f) if f.would_fail else f for f in design]
    if_in_scope = _decide(confirmed)[0] if any(f.would_fail for f in design) else None
    if code is None:
        applicable = sum(n for outcome, n in obligation_counts.items()
                         if outcome != Outcome.NOT_APPLICABLE.value)
        code = "gunstig" if applicable else "niet_van_toepassing"
    if if_in_scope is None:
        if_in_scope = code
    return Verdict(code, REASONS[code][lang], deciding, conditions, if_in_scope,
                   reasons=dict(REASONS[code]))


def _as_fail(finding: Finding) -> Finding:
    from dataclasses import replace

    return replace(finding, outcome=Outcome.FAIL)


def _decide(design: list[Finding]) -> tuple[str | None, tuple[Finding, ...], tuple[Finding, ...]]:
    """``(code, deciding, conditions)``; code None when no obligation fails or is to verify."""
    structural = [f for f in design if f.outcome is Outcome.FAIL and f.structural]
    open_points = sorted((f for f in design if f.outcome in (Outcome.FAIL, Outcome.TO_VERIFY)),
                         key=lambda f: (f.outcome is not Outcome.FAIL, not f.would_fail))
    if structural:
        return "ongunstig", tuple(structural), tuple(
            f for f in open_points if not (f.outcome is Outcome.FAIL and f.structural))
    if open_points:
        return "gunstig_onder_voorwaarden", tuple(open_points), tuple(open_points)
    return None, (), ()
