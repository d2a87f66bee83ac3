"""Read-only catalog pages. The catalog restates public documents, so anyone may read it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from riskapp.catalog import selectors


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/index.html", {"frameworks": selectors.list_frameworks()})


@require_safe
def version_detail(request: HttpRequest, version_slug: str) -> HttpResponse:
    version = selectors.get_version_or_404(version_slug)
    levels = []
    for level in selectors.list_levels(version):
        required = selectors.required_measures(level)
        levels.append({
            "level": level,
            "own": selectors.split_by_kind(level.measures.all()),
            "required": selectors.split_by_kind(required),
            "required_count": len(required),
        })

    context = {
        "version": version,
        "levels": levels,
        "sources": version.sources.all(),
        "threat_actor_tiers": version.threat_actor_tiers.select_related("countered_by").order_by("order"),
    }
    return render(request, "catalog/version_detail.html", context)


@require_safe
def level_detail(request: HttpRequest, version_slug: str, level_slug: str) -> HttpResponse:
    version = selectors.get_version_or_404(version_slug)
    level = selectors.get_level_or_404(version, level_slug)
    context = {
        "version": version,
        "level": level,
        "own": selectors.split_by_kind(level.measures.select_related("supersedes").order_by("kind", "pk")),
        "required": selectors.split_by_kind(selectors.required_measures(level)),
        "threat_actor_tiers": level.countered_tiers.order_by("order"),
    }
    return render(request, "catalog/level_detail.html", context)
