"""Read an assessment's runs and shape them for the comparison page and its figures."""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

import plotly.io
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from riskapp.assessments.models import Assessment, AssessmentRun
from riskapp.engines.comparison import compare_rankings
from riskapp.engines.risk_matrix import Disagreement, matrix_disagreements
from riskapp.reports import figures
from riskapp.reports.figures import LIKELIHOOD_ON, MatrixLayout, MatrixOrientation, Names
from riskapp.scenarios.format import DEFAULT_RISK_MATRIX

# Engines in the order the page shows them: no adversary model, exact adversary, uncertain adversary.
ENGINES = ("risk_matrix", "game", "ara")

ENGINE_NAMES = {
    "risk_matrix": _("Risk matrix"),
    "game": _("Game-theoretic solver"),
    "ara": _("Adversarial Risk Analysis (ARA) Monte Carlo"),
}

RESULT_STATUS_NAMES = {
    "ok": _("complete"),
    "not_converged": _("not converged"),
    "failed": _("failed"),
}


FIGURE_KEYS = ("expected_utility", "attack_probability", "risk_matrix", "convergence")

# The session key under which the comparison page remembers the heatmap's orientation.
ORIENTATION_SESSION_KEY = "reports.matrix_orientation"

COHERENCE_CHECK_NAMES = {
    "structure": _("Structure"),
    "monotonicity": _("Monotonicity"),
    "weak_consistency": _("Weak consistency"),
    "betweenness": _("Betweenness"),
    "consistent_coloring": _("Consistent coloring"),
    "range_compression": _("Range compression"),
}

NASH_METHOD_NAMES = {
    "vertex_enumeration": _("vertex enumeration"),
    "minimax_lp": _("the minimax linear program"),
    "lemke_howson": _("Lemke–Howson paths"),
}

FINDING_STATUS_NAMES = {"pass": _("pass"), "warning": _("warning"), "fail": _("fail")}


@dataclass
class EngineSummary:
    """One engine's card on the comparison page: its run's state and, once there, its verdict."""

    engine: str
    engine_name: str
    run: AssessmentRun
    result: dict[str, Any] | None
    recommended_name: str | None
    indistinguishable_names: list[str]
    ranking_names: list[str]
    message_text: str = ""
    warning_texts: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.run.state

    @property
    def is_finished(self) -> bool:
        return self.run.is_finished

    @property
    def percent(self) -> int:
        """Progress of the run in whole percent (chunks done over chunks planned)."""
        return round(100 * self.run.progress)

    @property
    def status_name(self) -> str | None:
        if self.result is None:
            return None
        return RESULT_STATUS_NAMES.get(self.result["status"], self.result["status"])


@dataclass
class UtilityRow:
    """One defense's line in the table of expected utilities; numbers are None where not defined."""

    defense_id: str
    name: str
    game_utility: float | None
    ara_utility: float | None
    ara_standard_error: float | None
    risk_level: str | None

    @property
    def ara_interval(self) -> tuple[float, float] | None:
        """ARA's ψ̂(d) ± 2 standard errors."""
        if self.ara_utility is None or self.ara_standard_error is None:
            return None
        half_width = figures.ERROR_BAR_SE * self.ara_standard_error
        return self.ara_utility - half_width, self.ara_utility + half_width


@dataclass
class CoherenceRow:
    """One finding of the matrix's coherence checks, with its cells named by their band labels."""

    check: str
    check_name: str
    status: str
    status_name: str
    cells: list[str]
    message: str


@dataclass
class DisagreementRow:
    """A pair of defenses that the matrix ranks opposite to a quantitative engine, with names and reasons."""

    engine: str
    engine_name: str
    matrix_preferred: str
    engine_preferred: str
    utility_gap: float
    reasons: list[str]


@dataclass
class EquilibriumRow:
    """One Nash equilibrium of the simultaneous game: both mixed strategies, named, and both expected utilities."""

    defender: list[tuple[str, float]]
    attacker: list[tuple[str, float]]
    expected_utility: float
    attacker_utility: float


@dataclass
class SimultaneousGame:
    """The game solver's Nash equilibria for a scenario whose model is simultaneous."""

    equilibria: list[EquilibriumRow]
    complete: bool
    method: str
    zero_sum_value: float | None

    @property
    def method_name(self) -> str:
        return NASH_METHOD_NAMES.get(self.method, self.method)


# Parameters of the disagreement reasons that hold a defense id or an attack id.
DEFENSE_PARAMS = ("matrix_preferred", "engine_preferred")
ATTACK_PARAMS = ("attack", "other_attack", "higher_attack", "lower_attack")


@dataclass
class Comparison:
    """Everything the comparison page shows about one assessment, read once per request."""

    assessment: Assessment
    scenario_title: str
    revision_number: int
    names: Names
    matrix: MatrixLayout
    engines: list[EngineSummary]
    utility_rows: list[UtilityRow]
    defense_costs: dict[str, float] = field(default_factory=dict)
    model: str = "sequential"

    @property
    def is_finished(self) -> bool:
        """True when every run has stopped, so the page need not poll any more."""
        return all(summary.is_finished for summary in self.engines)

    @property
    def version(self) -> str:
        """A short digest of the runs' states, progress and results; it changes whenever the page would."""
        parts = [f"{s.engine}:{s.run.pk}:{s.run.state}:{s.run.chunks_done}:{s.run.finished_at}" for s in self.engines]
        return _digest([*parts, self.results_version])

    @property
    def results_version(self) -> str:
        """A short digest of the runs' results alone; the figures change only when it does."""
        parts = [f"{s.engine}:{s.run.pk}:{json.dumps(s.result, sort_keys=True)}" for s in self.engines]
        return _digest(parts)

    @property
    def recommendations(self) -> dict[str, str]:
        """The recommended defense's id per engine, for the engines that have one."""
        return {
            summary.engine: summary.result["recommended_defense"]
            for summary in self.engines
            if summary.result is not None and summary.result.get("recommended_defense") is not None
        }

    @property
    def agreed_defense(self) -> str | None:
        """The name of the defense every engine with a result recommends, when at least two have one and agree."""
        recommended = set(self.recommendations.values())
        if len(self.recommendations) < 2 or len(recommended) != 1:
            return None
        return self.names.defense(recommended.pop())

    @property
    def agrees_in_all_three(self) -> bool:
        """Whether the agreement covers all three engines, so all three models of the adversary."""
        return self.agreed_defense is not None and len(self.recommendations) == len(ENGINE_NAMES)

    @property
    def agreeing_engine_names(self) -> str:
        return _join_names([ENGINE_NAMES.get(engine, engine) for engine in self.recommendations])

    @property
    def engines_without_result(self) -> str:
        """The engines that ran but have no recommendation (running, failed or cancelled), joined."""
        missing = [s.engine_name for s in self.engines if s.engine not in self.recommendations]
        return _join_names(missing)

    @property
    def game_and_ara_differ(self) -> bool:
        recommendations = self.recommendations
        return {"game", "ara"} <= recommendations.keys() and recommendations["game"] != recommendations["ara"]

    @property
    def matrix_differs(self) -> bool:
        recommendations = self.recommendations
        others = {recommendations[e] for e in ("game", "ara") if e in recommendations}
        return "risk_matrix" in recommendations and bool(others) and recommendations["risk_matrix"] not in others

    @property
    def coherence_rows(self) -> list[CoherenceRow]:
        """The risk matrix's coherence findings in the engine's order; empty before its result."""
        findings = (self.result("risk_matrix") or {}).get("coherence") or []
        return [
            CoherenceRow(
                check=finding["check"],
                check_name=COHERENCE_CHECK_NAMES.get(finding["check"], finding["check"]),
                status=finding["status"],
                status_name=FINDING_STATUS_NAMES.get(finding["status"], finding["status"]),
                cells=[self._cell_name(i, j) for i, j in finding.get("cells") or []],
                message=finding["message"],
            )
            for finding in findings
        ]

    @cached_property
    def catalog_context(self) -> list[dict[str, Any]]:
        """Per defense, the safety levels its catalog measures meet and what the next level lacks."""
        from riskapp.catalog.selectors import level_coverage

        document = json.loads(self.assessment.revision.document)
        rows = []
        for defense in document.get("defenses", []):
            measure_ids = defense.get("measures") or []
            if not measure_ids:
                continue
            coverages, unknown = level_coverage(measure_ids)
            rows.append({"defense": defense.get("name") or defense["id"], "coverages": coverages,
                         "unknown": unknown})
        return rows

    @property
    def rating_rows(self) -> list[dict[str, Any]]:
        """Every rating of the risk matrix's result, with names, values and whether it was entered or derived."""
        ratings = (self.result("risk_matrix") or {}).get("ratings") or {}
        rows = []
        for defense_id, by_attack in ratings.items():
            for attack_id, rating in by_attack.items():
                rows.append({
                    "defense": self.names.defense(defense_id),
                    "attack": self.names.attack(attack_id),
                    "likelihood": rating.get("likelihood"),
                    "consequence": rating.get("consequence"),
                    "likelihood_value": _number_or_none(rating.get("likelihood_value")),
                    "consequence_value": _number_or_none(rating.get("consequence_value")),
                    "level": rating.get("level"),
                    "origin": rating.get("origin"),
                })
        return rows

    @cached_property
    def ranking_comparisons(self) -> list[dict[str, Any]]:
        """Kendall's τ-b and the reversed pairs for every two engines with a ranking, named for the page."""
        rows = []
        for comparison in compare_rankings({summary.engine: summary.result for summary in self.engines}):
            pairs = [{
                "first_prefers": self.names.defense(pair.first_prefers),
                "second_prefers": self.names.defense(pair.second_prefers),
                "first_scores": " / ".join(self._score_text(score) for score in pair.first_scores),
                "second_scores": " / ".join(self._score_text(score) for score in pair.second_scores),
            } for pair in comparison.reversed_pairs]
            rows.append({
                "first": ENGINE_NAMES.get(comparison.first, comparison.first),
                "second": ENGINE_NAMES.get(comparison.second, comparison.second),
                "tau": comparison.tau,
                "pairs": pairs,
            })
        return rows

    def _score_text(self, score: dict[str, Any]) -> str:
        value = "—" if score["value"] is None else f"{score['value']:.4g}"
        text = f"{self.names.defense(score['defense'])}: {value}"
        if score.get("standard_error") is not None:
            text += f" ± {score['standard_error']:.2g}"
        return text

    @cached_property
    def matrix_disagreements(self) -> list[DisagreementRow]:
        """The pairs of defenses that the matrix ranks opposite to the game solver or ARA, with reasons."""
        risk_matrix = self.result("risk_matrix")
        if risk_matrix is None or risk_matrix.get("status") != "ok":
            return []
        found = matrix_disagreements(
            risk_matrix,
            {engine: self.result(engine) for engine in ("game", "ara")},
            levels=self.matrix.level_labels,
            defense_costs={d: self.defense_costs.get(d, 0.0) for d in risk_matrix.get("defense_ranking") or []},
        )
        return [self._disagreement_row(disagreement) for disagreement in found]

    def _disagreement_row(self, disagreement: Disagreement) -> DisagreementRow:
        reasons = []
        for reason in disagreement.reasons:
            params = dict(reason.params)
            params.update({key: self.names.defense(params[key]) for key in DEFENSE_PARAMS if key in params})
            params.update({key: self.names.attack(params[key]) for key in ATTACK_PARAMS if key in params})
            if "engine" in params:
                params["engine"] = ENGINE_NAMES.get(params["engine"], params["engine"])
            reasons.append(reason.template.format(**params))
        return DisagreementRow(
            engine=disagreement.engine,
            engine_name=ENGINE_NAMES.get(disagreement.engine, disagreement.engine),
            matrix_preferred=self.names.defense(disagreement.matrix_preferred),
            engine_preferred=self.names.defense(disagreement.engine_preferred),
            utility_gap=disagreement.utility_gap,
            reasons=reasons,
        )

    @cached_property
    def simultaneous_game(self) -> SimultaneousGame | None:
        """The Nash equilibria of a simultaneous scenario, None for a sequential one or before the game result."""
        game = self.result("game")
        if self.model != "simultaneous" or game is None or "nash_equilibria" not in game:
            return None
        summary = game.get("simultaneous_game") or {}
        return SimultaneousGame(
            equilibria=[self._equilibrium_row(equilibrium) for equilibrium in game["nash_equilibria"]],
            complete=bool(summary.get("complete")),
            method=summary.get("method") or "",
            zero_sum_value=summary.get("zero_sum_value"),
        )

    def _equilibrium_row(self, equilibrium: dict[str, Any]) -> EquilibriumRow:
        # Strategies played with probability 0 are left out, so each list is the support.
        return EquilibriumRow(
            defender=[(self.names.defense(d), p) for d, p in equilibrium["defender"].items() if p > 0],
            attacker=[(self.names.attack(a), p) for a, p in equilibrium["attacker"].items() if p > 0],
            expected_utility=equilibrium["expected_utility"],
            attacker_utility=equilibrium["attacker_utility"],
        )

    def _cell_name(self, likelihood: int, consequence: int) -> str:
        return f"({self.matrix.likelihood[likelihood]}, {self.matrix.consequence[consequence]})"

    def result(self, engine: str) -> dict[str, Any] | None:
        for summary in self.engines:
            if summary.engine == engine:
                return summary.result
        return None


def _number_or_none(value: Any) -> float | None:
    """Convert an exact value, written by the engine as a number or as fraction text, to a float."""
    if value is None:
        return None
    try:
        return float(Fraction(value)) if isinstance(value, str) else float(value)
    except (ValueError, ZeroDivisionError):
        return None


def _join_names(names: list[str]) -> str:
    """Join names as a list in a sentence: "A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(str(name) for name in names)
    return gettext("%(items)s and %(last)s") % {"items": ", ".join(str(n) for n in names[:-1]), "last": names[-1]}


def build_comparison(assessment: Assessment) -> Comparison:
    """Read the assessment's revision and latest run per engine into a ``Comparison``."""
    revision = assessment.revision
    document = json.loads(revision.document)
    names = Names.from_document(document)

    latest: dict[str, AssessmentRun] = {}
    for run in assessment.runs.order_by("pk"):
        latest[run.engine] = run
    engines = [engine for engine in ENGINES if engine in latest]
    engines += [engine for engine in latest if engine not in ENGINES]
    summaries = [_summarize(engine, latest[engine], names) for engine in engines]

    comparison = Comparison(
        assessment=assessment,
        scenario_title=revision.scenario.title,
        revision_number=revision.number,
        names=names,
        matrix=matrix_layout(document),
        engines=summaries,
        utility_rows=[],
        defense_costs={item["id"]: float(item.get("cost") or 0) for item in document.get("defenses", [])},
        model=document.get("model") or "sequential",
    )
    comparison.utility_rows = _utility_rows(comparison)
    return comparison


def matrix_layout(document: dict[str, Any]) -> MatrixLayout:
    """Return the scenario's risk matrix, taking each key it leaves out from the default matrix."""
    section = document.get("risk_matrix") or {}
    merged = {key: section.get(key, default) for key, default in _plain(DEFAULT_RISK_MATRIX).items()}
    return MatrixLayout.from_mapping(merged)


def _plain(value: Any) -> Any:
    """Turn the parser's exact decimals into the ints and floats that ``json.loads`` would give."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def matrix_orientation(request: HttpRequest) -> MatrixOrientation:
    """Return the heatmap orientation that the request sets or the session stores, storing a new one.

    The orientation form sends ``likelihood_on`` (``rows`` or ``columns``) and the check boxes
    ``reverse_likelihood`` and ``reverse_consequence``, which are absent when unchecked. A
    request without ``likelihood_on`` keeps the session's orientation, and one with an unknown
    value falls back to it too, since a display setting should not make the page fail.
    """
    stored = request.session.get(ORIENTATION_SESSION_KEY) or {}
    orientation = _orientation_from(stored)
    likelihood_on = request.GET.get("likelihood_on")
    if likelihood_on in LIKELIHOOD_ON:
        orientation = MatrixOrientation(
            likelihood_on=likelihood_on,
            reverse_likelihood=request.GET.get("reverse_likelihood") in ("1", "on"),
            reverse_consequence=request.GET.get("reverse_consequence") in ("1", "on"),
        )
        request.session[ORIENTATION_SESSION_KEY] = {
            "likelihood_on": orientation.likelihood_on,
            "reverse_likelihood": orientation.reverse_likelihood,
            "reverse_consequence": orientation.reverse_consequence,
        }
    return orientation


def _orientation_from(stored: dict[str, Any]) -> MatrixOrientation:
    likelihood_on = stored.get("likelihood_on")
    if likelihood_on not in LIKELIHOOD_ON:
        return MatrixOrientation()
    return MatrixOrientation(likelihood_on, bool(stored.get("reverse_likelihood")),
                             bool(stored.get("reverse_consequence")))


def build_figures(
    comparison: Comparison, *, orientation: MatrixOrientation | None = None
) -> dict[str, dict[str, Any] | None]:
    """Build the page's figures as plotly JSON dictionaries, None where their results are missing."""
    labels = figure_labels()
    game, ara, risk_matrix = (comparison.result(engine) for engine in ("game", "ara", "risk_matrix"))
    names = comparison.names

    built: dict[str, Any] = dict.fromkeys(FIGURE_KEYS)
    if game is not None or ara is not None:
        built["expected_utility"] = figures.expected_utility_figure(game, ara, names, labels)
        built["attack_probability"] = figures.attack_probability_figure(game, ara, names, labels)
    if risk_matrix is not None:
        built["risk_matrix"] = figures.risk_matrix_figure(
            risk_matrix, comparison.matrix, names, labels, orientation=orientation
        )
    built["convergence"] = figures.convergence_figure(ara, names, labels)

    # plotly's own encoder turns numpy arrays and its objects into plain JSON values.
    return {key: None if figure is None else json.loads(plotly.io.to_json(figure)) for key, figure in built.items()}


def figure_labels() -> dict[str, str]:
    """Return the figures' titles and axis labels translated into the active language."""
    return {
        "expected_utility_title": gettext("Expected defender utility per defense"),
        "expected_utility_axis": gettext("Expected defender utility"),
        "defense_axis": gettext("Defense"),
        "game_trace": gettext("Game-theoretic solver"),
        "ara_trace": gettext("ARA Monte Carlo (error bars: ± 2 standard errors)"),
        "attack_probability_title": gettext("Predicted attack probabilities per defense"),
        "attack_probability_axis": gettext("Probability of attack p(a | d)"),
        "attack_axis": gettext("Attack"),
        "game_best_response": gettext("Game-theoretic solver: attacker's best response"),
        "ara_attack_trace": gettext("ARA Monte Carlo p̂(a | d) (error bars: ± 2 standard errors)"),
        "risk_matrix_title": gettext("Risk matrix: rated threats per defense"),
        "likelihood_axis": gettext("Likelihood"),
        "consequence_axis": gettext("Consequence"),
        "risk_level": gettext("Risk level"),
        "rated_threats": gettext("Rated threats"),
        "convergence_title": gettext("ARA convergence: running expected defender utility ψ̂(d)"),
        "convergence_axis": gettext("Expected defender utility ψ̂(d)"),
        "draws_axis": gettext("Draws"),
        "convergence_band": gettext("± 2 standard errors"),
        "recommended": gettext("recommended"),
    }


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _summarize(engine: str, run: AssessmentRun, names: Names) -> EngineSummary:
    result = run.result
    recommended = None if result is None else result.get("recommended_defense")
    return EngineSummary(
        engine=engine,
        engine_name=ENGINE_NAMES.get(engine, engine),
        run=run,
        result=result,
        recommended_name=None if recommended is None else names.defense(recommended),
        indistinguishable_names=[names.defense(d) for d in (result or {}).get("indistinguishable", [])],
        ranking_names=[names.defense(d) for d in (result or {}).get("defense_ranking", [])],
        message_text="" if result is None else readable_notice(result.get("message_detail"), result["message"], names),
        warning_texts=[_warning_text(w, names) for w in (result or {}).get("warnings", [])],
    )


def _warning_text(warning: dict[str, Any], names: Names) -> str:
    # The engine's text names the key of its JSON result; the page names its own section instead.
    if warning.get("code") == "game.simultaneous_model":
        return gettext("The scenario's model is simultaneous, but this ranking is that of the sequential game, in "
                       "which the attacker observes the defense. The Nash equilibria of the simultaneous game are "
                       "listed under “Simultaneous game: Nash equilibria”.")
    return readable_notice(warning, warning.get("message", ""), names)


def readable_notice(detail: dict[str, Any] | None, fallback: str, names: Names) -> str:
    """Render an engine notice with the names of the defenses, attacks and outcomes it mentions.

    Engines put ids in their messages' parameters; analysts read names. A parameter whose
    value is an id (or a list of ids) is replaced by the name before the template is filled.
    """
    if not detail or "template" not in detail:
        return fallback
    lookup = {**names.outcomes, **names.attacks, **names.defenses}

    def readable(value: Any) -> Any:
        if isinstance(value, str) and value in lookup:
            return lookup[value]
        if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
            return ", ".join(lookup.get(item, item) for item in value)
        return value

    params = {key: readable(value) for key, value in (detail.get("params") or {}).items()}
    try:
        return detail["template"].format(**params)
    except (KeyError, IndexError, ValueError):
        return fallback


def _utility_rows(comparison: Comparison) -> list[UtilityRow]:
    game = comparison.result("game") or {}
    ara = comparison.result("ara") or {}
    risk_matrix = comparison.result("risk_matrix") or {}

    def value(result: dict[str, Any], defense_id: str, key: str) -> Any:
        return ((result.get("defenses") or {}).get(defense_id) or {}).get(key)

    return [
        UtilityRow(
            defense_id=defense_id,
            name=name,
            game_utility=value(game, defense_id, "expected_utility"),
            ara_utility=value(ara, defense_id, "expected_utility"),
            ara_standard_error=value(ara, defense_id, "standard_error"),
            risk_level=value(risk_matrix, defense_id, "risk_level"),
        )
        for defense_id, name in comparison.names.defenses.items()
    ]
