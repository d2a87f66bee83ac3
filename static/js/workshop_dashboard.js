// Keeps the facilitator's workshop dashboard current: polls the JSON endpoint every 2 s and
// redraws the participants, the submission progress and, once a round closes, its spread.
(function () {
  "use strict";
  const root = document.getElementById("dashboard");
  if (!root) return;
  const texts = {};
  for (const [key, value] of Object.entries(root.dataset)) {
    if (key.startsWith("text")) texts[key.charAt(4).toLowerCase() + key.slice(5)] = value;
  }
  let version = null;

  function update(data) {
    if (data.version === version) return;
    version = data.version;

    const state = document.getElementById("round-state");
    if (data.round) {
      state.textContent = texts.round.replace("{number}", data.round.number).replace("{state}", data.round.state_label);
    }
    state.dataset.state = data.round ? data.round.state : "none";

    const participants = document.getElementById("participants");
    participants.replaceChildren();
    if (!data.participants.length) participants.textContent = texts.none;
    for (const participant of data.participants) {
      const item = document.createElement("span");
      item.className = "participant" + (participant.left ? " left" : "");
      item.dataset.label = participant.label;
      item.textContent = participant.label + (participant.left ? " (" + texts.left + ")" : "");
      participants.appendChild(item);
    }

    for (const question of data.questions) {
      const row = document.querySelector('#progress tr[data-question="' + question.id + '"]');
      if (!row) continue;
      row.querySelector(".answered-count").textContent = question.answered_count + " / " + data.panel_count;
      row.querySelector(".answered-labels").textContent = question.answered.join(", ");
    }

    const section = document.getElementById("revealed");
    section.hidden = !data.revealed;
    if (data.revealed) {
      document.getElementById("revealed-title").textContent = texts.revealed.replace("{number}", data.revealed.round);
      const note = document.getElementById("closed-note");
      note.hidden = data.revealed.state !== "closed";
      note.textContent = texts.closedNote.replace("{number}", data.revealed.round);
      window.WorkshopSpread.render(document.getElementById("revealed-questions"), data.revealed, texts);
    }
  }

  async function poll() {
    try {
      const response = await fetch(root.dataset.url, {headers: {Accept: "application/json"}});
      if (response.ok) update(await response.json());
    } catch (error) {
      console.warn("Workshop data request failed; retrying", error);
    }
    window.setTimeout(poll, 2000);
  }

  update(JSON.parse(document.getElementById("workshop-data").textContent));
  window.setTimeout(poll, 2000);
})();
