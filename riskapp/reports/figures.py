"""Plotly figures of assessment results: pure functions from result dictionaries to figures.

Every builder takes result dictionaries in the shape of ``AssessmentResult.to_dict()``, the
human names of the scenario's defenses, attacks and outcomes, and a ``labels`` mapping of
already-translated titles and axis labels. The module imports no Django and reads no
database, so a figure can be built and tested from a hand-made dictionary.
"""

import html
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from riskapp.engines.problem import RiskMatrixConfig

# Error bars and bands span this many standard errors either side of an estimate.
ERROR_BAR_SE = 2

# Per-defense panels are laid out in rows of at most this many subplots.
PANELS_PER_ROW = 3

# Long names wrap onto several lines after about this many characters.
TICK_LABEL_WIDTH = 22
PANEL_TITLE_WIDTH = 40

# The legend sits at the bottom of the whole figure, below every row's axis titles.
LEGEND_BELOW = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0, "xanchor": "left"}

GAME_COLOR = "#1f5fa8"
ARA_COLOR = "#c2571a"

# English defaults; the web layer passes translated strings under the same keys.
DEFAULT_LABELS: dict[str, str] = {
    "expected_utility_title": "Expected defender utility per defense",
    "expected_utility_axis": "Expected defender utility",
    "defense_axis": "Defense",
    "game_trace": "Game-theoretic solver",
    "ara_trace": "ARA Monte Carlo (error bars: ± 2 standard errors)",
    "attack_probability_title": "Predicted attack probabilities per defense",
    "attack_probability_axis": "Probability of attack p(a | d)",
    "attack_axis": "Attack",
    "game_best_response": "Game-theoretic solver: attacker's best response",
    "ara_attack_trace": "ARA Monte Carlo p̂(a | d) (error bars: ± 2 standard errors)",
    "risk_matrix_title": "Risk matrix: rated threats per defense",
    "likelihood_axis": "Likelihood",
    "consequence_axis": "Consequence",
    "risk_level": "Risk level",
    "rated_threats": "Rated threats",
    "convergence_title": "ARA convergence: running expected defender utility ψ̂(d)",
    "convergence_axis": "Expected defender utility ψ̂(d)",
    "draws_axis": "Draws",
    "convergence_band": "± 2 standard errors",
    "recommended": "recommended",
}


@dataclass(frozen=True)
class Names:
    """Human names of a scenario's defenses, attacks and outcomes, keyed by id in file order."""

    defenses: Mapping[str, str]
    attacks: Mapping[str, str]
    outcomes: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> "Names":
        """Read the names from a scenario file's ``defenses``, ``attacks`` and ``outcomes`` lists."""

        def read(key: str) -> dict[str, str]:
            return {item["id"]: item.get("name") or item["id"] for item in document.get(key, [])}

        return cls(defenses=read("defenses"), attacks=read("attacks"), outcomes=read("outcomes"))

    def defense(self, defense_id: str) -> str:
        return self.defenses.get(defense_id, defense_id)

    def attack(self, attack_id: str) -> str:
        return self.attacks.get(attack_id, attack_id)


@dataclass(frozen=True)
class MatrixLayout:
    """The parts of a risk matrix a heatmap needs: band labels, level labels and colors, grid.

    ``grid[i][j]`` is the level index for likelihood band ``i`` and consequence band ``j``,
    lowest first, as in the scenario file.
    """

    likelihood: tuple[str, ...]
    consequence: tuple[str, ...]
    level_labels: tuple[str, ...]
    level_colors: tuple[str, ...]
    grid: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if len(self.level_labels) != len(self.level_colors) or not self.level_labels:
            raise ValueError("risk_matrix.levels: each level needs a label and a color, and at least one is required")
        if len(self.grid) != len(self.likelihood):
            raise ValueError(
                f"risk_matrix.grid: has {len(self.grid)} rows, "
                f"expected one per likelihood band ({len(self.likelihood)})"
            )
        for i, row in enumerate(self.grid):
            if len(row) != len(self.consequence):
                raise ValueError(
                    f"risk_matrix.grid[{i}]: has {len(row)} cells, "
                    f"expected one per consequence band ({len(self.consequence)})"
                )
            for j, level in enumerate(row):
                if not 0 <= level < len(self.level_labels):
                    raise ValueError(
                        f"risk_matrix.grid[{i}][{j}]: level {level!r} is not an index "
                        f"into the {len(self.level_labels)} levels"
                    )

    @classmethod
    def from_config(cls, config: RiskMatrixConfig) -> "MatrixLayout":
        return cls(
            likelihood=tuple(band.label for band in config.likelihood),
            consequence=tuple(band.label for band in config.consequence),
            level_labels=tuple(level.label for level in config.levels),
            level_colors=tuple(level.color for level in config.levels),
            grid=tuple(tuple(row) for row in config.grid),
        )

    @classmethod
    def from_mapping(cls, matrix: Mapping[str, Any]) -> "MatrixLayout":
        """Read a complete ``risk_matrix`` section in the scenario file's shape."""
        return cls(
            likelihood=tuple(band["label"] for band in matrix["likelihood"]),
            consequence=tuple(band["label"] for band in matrix["consequence"]),
            level_labels=tuple(level["label"] for level in matrix["levels"]),
            level_colors=tuple(level["color"] for level in matrix["levels"]),
            grid=tuple(tuple(row) for row in matrix["grid"]),
        )

    def cell_of(self, likelihood: str, consequence: str, *, path: str) -> tuple[int, int]:
        """Return the (likelihood band, consequence band) indices of a rating given by band labels."""
        if likelihood not in self.likelihood:
            raise ValueError(f"{path}.likelihood: {likelihood!r} is not one of the bands {list(self.likelihood)}")
        if consequence not in self.consequence:
            raise ValueError(f"{path}.consequence: {consequence!r} is not one of the bands {list(self.consequence)}")
        return self.likelihood.index(likelihood), self.consequence.index(consequence)


# Values of ``MatrixOrientation.likelihood_on``: the likelihood bands run along the heatmap's
# rows (the y axis) or its columns (the x axis).
LIKELIHOOD_ON = ("rows", "columns")


@dataclass(frozen=True)
class MatrixOrientation:
    """The heatmap's layout of the matrix; it never changes the logical cell of a rating.

    By default likelihood runs along the rows, rising upwards, and consequence along the
    columns, rising to the right. A reversed axis runs from its highest band down.
    """

    likelihood_on: str = "rows"
    reverse_likelihood: bool = False
    reverse_consequence: bool = False

    def __post_init__(self) -> None:
        if self.likelihood_on not in LIKELIHOOD_ON:
            raise ValueError(f"orientation.likelihood_on: {self.likelihood_on!r} is not one of {list(LIKELIHOOD_ON)}")

    def position(self, cell: tuple[int, int], shape: tuple[int, int]) -> tuple[int, int]:
        """Return the (x, y) heatmap position of logical cell (likelihood band, consequence band)."""
        (i, j), (rows, cols) = cell, shape
        likelihood = rows - 1 - i if self.reverse_likelihood else i
        consequence = cols - 1 - j if self.reverse_consequence else j
        if self.likelihood_on == "rows":
            return consequence, likelihood
        return likelihood, consequence

    def display_shape(self, shape: tuple[int, int]) -> tuple[int, int]:
        """Return the heatmap's (columns, rows) for a matrix of ``shape`` = (likelihood bands, consequence bands)."""
        rows, cols = shape
        return (cols, rows) if self.likelihood_on == "rows" else (rows, cols)


def expected_utility_figure(
    game: Mapping[str, Any] | None,
    ara: Mapping[str, Any] | None,
    names: Names,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Draw expected defender utility per defense, game and ARA side by side, ARA with ± 2 SE bars."""
    text = _labels(labels)
    defense_ids = list(names.defenses)
    x = [_display(names.defense(d), TICK_LABEL_WIDTH) for d in defense_ids]
    figure = go.Figure()

    if game is not None:
        utilities = [_defense_value(game, d, "expected_utility") for d in defense_ids]
        figure.add_trace(
            go.Bar(
                name=text["game_trace"],
                x=x,
                y=utilities,
                marker_color=GAME_COLOR,
                customdata=[[d, _recommended_mark(game, d, text)] for d in defense_ids],
                hovertemplate="%{x} (%{customdata[0]})%{customdata[1]}<br>%{y:.6g}<extra>%{fullData.name}</extra>",
            )
        )

    if ara is not None:
        utilities = [_defense_value(ara, d, "expected_utility") for d in defense_ids]
        errors = [_error_bar(_defense_value(ara, d, "standard_error")) for d in defense_ids]
        figure.add_trace(
            go.Bar(
                name=text["ara_trace"],
                x=x,
                y=utilities,
                marker_color=ARA_COLOR,
                error_y={"type": "data", "array": errors, "visible": True},
                customdata=[[d, _recommended_mark(ara, d, text), e] for d, e in zip(defense_ids, errors, strict=True)],
                hovertemplate=(
                    "%{x} (%{customdata[0]})%{customdata[1]}<br>%{y:.6g} ± %{customdata[2]:.3g}"
                    "<extra>%{fullData.name}</extra>"
                ),
            )
        )

    figure.update_layout(
        title={"text": text["expected_utility_title"]},
        barmode="group",
        xaxis_title=text["defense_axis"],
        yaxis_title=text["expected_utility_axis"],
        legend=LEGEND_BELOW,
        margin={"b": 100},
    )
    return figure


def attack_probability_figure(
    game: Mapping[str, Any] | None,
    ara: Mapping[str, Any] | None,
    names: Names,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Draw one panel per defense: ARA ``p̂(a | d)`` with ± 2 SE bars beside the game's best response.

    Bars are horizontal, attacks listed top to bottom in file order, so that long attack names
    stay readable beside the first panel of each row.
    """
    text = _labels(labels)
    defense_ids = list(names.defenses)
    attack_ids = list(names.attacks)
    y = [_display(names.attack(a), TICK_LABEL_WIDTH) for a in attack_ids]
    figure = _panel_grid(names, defense_ids, horizontal_spacing=0.04, shared_yaxes=True)

    for index, defense_id in enumerate(defense_ids):
        row, col = divmod(index, PANELS_PER_ROW)
        position = {"row": row + 1, "col": col + 1}
        customdata = [[defense_id, a] for a in attack_ids]
        hovertemplate = "%{y} (%{customdata[1]})<br>d = %{customdata[0]}<br>%{x:.4g}<extra>%{fullData.name}</extra>"

        if game is not None:
            response = _defense_value(game, defense_id, "attack_probabilities") or {}
            figure.add_trace(
                go.Bar(
                    name=text["game_best_response"],
                    legendgroup="game",
                    showlegend=index == 0,
                    orientation="h",
                    y=y,
                    x=[response.get(a) for a in attack_ids],
                    marker_color=GAME_COLOR,
                    customdata=customdata,
                    hovertemplate=hovertemplate,
                ),
                **position,
            )

        if ara is not None:
            probabilities = _defense_value(ara, defense_id, "attack_probabilities") or {}
            errors = _defense_value(ara, defense_id, "attack_probability_errors") or {}
            figure.add_trace(
                go.Bar(
                    name=text["ara_attack_trace"],
                    legendgroup="ara",
                    showlegend=index == 0,
                    orientation="h",
                    y=y,
                    x=[probabilities.get(a) for a in attack_ids],
                    marker_color=ARA_COLOR,
                    error_x={"type": "data", "array": [_error_bar(errors.get(a)) for a in attack_ids], "visible": True},
                    customdata=customdata,
                    hovertemplate=hovertemplate,
                ),
                **position,
            )

    # Probabilities: one shared scale from 0 to just above 1 so the error bars stay visible.
    figure.update_xaxes(range=[0, 1.1])
    figure.update_xaxes(title_text=text["attack_probability_axis"], row=_last_row(len(defense_ids)))
    figure.update_yaxes(autorange="reversed")
    figure.update_yaxes(title_text=text["attack_axis"], col=1)
    figure.update_layout(
        title={"text": text["attack_probability_title"]},
        barmode="group",
        height=_panel_height(len(defense_ids)),
        legend=LEGEND_BELOW,
    )
    return figure


def risk_matrix_figure(
    risk_matrix: Mapping[str, Any] | None,
    matrix: MatrixLayout,
    names: Names,
    labels: Mapping[str, str] | None = None,
    *,
    orientation: MatrixOrientation | None = None,
) -> go.Figure:
    """Draw the risk-matrix heatmap once per defense with that defense's rated threats in their cells.

    The cells are colored by risk level with the matrix's own colors. Each cell that contains rated
    threats shows their count, and hovering over it lists their names and ids. ``orientation``
    chooses the axis of each band and its direction. Every heatmap cell and threat marker carries
    its logical (likelihood band, consequence band) labels in ``customdata``.
    """
    text = _labels(labels)
    orientation = orientation or MatrixOrientation()
    defense_ids = list(names.defenses)
    ratings = (risk_matrix or {}).get("ratings") or {}
    figure = _panel_grid(names, defense_ids, horizontal_spacing=0.04, shared_yaxes=True)

    z, cell_text, customdata = _oriented_grid(matrix, orientation)
    for index, defense_id in enumerate(defense_ids):
        row, col = divmod(index, PANELS_PER_ROW)
        position = {"row": row + 1, "col": col + 1}
        figure.add_trace(
            go.Heatmap(
                z=z,
                x=list(range(len(z[0]))),
                y=list(range(len(z))),
                coloraxis="coloraxis",
                text=cell_text,
                xgap=2,
                ygap=2,
                hovertemplate=(
                    f"{text['likelihood_axis']}: %{{customdata[0]}}<br>"
                    f"{text['consequence_axis']}: %{{customdata[1]}}<br>"
                    f"{text['risk_level']}: %{{text}}<extra></extra>"
                ),
                customdata=customdata,
            ),
            **position,
        )

        cells = _threats_by_cell(ratings.get(defense_id) or {}, matrix, names, path=f"ratings.{defense_id}")
        if cells:
            markers = _threat_markers(cells, matrix, orientation, names, text, show_legend=index == 0)
            figure.add_trace(markers, **position)

    x_labels, y_labels = _oriented_ticks(matrix, orientation)
    if orientation.likelihood_on == "rows":
        x_title, y_title = text["consequence_axis"], text["likelihood_axis"]
    else:
        x_title, y_title = text["likelihood_axis"], text["consequence_axis"]
    band_axes = {"showgrid": False, "zeroline": False}
    figure.update_xaxes(
        tickvals=list(range(len(x_labels))), ticktext=x_labels, range=[-0.5, len(x_labels) - 0.5], **band_axes
    )
    figure.update_yaxes(
        tickvals=list(range(len(y_labels))), ticktext=y_labels, range=[-0.5, len(y_labels) - 0.5], **band_axes
    )
    figure.update_xaxes(title_text=x_title, row=_last_row(len(defense_ids)))
    figure.update_yaxes(title_text=y_title, col=1)
    levels = len(matrix.level_labels)
    figure.update_layout(
        title={"text": text["risk_matrix_title"]},
        height=_panel_height(len(defense_ids)),
        coloraxis={
            "colorscale": _stepped_colorscale(matrix.level_colors),
            "cmin": -0.5,
            "cmax": levels - 0.5,
            "colorbar": {
                "title": {"text": text["risk_level"]},
                "tickvals": list(range(levels)),
                "ticktext": list(matrix.level_labels),
            },
        },
        legend=LEGEND_BELOW,
    )
    return figure


def convergence_figure(
    ara: Mapping[str, Any] | None,
    names: Names,
    labels: Mapping[str, str] | None = None,
) -> go.Figure | None:
    """Draw ARA's running ψ̂(d) per defense against draws with its ± 2 SE band; None without data.

    Reads the result's ``convergence`` section in either of two forms:
    ``{"draws": [...], "expected_utility": {id: [...]}, "standard_error": {id: [...]}}``, as the
    ARA engine writes it, or ``{"draws": [...], "defenses": {id: {"estimate": [...],
    "standard_error": [...]}}}``.
    """
    convergence = (ara or {}).get("convergence")
    if not convergence or not convergence.get("draws"):
        return None

    text = _labels(labels)
    draws = list(convergence["draws"])
    series = _convergence_series(convergence)
    ordered = [d for d in names.defenses if d in series] + [d for d in series if d not in names.defenses]
    figure = _panel_grid(names, ordered, horizontal_spacing=0.08)

    for index, defense_id in enumerate(ordered):
        estimate, standard_error = series[defense_id]
        for path, values in (
            (f"convergence.{defense_id}.estimate", estimate),
            (f"convergence.{defense_id}.standard_error", standard_error),
        ):
            if len(values) != len(draws):
                raise ValueError(f"{path}: has {len(values)} values, expected one per draw count ({len(draws)})")

        row, col = divmod(index, PANELS_PER_ROW)
        position = {"row": row + 1, "col": col + 1}
        name = html.escape(names.defense(defense_id), quote=False)
        lower = [m - ERROR_BAR_SE * s for m, s in zip(estimate, standard_error, strict=True)]
        upper = [m + ERROR_BAR_SE * s for m, s in zip(estimate, standard_error, strict=True)]
        band = {
            "mode": "lines",
            "line": {"width": 0, "color": ARA_COLOR},
            "legendgroup": "band",
            "hoverinfo": "skip",
            "name": text["convergence_band"],
        }
        figure.add_trace(go.Scatter(x=draws, y=upper, showlegend=False, **band), **position)
        figure.add_trace(
            go.Scatter(
                x=draws,
                y=lower,
                fill="tonexty",
                fillcolor=_translucent(ARA_COLOR),
                showlegend=index == 0,
                **band,
            ),
            **position,
        )
        figure.add_trace(
            go.Scatter(
                x=draws,
                y=estimate,
                mode="lines+markers",
                name=name,
                showlegend=False,
                line={"color": ARA_COLOR},
                customdata=[[defense_id, s] for s in standard_error],
                hovertemplate="%{fullData.name} (%{customdata[0]})<br>%{x} → %{y:.6g} ± 2 × %{customdata[1]:.3g}"
                "<extra></extra>",
            ),
            **position,
        )

    figure.update_xaxes(title_text=text["draws_axis"], row=_last_row(len(ordered)))
    figure.update_yaxes(title_text=text["convergence_axis"], col=1)
    figure.update_layout(
        title={"text": text["convergence_title"]},
        height=_panel_height(len(ordered)),
        legend=LEGEND_BELOW,
    )
    return figure


def _convergence_series(convergence: Mapping[str, Any]) -> dict[str, tuple[list[float], list[float]]]:
    """Return ``{defense id: (running estimates, their standard errors)}`` from either form."""
    if "defenses" in convergence:
        return {d: (list(s["estimate"]), list(s["standard_error"])) for d, s in convergence["defenses"].items()}

    estimates = convergence.get("expected_utility") or {}
    errors = convergence.get("standard_error") or {}
    series = {}
    for defense_id, values in estimates.items():
        if defense_id not in errors:
            raise ValueError(
                f"convergence.standard_error.{defense_id}: missing, "
                "every defense with running estimates needs their standard errors"
            )
        series[defense_id] = (list(values), list(errors[defense_id]))
    return series


def _labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    return {**DEFAULT_LABELS, **(labels or {})}


def _defense_value(result: Mapping[str, Any], defense_id: str, key: str) -> Any:
    defense = (result.get("defenses") or {}).get(defense_id)
    return None if defense is None else defense.get(key)


def _error_bar(standard_error: float | None) -> float | None:
    return None if standard_error is None else ERROR_BAR_SE * standard_error


def _recommended_mark(result: Mapping[str, Any], defense_id: str, text: Mapping[str, str]) -> str:
    return f" · {text['recommended']}" if result.get("recommended_defense") == defense_id else ""


def _panel_grid(
    names: Names, defense_ids: Sequence[str], *, horizontal_spacing: float, shared_yaxes: bool = False
) -> go.Figure:
    """Return an empty subplot grid with one panel per defense titled by its name, at most three per row."""
    cols = min(len(defense_ids), PANELS_PER_ROW) or 1
    rows = _last_row(len(defense_ids))
    figure = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[_display(names.defense(d), PANEL_TITLE_WIDTH) for d in defense_ids],
        horizontal_spacing=horizontal_spacing,
        vertical_spacing=0.3 / rows,
        shared_yaxes=shared_yaxes,
    )
    figure.update_annotations(font_size=12)
    # Room above the first row for the figure title and a panel title of two lines.
    figure.update_layout(margin={"t": 120, "b": 100})
    return figure


def _display(name: str, width: int) -> str:
    """Return a name as plotly text: HTML special characters escaped, wrapped with <br> after ``width``."""
    lines = textwrap.wrap(name, width=width, break_long_words=False) or [name]
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def _last_row(panels: int) -> int:
    return max(1, math.ceil(panels / PANELS_PER_ROW))


def _panel_height(panels: int) -> int:
    """Figure height in pixels: 360 per row of panels plus room for the title and legend."""
    return 160 + 360 * _last_row(panels)


def _threats_by_cell(
    ratings: Mapping[str, Mapping[str, Any]],
    matrix: MatrixLayout,
    names: Names,
    *,
    path: str,
) -> dict[tuple[int, int], list[str]]:
    """Group one defense's rated threats by (likelihood band, consequence band) cell, in file order."""
    ordered = [a for a in names.attacks if a in ratings] + [a for a in ratings if a not in names.attacks]
    cells: dict[tuple[int, int], list[str]] = {}
    for attack_id in ordered:
        rating = ratings[attack_id]
        cell = matrix.cell_of(rating["likelihood"], rating["consequence"], path=f"{path}.{attack_id}")
        cells.setdefault(cell, []).append(attack_id)
    return cells


def _oriented_grid(
    matrix: MatrixLayout, orientation: MatrixOrientation
) -> tuple[list[list[int]], list[list[str]], list[list[list[str]]]]:
    """Lay out the level indices, level labels and logical band labels as heatmap rows, bottom row first."""
    shape = (len(matrix.likelihood), len(matrix.consequence))
    width, height = orientation.display_shape(shape)
    z = [[0] * width for _ in range(height)]
    cell_text = [[""] * width for _ in range(height)]
    customdata: list[list[list[str]]] = [[[] for _ in range(width)] for _ in range(height)]
    for i, row_levels in enumerate(matrix.grid):
        for j, level in enumerate(row_levels):
            x, y = orientation.position((i, j), shape)
            z[y][x] = level
            cell_text[y][x] = matrix.level_labels[level]
            customdata[y][x] = [matrix.likelihood[i], matrix.consequence[j]]
    return z, cell_text, customdata


def _oriented_ticks(matrix: MatrixLayout, orientation: MatrixOrientation) -> tuple[list[str], list[str]]:
    """Return the band labels along the x axis and along the y axis, in position order."""
    shape = (len(matrix.likelihood), len(matrix.consequence))
    width, height = orientation.display_shape(shape)
    x_labels, y_labels = [""] * width, [""] * height
    for i, likelihood in enumerate(matrix.likelihood):
        for j, consequence in enumerate(matrix.consequence):
            x, y = orientation.position((i, j), shape)
            x_labels[x], y_labels[y] = (consequence, likelihood) if orientation.likelihood_on == "rows" else (
                likelihood, consequence)
    return x_labels, y_labels


def _threat_markers(
    cells: Mapping[tuple[int, int], list[str]],
    matrix: MatrixLayout,
    orientation: MatrixOrientation,
    names: Names,
    text: Mapping[str, str],
    *,
    show_legend: bool,
) -> go.Scatter:
    """Return one marker per occupied cell showing how many threats it contains; hover names them.

    Names would overflow the cells of a 5 × 5 grid, so they appear only on hover. Each marker's
    ``customdata`` is its logical cell's band labels followed by the threats' attack ids.
    """
    shape = (len(matrix.likelihood), len(matrix.consequence))
    x, y, counts, hover, customdata = [], [], [], [], []
    for (i, j), attack_ids in cells.items():
        column, row = orientation.position((i, j), shape)
        x.append(column)
        y.append(row)
        counts.append(str(len(attack_ids)))
        customdata.append([matrix.likelihood[i], matrix.consequence[j], *attack_ids])
        threats = [f"{html.escape(names.attack(a), quote=False)} ({a})" for a in attack_ids]
        hover.append("<br>".join([f"<b>{text['rated_threats']}: {len(attack_ids)}</b>", *threats]))
    return go.Scatter(
        x=x,
        y=y,
        customdata=customdata,
        mode="markers+text",
        text=counts,
        textposition="middle center",
        name=text["rated_threats"],
        legendgroup="threats",
        showlegend=show_legend,
        hovertext=hover,
        hoverinfo="text",
        marker={"symbol": "circle", "size": 22, "color": "#ffffff", "line": {"width": 2, "color": "#1d2330"}},
        textfont={"color": "#1d2330", "size": 13},
    )


def _stepped_colorscale(colors: Sequence[str]) -> list[list[Any]]:
    """Return a colorscale that is flat over each level's unit interval, so a level gets exactly its color."""
    steps = len(colors)
    scale: list[list[Any]] = []
    for index, color in enumerate(colors):
        scale.append([index / steps, color])
        scale.append([(index + 1) / steps, color])
    return scale


def _translucent(hex_color: str, opacity: float = 0.2) -> str:
    red, green, blue = (int(hex_color[k : k + 2], 16) for k in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {opacity})"
