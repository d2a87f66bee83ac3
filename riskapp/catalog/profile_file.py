"""Reading and validating model profile data files (format ``riskapp-model-profile/1``).

A file describes one model profile, its sources, the measures in place for it (as measure ids)
and its evaluation results, with the same fields as an import file except ``model``. References
to the catalog are checked by the loader, ``services.load_model_profile_file``.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from riskapp.catalog.framework_file import FrameworkFileError
from riskapp.catalog.framework_file import _Node as Node

FORMAT = "riskapp-model-profile/1"


@dataclass(frozen=True)
class ProfileResultData:
    benchmark: str
    score: float
    unit: str
    evaluated_on: datetime.date
    source_url: str
    framework_version: str | None
    note: str
    path: str


@dataclass(frozen=True)
class ProfileDocument:
    slug: str
    name: str
    developer: str
    release_date: datetime.date | None
    description: str
    source_url: str
    sources: tuple[tuple[str, str], ...]  # (url, title)
    measures_in_place: tuple[str, ...]
    results: tuple[ProfileResultData, ...]


def read_profile_file(path: str | Path) -> ProfileDocument:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise FrameworkFileError(str(path), path.name, f"not valid YAML: {error}") from error
    return parse_profile_document(data)


def parse_profile_document(data: Any) -> ProfileDocument:
    root = Node(data, "")
    root.check_keys(required={"format", "profile", "sources"}, optional={"measures_in_place", "results"})
    if root.get("format").value != FORMAT:
        raise FrameworkFileError("format", root.get("format").value, f"must be {FORMAT!r}")
    profile = root.get("profile")
    profile.check_keys(required={"slug", "name", "developer", "source_url"},
                       optional={"release_date", "description"})

    sources = []
    for node in root.get("sources").items(min_length=1):
        node.check_keys(required={"url", "title"})
        sources.append((node.get("url").url(), node.get("title").text(max_length=300)))
    measures = tuple(node.text(max_length=200) for node in root.get("measures_in_place", []).items())
    if len(set(measures)) != len(measures):
        raise FrameworkFileError("measures_in_place", list(measures), "must not list a measure twice")

    return ProfileDocument(
        slug=profile.get("slug").slug(),
        name=profile.get("name").text(max_length=200),
        developer=profile.get("developer").text(max_length=200),
        release_date=profile.get("release_date", None).date_or_none(),
        description=profile.get("description", "").text(allow_empty=True),
        source_url=profile.get("source_url").url(),
        sources=tuple(sources),
        measures_in_place=measures,
        results=tuple(_parse_result(node) for node in root.get("results", []).items()),
    )


def _parse_result(node: Node) -> ProfileResultData:
    node.check_keys(required={"benchmark", "score", "unit", "date", "source_url"},
                    optional={"framework_version", "note"})
    version = node.get("framework_version", None)
    evaluated_on = node.get("date").date_or_none()
    if evaluated_on is None:
        raise FrameworkFileError(f"{node.path}.date", None, "must be a date written YYYY-MM-DD")
    return ProfileResultData(
        benchmark=node.get("benchmark").slug(),
        score=node.get("score").number(),
        unit=node.get("unit").text(max_length=20),
        evaluated_on=evaluated_on,
        source_url=node.get("source_url").url(),
        framework_version=None if version.value is None else version.slug(),
        note=node.get("note", "").text(allow_empty=True),
        path=node.path,
    )
