// Polls an assessment's progress and updates the bars until every run has finished.
(function () {
  "use strict";
  const table = document.getElementById("runs");
  if (!table) return;
  const url = table.dataset.progressUrl;

  function update(data) {
    for (const run of data.runs) {
      const row = table.querySelector('tr[data-run="' + run.id + '"]');
      if (!row) continue;
      const percent = Math.round(100 * run.progress);
      row.querySelector(".bar").style.width = percent + "%";
      row.querySelector(".progress").setAttribute("aria-valuenow", String(percent));
      row.querySelector(".run-chunks").textContent = table.dataset.chunksText
        .replace("{done}", run.chunks_done).replace("{planned}", run.chunks_planned);
      const state = row.querySelector(".run-state");
      state.textContent = run.state_label;
      if (run.error_message) {
        const error = document.createElement("div");
        error.className = "errorlist run-error";
        error.textContent = run.error_message;
        state.appendChild(error);
      }
    }
    document.getElementById("worker-warning").hidden = data.worker_alive || data.finished;
  }

  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const data = await response.json();
        update(data);
        if (data.finished) {
          // Reload once so that the cancel buttons and final messages come from the server.
          if (table.dataset.finished === "false") window.location.reload();
          return;
        }
      }
    } catch (error) {
      console.warn("Progress request failed; retrying", error);
    }
    window.setTimeout(poll, 1000);
  }

  poll();
})();
