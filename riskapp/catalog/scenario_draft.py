"""Drafting a Defend–Attack scenario from a determination.

The draft sets the safeguards in place against the required ones, which are its two defenses.
Its attacks pair each crossed threshold with each of RAND's attacker tiers, and its outcomes are
"contained" and "catastrophic harm". Costs,
losses and probabilities are placeholders for analysts to elicit; the description says so.
"""

import json
from typing import Any

from riskapp.catalog.models import ThreatActorTier
from riskapp.catalog.selectors import ProfileDetermination

# The attacker tiers come from RAND's weight-security report, loaded as this framework version.
ACTOR_TIER_VERSION = "rand-securing-model-weights-2024"

# Placeholder numbers of the draft, in the defender's loss units and as probabilities.
PLACEHOLDER_HARM_LOSS = 1000
PLACEHOLDER_ATTACKER_GAIN = 100
PLACEHOLDER_REQUIRED_COST = 10
# p(harm | current safeguards, tier k) = k × 0.1 and half that under the required safeguards:
# a starting point that ranks tiers by operational capacity, not an estimate.
HARM_PROBABILITY_PER_TIER = 0.1
REQUIRED_SAFEGUARDS_FACTOR = 0.5


class DraftScenarioError(ValueError):
    """A draft that cannot be built: no threshold requires safeguards, or the attacker tiers are missing."""


def build_draft_document(determination: ProfileDetermination) -> dict[str, Any]:
    """Build the content of a riskapp-scenario/1 file from a determination."""
    crossed = [row.threshold for row in determination.rows if row.finding.requires_safeguards]
    if not crossed:
        raise DraftScenarioError(
            f"No threshold of {determination.version.slug} is ruled in or inconclusive for "
            f"{determination.profile.slug}, so a draft scenario would have no attack."
        )
    tiers = list(ThreatActorTier.objects.filter(version__slug=ACTOR_TIER_VERSION).order_by("order"))
    if not tiers:
        raise DraftScenarioError(f"The attacker tiers of {ACTOR_TIER_VERSION} are not in the catalog.")

    current = [measure.measure_id for measure, in_place in determination.checklist if in_place]
    required = [measure.measure_id for measure, _in_place in determination.checklist]
    attacks: list[dict[str, Any]] = [{"id": "none", "name": "No attack", "cost": 0}]
    probabilities: dict[str, dict[str, dict[str, float]]] = {
        defense: {"none": {"contained": 1, "harm": 0}} for defense in ("current", "required")
    }
    for threshold in crossed:
        for tier in tiers:
            attack_id = f"{threshold.slug}-{tier.code.lower()}"
            attacks.append({"id": attack_id, "name": f"{tier.name} pursuing {threshold.code}: {threshold.name}",
                            "cost": 0})
            for defense, factor in (("current", 1.0), ("required", REQUIRED_SAFEGUARDS_FACTOR)):
                harm = round(HARM_PROBABILITY_PER_TIER * tier.order * factor, 6)
                probabilities[defense][attack_id] = {"contained": round(1 - harm, 6), "harm": harm}

    level = determination.required_level.code if determination.required_level else "none"
    return {
        "format": "riskapp-scenario/1",
        "title": f"Draft: {determination.profile.name} under {determination.version}",
        "description": (
            f"Drafted from the determination for {determination.profile.name} under {determination.version}, "
            f"which requires {level}. Crossed or not ruled-out thresholds: "
            f"{', '.join(threshold.code for threshold in crossed)}. Attackers are RAND's operational-capacity "
            f"tiers {tiers[0].code} to {tiers[-1].code}. All costs, losses and probabilities are placeholders "
            f"to elicit: harm probability {HARM_PROBABILITY_PER_TIER} per tier level under the current "
            f"safeguards and {REQUIRED_SAFEGUARDS_FACTOR} times that under the required ones."
        ),
        "sources": [determination.version.source_url, determination.profile.source_url],
        "model": "sequential",
        "defenses": [
            {"id": "current", "name": "Safeguards in place", "cost": 0, "measures": current},
            {"id": "required", "name": f"Required safeguards ({level})", "cost": PLACEHOLDER_REQUIRED_COST,
             "measures": required},
        ],
        "attacks": attacks,
        "outcomes": [
            {"id": "contained", "name": "Attack contained", "defender_loss": 0, "attacker_gain": 0},
            {"id": "harm", "name": "Catastrophic harm", "defender_loss": PLACEHOLDER_HARM_LOSS,
             "attacker_gain": PLACEHOLDER_ATTACKER_GAIN},
        ],
        "probabilities": probabilities,
    }


def create_draft_scenario(determination: ProfileDetermination, *, author: Any = None,
                          organisation: Any = None) -> Any:
    """Validate the draft with the scenario format and store it as a new scenario; return its revision."""
    from riskapp.scenarios import services as scenario_services
    from riskapp.scenarios.format import parse_scenario

    content = json.dumps(build_draft_document(determination), ensure_ascii=False).encode("utf-8")
    document = parse_scenario(content, syntax="json")
    scenario_services.check_catalog_measures(document)
    return scenario_services.import_scenario(
        document, author=author, organisation=organisation,
        comment=f"Draft from the determination of {determination.profile.slug} under {determination.version.slug}",
    )
