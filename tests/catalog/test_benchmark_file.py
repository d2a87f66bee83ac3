"""Benchmark data files: validation of ranges and zones, and the bundled definitions."""

import copy

import pytest
import yaml

from riskapp.catalog.benchmark_file import parse_benchmark_document
from riskapp.catalog.framework_file import FrameworkFileError
from riskapp.catalog.models import Benchmark, ThresholdCriterion
from riskapp.catalog.services import DATA_DIR, load_benchmark_file


@pytest.fixture
def benchmark_data() -> dict:
    return yaml.safe_load((DATA_DIR / "benchmarks.yaml").read_text(encoding="utf-8"))


def _entry(data: dict, slug: str) -> dict:
    return next(entry for entry in data["benchmarks"] if entry["slug"] == slug)


@pytest.mark.parametrize(("slug", "edit", "path", "rule"), [
    ("cybench", lambda e: e.update(minimum=1), r"benchmarks\[\d+\].maximum", "greater than minimum"),
    ("cybench", lambda e: e.update(unit="percent"), r"benchmarks\[\d+\].unit", "must be one of"),
    ("long-form-virology-task-1", lambda e: e["criteria"][0].update(rule_in_bound=1.5),
     r"criteria\[0\].rule_in_bound", "valid range"),
    ("long-form-virology-task-1", lambda e: e["criteria"][0].update(rule_in_bound=0.4),
     r"criteria\[0\].rule_in_bound", "less capable side"),
    ("bioweapons-knowledge-questions", lambda e: e["criteria"][0].update(rule_out_inclusive=True),
     r"criteria\[0\].rule_in_bound", "both rule out and rule in"),
    ("cybench", lambda e: e["criteria"].append(dict(e["criteria"][0])), r"benchmarks\[\d+\].criteria",
     "each threshold once"),
    ("cybench", lambda e: e.update(maximum=float("nan")), r"benchmarks\[\d+\].maximum", "finite number"),
    ("cybench", lambda e: e.update(maximum=True), r"benchmarks\[\d+\].maximum", "finite number"),
])
def test_benchmark_file_errors(benchmark_data, slug, edit, path, rule):
    data = copy.deepcopy(benchmark_data)
    edit(_entry(data, slug))
    with pytest.raises(FrameworkFileError, match=path) as raised:
        parse_benchmark_document(data)
    assert rule in str(raised.value)


def test_lower_is_more_capable_bounds(benchmark_data):
    data = copy.deepcopy(benchmark_data)
    entry = _entry(data, "long-form-virology-task-1")
    entry["direction"] = "lower"
    # For a lower-is-more-capable benchmark the rule-in bound must be the smaller one.
    with pytest.raises(FrameworkFileError, match="less capable side"):
        parse_benchmark_document(data)
    entry["criteria"][0].update(rule_out_bound=0.8, rule_in_bound=0.5)
    assert parse_benchmark_document(data)


@pytest.mark.django_db
def test_unknown_threshold_rejected(tmp_path, benchmark_data):
    data = copy.deepcopy(benchmark_data)
    _entry(data, "cybench")["criteria"][0]["threshold"] = "anthropic-rsp-2.2:cyber-9"
    path = tmp_path / "benchmarks.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(FrameworkFileError, match=r"criteria\[0\].threshold") as raised:
        load_benchmark_file(path)
    assert "'anthropic-rsp-2.2:cyber-9'" in str(raised.value)
    # One transaction: the benchmarks before the bad one were not changed either.
    assert Benchmark.objects.count() == 15


@pytest.mark.django_db
def test_bundled_zones_loaded():
    uplift = ThresholdCriterion.objects.get(benchmark__slug="bioweapons-acquisition-uplift-trial")
    assert uplift.threshold.threshold_id == "anthropic-rsp-2.2:cbrn-3"
    assert (uplift.rule_out_bound, uplift.rule_out_inclusive) == (2.8, True)
    assert (uplift.rule_in_bound, uplift.rule_in_inclusive) == (5.0, True)
    compute = ThresholdCriterion.objects.get(benchmark__slug="training-compute")
    assert compute.rule_in_bound == 1e25
    assert not compute.rule_in_inclusive
    assert Benchmark.objects.get(slug="virology-capabilities-test").saturated
    informative = ThresholdCriterion.objects.filter(rule_out_bound__isnull=True, rule_in_bound__isnull=True)
    assert {criterion.benchmark.slug for criterion in informative} == {
        "wmdp-bio", "cybench", "metr-time-horizon-50", "re-bench", "mle-bench",
    }


@pytest.mark.django_db
def test_benchmark_reload_keeps_rows():
    before = dict(ThresholdCriterion.objects.values_list("pk", "rule_in_bound"))
    load_benchmark_file(DATA_DIR / "benchmarks.yaml")
    assert dict(ThresholdCriterion.objects.values_list("pk", "rule_in_bound")) == before
