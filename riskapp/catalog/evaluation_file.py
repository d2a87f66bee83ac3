"""Reading and validating files of evaluation results, in CSV or JSON.

Both syntaxes carry the same columns. A CSV file has a header line naming them; a JSON file is
``{"format": "riskapp-evaluations/1", "results": [{...}, ...]}``. Rows are numbered from 1 in
file order, not counting the CSV header. Every row is checked before anything is stored, and
each problem is reported with its row number, field, value and rule; row 0 stands for the file.
"""

import csv
import datetime
import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet

from riskapp.catalog.models import Benchmark, EvaluationResult, FrameworkVersion, ModelProfile

FORMAT = "riskapp-evaluations/1"
REQUIRED_COLUMNS = ("model", "benchmark", "score", "unit", "date", "source_url")
OPTIONAL_COLUMNS = ("framework_version", "note")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# Row number of problems with the file as a whole.
FILE_ROW = 0

_url_validator = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    value: Any
    rule: str

    def __str__(self) -> str:
        where = "file" if self.row == FILE_ROW else f"row {self.row}"
        return f"{where}, {self.field}: {self.value!r} is invalid: {self.rule}"


class EvaluationFileError(ValueError):
    """A file of evaluation results with at least one invalid row; ``errors`` lists every problem."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


@dataclass(frozen=True)
class ResultRow:
    """A valid row, with its references resolved to catalog rows."""

    row: int
    profile: ModelProfile
    benchmark: Benchmark
    score: float
    evaluated_on: datetime.date
    source_url: str
    framework_version: FrameworkVersion | None
    note: str


def read_evaluation_file(content: bytes, filename: str, *,
                         profiles: QuerySet[ModelProfile] | None = None) -> list[ResultRow]:
    """Parse and validate an uploaded CSV or JSON file of results; raise ``EvaluationFileError``.

    ``profiles`` limits the model profiles that rows may name, for example to those the user may
    write. A row naming another profile is rejected as if the profile did not exist.
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix not in (".csv", ".json"):
        raise EvaluationFileError([RowError(FILE_ROW, "file", filename, "must end in .csv or .json")])
    try:
        # utf-8-sig also accepts the byte order mark that spreadsheet programs write.
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        rule = f"must be UTF-8 text; byte {error.start} cannot be decoded (save the file as UTF-8)"
        raise EvaluationFileError([RowError(FILE_ROW, "file", filename, rule)]) from error

    records = _csv_records(text) if suffix == ".csv" else _json_records(text)
    return validate_records(records, profiles=profiles)


def _csv_records(text: str) -> list[dict[str, Any]]:
    # A strict reader refuses malformed quoting, such as a quote that is never closed, which a
    # lenient one would read as one long cell running to the end of the file.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        return _read_csv(reader)
    except csv.Error as error:
        rule = (f"is not valid CSV in the record after line {reader.line_num}; check that every opening quote "
                "is closed")
        raise EvaluationFileError([RowError(FILE_ROW, "file", str(error), rule)]) from error


def _read_csv(reader: csv.DictReader) -> list[dict[str, Any]]:
    header = reader.fieldnames or []
    errors = [RowError(FILE_ROW, "header", column, "not a known column; expected " + ", ".join(COLUMNS))
              for column in header if column not in COLUMNS]
    errors += [RowError(FILE_ROW, "header", column, "the column is required")
               for column in REQUIRED_COLUMNS if column not in header]
    if errors:
        raise EvaluationFileError(errors)

    records = []
    for number, record in enumerate(reader, start=1):
        if None in record:  # DictReader files cells beyond the header under the key None
            raise EvaluationFileError([RowError(number, "row", record[None], "has more cells than the header")])
        # Empty optional cells mean "not given", as a missing JSON key does.
        records.append({key: value for key, value in record.items() if value not in (None, "")})
    return records


def _json_records(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        rule = f"not valid JSON at line {error.lineno}"
        raise EvaluationFileError([RowError(FILE_ROW, "file", error.msg, rule)]) from error
    if not isinstance(data, Mapping) or data.get("format") != FORMAT or not isinstance(data.get("results"), list):
        rule = f'must be an object {{"format": "{FORMAT}", "results": [...]}}'
        raise EvaluationFileError([RowError(FILE_ROW, "file", _abbreviate(data), rule)])

    records = []
    errors = []
    for number, record in enumerate(data["results"], start=1):
        if not isinstance(record, Mapping):
            errors.append(RowError(number, "row", _abbreviate(record), "must be an object"))
            continue
        errors += [RowError(number, str(key), record[key], "not a known field; expected " + ", ".join(COLUMNS))
                   for key in record if key not in COLUMNS]
        records.append(dict(record))
    if errors:
        raise EvaluationFileError(errors)
    return records


def validate_records(records: list[dict[str, Any]], *,
                     profiles: QuerySet[ModelProfile] | None = None) -> list[ResultRow]:
    """Check parsed records against the catalog and against each other; raise ``EvaluationFileError``."""
    if not records:
        raise EvaluationFileError([RowError(FILE_ROW, "file", "", "contains no result rows")])

    lookup = _Lookup(records, profiles)
    rows = []
    errors = []
    first_row_of_key: dict[tuple, int] = {}
    for number, record in enumerate(records, start=1):
        checker = _RowChecker(number, record, lookup)
        row = checker.check()
        errors += checker.errors
        if row is None:
            continue

        key = (row.profile.pk, row.benchmark.pk, row.evaluated_on, row.source_url)
        if key in first_row_of_key:
            errors.append(RowError(number, "row", _describe(row),
                                   f"duplicates row {first_row_of_key[key]} (same model, benchmark, date and source)"))
            continue
        first_row_of_key[key] = number
        rows.append(row)

    errors += _already_stored(rows)
    if errors:
        raise EvaluationFileError(errors)
    return rows


class _Lookup:
    """The catalog rows that the records name, fetched with one query per table."""

    def __init__(self, records: list[dict[str, Any]], profiles: QuerySet[ModelProfile] | None) -> None:
        def names(key: str) -> set[str]:
            return {str(record[key]) for record in records if key in record}

        if profiles is None:
            profiles = ModelProfile.objects.all()
            self.profile_rule = "not the slug of a model profile in the catalog"
        else:
            self.profile_rule = ("not the slug of a model profile that you may add results to; that needs the "
                                 "analyst role in the organisation that owns the profile")
        self.profiles = {profile.slug: profile
                         for profile in profiles.select_related("organisation").filter(slug__in=names("model"))}
        self.benchmarks = {benchmark.slug: benchmark
                           for benchmark in Benchmark.objects.filter(slug__in=names("benchmark"))}
        self.versions = {version.slug: version
                         for version in FrameworkVersion.objects.filter(slug__in=names("framework_version"))}


class _RowChecker:
    def __init__(self, number: int, record: dict[str, Any], lookup: _Lookup) -> None:
        self.number = number
        self.record = record
        self.lookup = lookup
        self.errors: list[RowError] = []

    def fail(self, field: str, rule: str) -> None:
        self.errors.append(RowError(self.number, field, self.record.get(field), rule))

    def check(self) -> ResultRow | None:
        for column in REQUIRED_COLUMNS:
            if column not in self.record:
                self.errors.append(RowError(self.number, column, "", "the field is required"))
        if self.errors:
            return None

        profile = self.lookup.profiles.get(str(self.record["model"]))
        if profile is None:
            self.fail("model", self.lookup.profile_rule)
        benchmark = self.lookup.benchmarks.get(str(self.record["benchmark"]))
        if benchmark is None:
            self.fail("benchmark", "not the slug of a benchmark in the catalog")
        score = self._score(benchmark)
        evaluated_on = self._date()
        source_url = self._url()
        version = self._version()
        note = self.record.get("note", "")
        if not isinstance(note, str):
            self.fail("note", "must be text")

        if self.errors or profile is None or benchmark is None or score is None or evaluated_on is None:
            return None
        return ResultRow(row=self.number, profile=profile, benchmark=benchmark, score=score,
                         evaluated_on=evaluated_on, source_url=source_url, framework_version=version,
                         note=" ".join(note.split()))

    def _score(self, benchmark: Benchmark | None) -> float | None:
        value = self.record["score"]
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.fail("score", "must be a number")
            return None
        try:
            score = float(value)
        except ValueError:
            self.fail("score", "must be a number, written with a decimal point")
            return None
        if not math.isfinite(score):
            self.fail("score", "must be a finite number")
            return None
        if benchmark is None:
            return score

        unit = self.record["unit"]
        if unit != benchmark.unit:
            self.fail("unit", f"must be {benchmark.unit!r}, the unit of benchmark {benchmark.slug}")
        if benchmark.minimum is not None and score < benchmark.minimum:
            self.fail("score", f"must be at least {benchmark.minimum:g}, the lowest valid score of {benchmark.slug}")
        if benchmark.maximum is not None and score > benchmark.maximum:
            self.fail("score", f"must be at most {benchmark.maximum:g}, the highest valid score of {benchmark.slug}")
        return score

    def _date(self) -> datetime.date | None:
        value = self.record["date"]
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            self.fail("date", "must be a date written YYYY-MM-DD")
            return None

    def _url(self) -> str:
        value = str(self.record["source_url"]).strip()
        try:
            _url_validator(value)
        except ValidationError:
            self.fail("source_url", "must be an http or https URL")
        return value

    def _version(self) -> FrameworkVersion | None:
        if "framework_version" not in self.record:
            return None
        version = self.lookup.versions.get(str(self.record["framework_version"]))
        if version is None:
            self.fail("framework_version", "not the slug of a framework version in the catalog")
        return version


def _already_stored(rows: list[ResultRow]) -> list[RowError]:
    if not rows:
        return []
    stored = set(EvaluationResult.objects.filter(
        profile__in={row.profile.pk for row in rows}, benchmark__in={row.benchmark.pk for row in rows},
    ).values_list("profile_id", "benchmark_id", "evaluated_on", "source_url"))
    return [RowError(row.row, "row", _describe(row), "a result with the same model, benchmark, date and source "
                                                     "is already stored")
            for row in rows if (row.profile.pk, row.benchmark.pk, row.evaluated_on, row.source_url) in stored]


def _describe(row: ResultRow) -> str:
    return f"{row.profile.slug} {row.benchmark.slug} {row.evaluated_on.isoformat()}"


def _abbreviate(value: Any) -> Any:
    text = repr(value)
    return value if len(text) <= 80 else text[:77] + "..."
