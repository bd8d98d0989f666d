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

from typing import Iterable, Mapping

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
    new features (``obligation_counts``: outcome -> n, passes included)."""
    design = [f for f in findings if f.level is Level.OBLIGATION and f.status == "new"]
    structural = [f for f in design if f.outcome is Outcome.FAIL and f.structural]
    if structural:
        return Verdict("ongunstig", REASONS["ongunstig"][lang], tuple(structural),
                       tuple(f for f in design if f.outcome in (Outcome.FAIL, Outcome.TO_VERIFY)
                             and not (f.outcome is Outcome.FAIL and f.structural)))
    conditions = [f for f in design if f.outcome in (Outcome.FAIL, Outcome.TO_VERIFY)]
    if conditions:
        return Verdict("gunstig_onder_voorwaarden", REASONS["gunstig_onder_voorwaarden"][lang],
                       tuple(conditions), tuple(conditions))
    applicable = sum(n for outcome, n in obligation_counts.items()
                     if outcome != Outcome.NOT_APPLICABLE.value)
    if applicable:
        return Verdict("gunstig", REASONS["gunstig"][lang])
    return Verdict("niet_van_toepassing", REASONS["niet_van_toepassing"][lang])
