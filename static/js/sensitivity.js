// Draws the tornado chart, or polls the analysis's progress and reloads when it has finished.
(function () {
  "use strict";
  const data = document.getElementById("tornado-data");
  if (data && window.Plotly) {
    const figure = JSON.parse(JSON.parse(data.textContent));
    window.Plotly.newPlot("tornado", figure.data, figure.layout, { responsive: true, displaylogo: false });
  }

  const box = document.getElementById("sensitivity-progress");
  if (!box) return;
  const template = document.getElementById("sensitivity-count").textContent;

  async function poll() {
    try {
      const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const progress = await response.json();
        if (progress.finished) {
          window.location.reload();
          return;
        }
        box.querySelector(".bar").style.width = Math.round(100 * progress.progress) + "%";
        document.getElementById("sensitivity-count").textContent = template
          .replace(/^\d+/, String(progress.parameters_done)).replace(/\d+(?=\D*$)/, String(progress.parameters_planned));
        document.getElementById("sensitivity-no-worker").hidden = progress.worker_alive;
      }
    } catch (error) {
      console.warn("Progress request failed; retrying", error);
    }
    window.setTimeout(poll, 1000);
  }

  poll();
})();
