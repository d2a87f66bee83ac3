// Follows the round on a participant's page: polls every 2 s and reloads when the facilitator
// opens, closes or reveals a round. While the participant is typing, it shows a notice instead
// of reloading, so that no answer is lost. Also draws the revealed spread with their own point.
(function () {
  "use strict";
  const root = document.getElementById("participant");
  if (!root) return;
  const texts = {};
  for (const [key, value] of Object.entries(root.dataset)) {
    if (key.startsWith("text")) texts[key.charAt(4).toLowerCase() + key.slice(5)] = value;
  }
  const form = document.getElementById("answer-form");
  let edited = false;
  if (form) form.addEventListener("input", () => { edited = true; });

  const spreadData = document.getElementById("spread-data");
  if (spreadData) {
    const spread = JSON.parse(spreadData.textContent);
    window.WorkshopSpread.render(document.getElementById("spread-questions"), spread, texts);
    for (const question of spread.questions) {
      const note = document.querySelector('.group-range[data-question="' + question.id + '"]');
      if (note && question.consensus) note.textContent = texts.groupRange + ": " +
        window.WorkshopSpread.summary(question, texts);
    }
  }

  // The version digests the round's number and state, the participant's answers and whether they
  // left, as the server rendered the page. Any change means that the page is out of date.
  const renderedVersion = root.dataset.version;

  async function poll() {
    try {
      const response = await fetch(root.dataset.url, {headers: {Accept: "application/json"}});
      if (response.ok) {
        const data = await response.json();
        if (data.version !== renderedVersion) {
          if (!edited) {
            window.location.reload();
            return;
          }
          document.getElementById("round-changed").hidden = false;
        }
      }
    } catch (error) {
      console.warn("Workshop state request failed; retrying", error);
    }
    window.setTimeout(poll, 2000);
  }

  window.setTimeout(poll, 2000);
})();
