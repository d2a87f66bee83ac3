"""Assess a scenario file with the engines in-process and print the results."""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from riskapp.assessments.services import MIN_SAMPLES, SEED_LIMIT, new_seed
from riskapp.engines import ENGINE_NAMES, get_engine
from riskapp.engines.ara import AraOptions
from riskapp.scenarios.format import ScenarioFormatError, compile_problem, parse_scenario, syntax_for_filename
from riskapp.scenarios.limits import configured_limits

# Exit status for an invalid scenario file or option, distinct from Django's 1 for other errors.
INVALID_INPUT = 2


class Command(BaseCommand):
    help = "Assess a scenario file with the risk matrix, the game solver and ARA, and print the results."
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A scenario file (.json, .yaml or .yml).")
        parser.add_argument("--engine", choices=[*ENGINE_NAMES, "all"], default="all",
                            help="Engine to run (default: all).")
        parser.add_argument("--samples", type=int, default=10_000,
                            help=f"ARA attacker draws, at least {MIN_SAMPLES} (default: 10000).")
        parser.add_argument("--seed", type=int, default=None,
                            help="ARA seed, an integer from 0 to 2^53 - 1 (default: a new random seed, printed).")
        parser.add_argument("--format", choices=["text", "json"], default="text", dest="output_format",
                            help="Output format (default: text).")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            self._invalid(f"The scenario file {str(path)!r} cannot be read: {error.strerror}.")
        try:
            document = parse_scenario(content, syntax=syntax_for_filename(path.name), limits=configured_limits())
            problem = compile_problem(document)
        except ScenarioFormatError as error:
            self._invalid(str(error))

        samples, seed = options["samples"], options["seed"]
        maximum = settings.RISKAPP_LIMITS["max_samples"]
        if not MIN_SAMPLES <= samples <= maximum:
            self._invalid_option(f"--samples: {samples} must be an integer from {MIN_SAMPLES} to {maximum}")
        if seed is None:
            seed = new_seed()
        elif not 0 <= seed < SEED_LIMIT:
            self._invalid_option(f"--seed: {seed} must be an integer from 0 to 2^53 - 1")

        engines = ENGINE_NAMES if options["engine"] == "all" else (options["engine"],)
        results = {}
        for name in engines:
            if name == "ara":
                ara = AraOptions(samples=samples, chunk_size=settings.RISKAPP_ARA_CHUNK_SIZE)
                result = get_engine(name)(problem, seed=seed, samples=ara.samples, chunk_size=ara.chunk_size)
            else:
                result = get_engine(name)(problem)
            results[name] = result.to_dict()

        report = {"scenario": {"title": document.title, "digest": document.digest}, "results": results}
        if options["output_format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(format_text(report, problem))

    def _invalid(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(INVALID_INPUT)

    def _invalid_option(self, message: str) -> None:
        self.stderr.write(f"Invalid option {message}")
        sys.exit(INVALID_INPUT)


def format_text(report: dict, problem) -> str:
    names = dict(zip(problem.defense_ids, problem.defense_names, strict=True))
    attack_names = dict(zip(problem.attack_ids, problem.attack_names, strict=True))
    lines = [f"Scenario: {report['scenario']['title']}", f"Digest:   {report['scenario']['digest']}"]
    for engine, result in report["results"].items():
        lines.append("")
        header = f"[{engine}] status {result['status']}"
        if result["seed"] is not None:
            header += f", seed {result['seed']}"
        lines.append(header)
        lines.append(f"  {result['message']}")
        for warning in result["warnings"]:
            lines.append(f"  warning: {warning['message']}")
        best = result["recommended_defense"]
        lines.append(f"  recommended defense: {names.get(best, best)}")
        if result["indistinguishable"]:
            tied = ", ".join(names.get(d, d) for d in result["indistinguishable"])
            lines.append(f"  indistinguishable from it: {tied}")
        for rank, defense in enumerate(result["defense_ranking"], start=1):
            entry = result["defenses"][defense]
            score = entry["score"]
            text = f"  {rank}. {names.get(defense, defense)}: {score['value']:.6g} {score['unit']}"
            if entry["standard_error"] is not None:
                text += f" ± {entry['standard_error']:.2g} (standard error)"
            counts = (result.get("level_counts") or {}).get(defense)
            if counts is not None:
                shown = ", ".join(f"{level} {count}" for level, count in reversed(list(counts.items())))
                text = f"  {rank}. {names.get(defense, defense)}: rated threats per level {shown}"
            elif entry["risk_level"] is not None:
                text += f", worst level {entry['risk_level']}"
            lines.append(text)
            if entry["attack_probabilities"]:
                shown = ", ".join(f"{attack_names.get(a, a)} {p:.3f}" for a, p in entry["attack_probabilities"].items()
                                  if p > 0)
                lines.append(f"       predicted attacks: {shown}")
    return "\n".join(lines) + "\n"
