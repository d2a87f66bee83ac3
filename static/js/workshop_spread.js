// Draws the spread of a closed or revealed workshop round: one plotly chart per question.
// The facilitator's dashboard gets points with labels. The participant's page gets points
// without labels, and the participant's own point is marked "own" and highlighted.
(function () {
  "use strict";

  const OWN_COLOR = "#c62828";
  const OTHER_COLOR = "#1565c0";
  const IQR_COLOR = "rgba(21, 101, 192, 0.12)";

  // Up to 6 significant digits without trailing zeros of the fraction, as the server writes numbers.
  function format(value) {
    if (value === null || value === undefined) return "—";
    return Number(value).toPrecision(6).replace(/(\.\d*?)0+(e|$)/, "$1$2").replace(/\.(e|$)/, "$1");
  }

  function name(point, index, texts) {
    if (point.label) return point.label;
    return point.own ? texts.you : "";
  }

  function colors(points) {
    return points.map((point) => (point.own ? OWN_COLOR : OTHER_COLOR));
  }

  function sizes(points) {
    return points.map((point) => (point.own ? 14 : 9));
  }

  function rowNames(points, texts) {
    // Participants see no labels, so each row is a number (ordered by value on the server).
    return points.map((point, index) => point.label || (point.own ? texts.you : "#" + (index + 1)));
  }

  function iqrShape(stats, axis) {
    if (!stats) return [];
    const band = {type: "rect", layer: "below", line: {width: 0}, fillcolor: IQR_COLOR};
    const median = {type: "line", line: {color: OTHER_COLOR, dash: "dot", width: 1}};
    if (axis === "x") {
      return [Object.assign({}, band, {xref: "x", yref: "paper", x0: stats.q1, x1: stats.q3, y0: 0, y1: 1}),
        Object.assign({}, median, {xref: "x", yref: "paper", x0: stats.median, x1: stats.median, y0: 0, y1: 1})];
    }
    return [Object.assign({}, band, {xref: "paper", yref: "y", y0: stats.q1, y1: stats.q3, x0: 0, x1: 1})];
  }

  function matrixFigure(question, texts) {
    const points = question.points;
    const options = question.options;
    // Points in the same cell are spread a little around the cell's centre so that each is visible.
    const seen = {};
    const x = [];
    const y = [];
    points.forEach((point) => {
      const key = point.likelihood + ":" + point.consequence;
      const count = seen[key] || 0;
      seen[key] = count + 1;
      const angle = count * 2.4;
      const radius = count === 0 ? 0 : 0.12 + 0.03 * count;
      x.push(point.consequence + radius * Math.cos(angle));
      y.push(point.likelihood + radius * Math.sin(angle));
    });
    const consensus = question.consensus || {};
    return {
      data: [{type: "scatter", mode: "markers+text", x: x, y: y,
        text: points.map((point, index) => name(point, index, texts)), textposition: "top center",
        marker: {color: colors(points), size: sizes(points)}, hoverinfo: "text"}],
      layout: {
        xaxis: {title: {text: texts.consequence}, tickvals: options.consequence.map((_, i) => i),
          ticktext: options.consequence, range: [-0.5, options.consequence.length - 0.5]},
        yaxis: {title: {text: texts.likelihood}, tickvals: options.likelihood.map((_, i) => i),
          ticktext: options.likelihood, range: [-0.5, options.likelihood.length - 0.5]},
        shapes: iqrShape(consensus.likelihood, "y").concat(iqrShape(consensus.consequence, "x").slice(0, 1)),
      },
    };
  }

  function numberFigure(question, texts) {
    const points = question.points;
    const rows = rowNames(points, texts);
    const interval = question.kind === "interval";
    const trace = {type: "scatter", mode: "markers", y: rows, marker: {color: colors(points), size: sizes(points)},
      x: points.map((point) => (interval ? point.best : point.value))};
    if (interval) {
      trace.error_x = {type: "data", symmetric: false, color: "#555", thickness: 2, width: 4,
        array: points.map((point) => point.high - point.best),
        arrayminus: points.map((point) => point.best - point.low)};
    }
    const consensus = question.consensus || {};
    return {
      data: [trace],
      layout: {
        xaxis: {title: {text: interval ? texts.best : texts.value}, zeroline: false,
          range: valueRange(points, interval, question.options || {})},
        yaxis: {type: "category", autorange: "reversed"},
        shapes: iqrShape(interval ? consensus.best : consensus.value, "x"),
      },
    };
  }

  // The axis range of the answers with a margin, kept within the bounds the quantity can take, so
  // that a probability axis never runs below 0 or above 1, also with a single answer.
  function valueRange(points, interval, options) {
    const values = points.flatMap((point) => (interval ? [point.low, point.high, point.best] : [point.value]));
    if (!values.length) return undefined;
    let low = Math.min(...values);
    let high = Math.max(...values);
    const margin = high > low ? (high - low) * 0.1 : Math.max(Math.abs(low) * 0.1, 0.05);
    low -= margin;
    high += margin;
    if (options.lower_bound !== null && options.lower_bound !== undefined) low = Math.max(low, options.lower_bound);
    if (options.upper_bound !== null && options.upper_bound !== undefined) high = Math.min(high, options.upper_bound);
    return [low, high];
  }

  // The interquartile range of band indexes by its bounds: a whole quartile by its band's label,
  // a quartile between two bands as "between A and B", so that the reader sees where it lies.
  function bandRange(stats, bands, texts) {
    if (Number.isInteger(stats.q1) && Number.isInteger(stats.q3)) {
      if (stats.q1 === stats.q3) return bands[stats.q1];
      return texts.bandRange.replace("{low}", bands[stats.q1]).replace("{high}", bands[stats.q3]);
    }
    function quartile(value) {
      if (Number.isInteger(value)) return bands[value];
      const below = Math.floor(value);
      return texts.bandBetween.replace("{below}", bands[below]).replace("{above}", bands[below + 1]);
    }
    if (stats.q1 === stats.q3) return quartile(stats.q1);
    return texts.bandFromTo.replace("{low}", quartile(stats.q1)).replace("{high}", quartile(stats.q3));
  }

  function summary(question, texts) {
    const consensus = question.consensus;
    if (!consensus) return texts.noAnswers || "";
    const parts = [];
    function spreadText(stats, title, bands) {
      // A band's median is a band index, shown by the band's label.
      const median = bands ? bands[stats.median] : format(stats.median);
      const range = bands ? bandRange(stats, bands, texts) : "[" + format(stats.q1) + ", " + format(stats.q3) + "]";
      let text = (title ? title + ": " : "") + texts.median + " " + median + " · " + texts.iqr + " " + range;
      if (stats.outliers && stats.outliers.length) text += " · " + texts.outliers + ": " + stats.outliers.join(", ");
      return text;
    }
    if (question.kind === "matrix_cell") {
      for (const axis of ["likelihood", "consequence"]) {
        const stats = consensus[axis];
        let text = spreadText(stats, texts[axis], question.options[axis]);
        if (texts.modalShare) text += " · " + texts.modalShare + " " + Math.round(100 * stats.modal_share) + "%";
        parts.push(text);
      }
    } else if (question.kind === "probability") {
      parts.push(spreadText(consensus.value, texts.value));
    } else {
      parts.push(spreadText(consensus.best, texts.best));
      if (texts.overlap && consensus.overlap) {
        parts.push(texts.overlap + " " + Math.round(100 * consensus.overlap.overlap_share) + "%" +
          (consensus.overlap.all_overlap ? " · " + texts.allOverlap : ""));
      }
    }
    return parts.join(" — ");
  }

  function render(container, revealed, texts) {
    const seen = new Set();
    for (const question of revealed.questions) {
      seen.add(String(question.id));
      let block = container.querySelector('[data-question="' + question.id + '"]');
      if (!block) {
        block = document.createElement("div");
        block.className = "spread-question";
        block.dataset.question = question.id;
        const heading = document.createElement("h3");
        heading.textContent = "Q" + question.position + ". " + question.text;
        const stats = document.createElement("p");
        stats.className = "muted consensus";
        const chart = document.createElement("div");
        chart.className = "spread-chart";
        const rationales = document.createElement("ul");
        rationales.className = "rationales";
        block.append(heading, stats, chart, rationales);
        container.appendChild(block);
      }
      block.querySelector(".consensus").textContent = summary(question, texts);
      const list = block.querySelector(".rationales");
      list.replaceChildren();
      for (const rationale of question.rationales || []) {
        const item = document.createElement("li");
        item.textContent = rationale;
        list.appendChild(item);
      }
      const chart = block.querySelector(".spread-chart");
      if (!question.points.length || typeof Plotly === "undefined") {
        chart.hidden = true;
        continue;
      }
      chart.hidden = false;
      const figure = question.kind === "matrix_cell" ? matrixFigure(question, texts) : numberFigure(question, texts);
      const rows = question.kind === "matrix_cell" ? 0 : question.points.length;
      figure.layout.height = question.kind === "matrix_cell" ? 320 : Math.max(160, 70 + 28 * rows);
      figure.layout.margin = {l: 110, r: 20, t: 10, b: 45};
      figure.layout.showlegend = false;
      Plotly.react(chart, figure.data, figure.layout, {displayModeBar: false, responsive: true});
    }
    container.querySelectorAll(".spread-question").forEach((block) => {
      if (!seen.has(block.dataset.question)) block.remove();
    });
  }

  window.WorkshopSpread = {render: render, summary: summary, format: format, bandRange: bandRange};
})();
