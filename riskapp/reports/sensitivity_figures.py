"""The tornado chart of a sensitivity analysis: a pure function from its result to a figure."""

import math
from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

DEFAULT_LABELS = {
    "title": "How far each input can move before the recommendation changes",
    "axis": "factor on the input (×1 = scenario value)",
    "holds": "recommendation holds",
    "open": "holds to the end of the searched range",
    "robust": "{count} more inputs change no recommendation within the searched range.",
}
ENGINE_TITLES = {"risk_matrix": "Risk matrix", "game": "Game-theoretic solver", "ara": "ARA Monte Carlo"}


def tornado_figure(result: Mapping[str, Any], *, defense_names: Mapping[str, str] | None = None,
                   labels: Mapping[str, str] | None = None,
                   engine_titles: Mapping[str, str] | None = None) -> go.Figure:
    """One panel per engine: a bar per scaled input from its lower to its upper switch factor.

    Inputs are sorted by their narrowest interval over the engines, with the most sensitive
    input at the top. A side without a switch within the searched range ends at the range's
    edge with an open marker. Shifted inputs (risk attitudes) have no factor and are not drawn here.
    """
    text = {**DEFAULT_LABELS, **(labels or {})}
    titles = {**ENGINE_TITLES, **(engine_titles or {})}
    names = defense_names or {}
    engines = list(result["options"]["engines"])
    scaled = [row for row in result["parameters"] if row["kind"] == "scale"]
    # Inputs that change no engine's recommendation anywhere in the range only crowd the chart.
    rows = [row for row in scaled if any(_switches(row["intervals"][engine]) for engine in engines)]
    # The panels share the y axis, so one order serves all of them; plotly draws the first
    # category at the bottom, hence the widest first.
    rows.sort(key=lambda row: min(_width(row["intervals"][engine]) for engine in engines), reverse=True)

    figure = make_subplots(rows=1, cols=len(engines), shared_yaxes=True,
                           subplot_titles=[titles.get(engine, engine) for engine in engines])
    for column, engine in enumerate(engines, start=1):
        ordered = rows
        lows, highs, hover, open_ends = [], [], [], []
        for row in ordered:
            interval = row["intervals"][engine]
            low = interval["low"] if interval["low"] is not None else interval["searched_low"]
            high = interval["high"] if interval["high"] is not None else interval["searched_high"]
            lows.append(low)
            highs.append(high)
            hover.append(_hover(row, interval, names))
            open_ends.append((interval["low"] is None, interval["high"] is None))
        labels_y = [_wrap(row["label"]) for row in ordered]
        figure.add_trace(go.Bar(
            y=labels_y, x=[math.log2(h) - math.log2(lo) for lo, h in zip(lows, highs, strict=True)],
            base=[math.log2(lo) for lo in lows], orientation="h", name=text["holds"],
            marker_color="#1f5fa8", hovertext=hover, hoverinfo="text", showlegend=column == 1,
        ), row=1, col=column)
        marker_labels, marker_positions = [], []
        for label, (low_open, high_open), low, high in zip(labels_y, open_ends, lows, highs, strict=True):
            if low_open:
                marker_labels.append(label)
                marker_positions.append(math.log2(low))
            if high_open:
                marker_labels.append(label)
                marker_positions.append(math.log2(high))
        figure.add_trace(go.Scatter(
            y=marker_labels, x=marker_positions,
            mode="markers", marker={"symbol": "circle-open", "size": 9, "color": "#1f5fa8"},
            name=text["open"], showlegend=column == 1, hoverinfo="skip",
        ), row=1, col=column)
        ticks = list(range(-4, 5))
        # One axis title under the middle panel: repeated under each, they overlap.
        title = text["axis"] if column == (len(engines) + 1) // 2 else None
        figure.update_xaxes(tickvals=ticks, ticktext=[_factor_text(t) for t in ticks], title_text=title,
                            row=1, col=column, zeroline=True, zerolinecolor="#555")
    title = text["title"]
    if len(scaled) > len(rows):
        title += "<br><sup>" + text["robust"].format(count=len(scaled) - len(rows)) + "</sup>"
    figure.update_layout(title=title, barmode="overlay", height=max(320, 46 * len(rows) + 200),
                         margin={"l": 20}, legend={"orientation": "h", "y": -0.12})
    figure.update_yaxes(automargin=True, tickfont={"size": 11})
    return figure


def _switches(interval: Mapping[str, Any]) -> bool:
    return interval["low"] is not None or interval["high"] is not None


def _width(interval: Mapping[str, Any]) -> float:
    low = interval["low"] if interval["low"] is not None else interval["searched_low"]
    high = interval["high"] if interval["high"] is not None else interval["searched_high"]
    return math.log2(high) - math.log2(low)


def _wrap(label: str, width: int = 56) -> str:
    """Break a long input label into lines of about ``width`` characters for the axis."""
    lines, line = [], ""
    for word in label.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def _factor_text(exponent: int) -> str:
    return f"×{2 ** exponent:g}" if exponent >= 0 else f"×1/{2 ** -exponent:g}"


def _hover(row: Mapping[str, Any], interval: Mapping[str, Any], names: Mapping[str, str]) -> str:
    parts = [f"{row['label']} (value {row['nominal']:.4g})"]
    if interval["low"] is not None:
        defense = names.get(interval["low_defense"], interval["low_defense"])
        parts.append(f"below ×{interval['low']:.3g}: {defense}")
    if interval["high"] is not None:
        defense = names.get(interval["high_defense"], interval["high_defense"])
        parts.append(f"above ×{interval['high']:.3g}: {defense}")
    return "<br>".join(parts)
