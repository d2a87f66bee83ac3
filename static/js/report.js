// Draws the comparison page's figures with the locally served plotly.js. While any run is queued
// or running, it polls the page's data endpoint every second and redraws what changed.
(function () {
  "use strict";

  var POLL_MILLISECONDS = 1000;
  // After a failed request the delay doubles, up to this ceiling, so a down server is not hammered.
  var MAX_RETRY_MILLISECONDS = 30000;
  var PLOT_CONFIG = { responsive: true, displaylogo: false };

  var root = document.getElementById("comparison");
  if (!root || typeof Plotly === "undefined") {
    return;
  }

  function draw(key, figure) {
    var element = document.getElementById("figure-" + key);
    var placeholder = document.getElementById("figure-" + key + "-placeholder");
    if (!element) {
      return;
    }
    if (!figure) {
      Plotly.purge(element);
      element.hidden = true;
      if (placeholder) {
        placeholder.hidden = false;
      }
      return;
    }
    if (placeholder) {
      placeholder.hidden = true;
    }
    // Unhide first: plotly measures the element's width when it draws.
    element.hidden = false;
    Plotly.react(element, figure.data, figure.layout, PLOT_CONFIG);
  }

  function drawInitialFigures() {
    var elements = root.querySelectorAll("[data-figure]");
    for (var i = 0; i < elements.length; i += 1) {
      var key = elements[i].getAttribute("data-figure");
      var source = document.getElementById("figure-" + key + "-data");
      draw(key, source ? JSON.parse(source.textContent) : null);
    }
  }

  var dataUrl = root.getAttribute("data-data-url");
  var version = root.getAttribute("data-version");
  var resultsVersion = root.getAttribute("data-results-version");
  var summary = document.getElementById("comparison-summary");

  function apply(data) {
    if (data.changed) {
      version = data.version;
      summary.innerHTML = data.summary_html;
    }
    if (data.figures) {
      resultsVersion = data.results_version;
      Object.keys(data.figures).forEach(function (key) {
        draw(key, data.figures[key]);
      });
    }
  }

  function poll(delay) {
    window.setTimeout(function () {
      var query = "?known=" + encodeURIComponent(version) + "&known_results=" + encodeURIComponent(resultsVersion);
      fetch(dataUrl + query, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          apply(data);
          if (!data.finished) {
            poll(POLL_MILLISECONDS);
          }
        })
        .catch(function () {
          poll(Math.min(2 * delay, MAX_RETRY_MILLISECONDS));
        });
    }, delay);
  }

  drawInitialFigures();
  if (root.getAttribute("data-finished") !== "true") {
    poll(POLL_MILLISECONDS);
  }
})();
