/* The scenario editor: builds a riskapp-scenario/1 document in the browser.
 *
 * Numbers stay text exactly as typed. When the document is written, a field that contains a
 * valid JSON number is written verbatim, so 0.10 stays 0.10 and the digest is that of the
 * same file imported. Any other text is written as a JSON string, which the server's parser
 * rejects with the import's own message naming the field path. The server's validate
 * endpoint is the only judge of the rules, and this file adds only convenience hints such
 * as the row sums of the probability table.
 */
(function () {
  "use strict";

  const form = document.getElementById("editor-form");
  if (!form) return;
  const config = JSON.parse(document.getElementById("editor-config").textContent);
  const L = config.labels;
  const root = document.getElementById("editor-root");
  const documentField = document.getElementById("id_document");
  const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  const FAMILIES = {
    uniform: ["low", "high"],
    triangular: ["low", "mode", "high"],
    pert: ["low", "mode", "high"],
    normal: ["mean", "sd"],
    truncated_normal: ["loc", "scale", "low", "high"],
    lognormal: ["mu", "sigma"],
    beta: ["a", "b"],
  };
  const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
  const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

  /* --- JSON text with numbers kept as written ------------------------------------------ */

  class Num {
    constructor(text) { this.text = text; }
  }

  // Sticky patterns match at lastIndex only, so reading a token never copies the rest of the text.
  const STRING_TOKEN = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

  /* Read JSON text like JSON.parse, but return every number as a Num holding its text. */
  function parseJson(text) {
    let i = 0;
    const fail = () => { throw new SyntaxError("invalid JSON at " + i); };
    const space = () => { while (i < text.length && " \t\n\r".includes(text[i])) i++; };
    function value() {
      space();
      const c = text[i];
      if (c === "{") {
        i++; const out = {}; space();
        if (text[i] === "}") { i++; return out; }
        for (;;) {
          space(); const key = value(); if (typeof key !== "string") fail();
          space(); if (text[i++] !== ":") fail();
          out[key] = value(); space();
          if (text[i] === ",") { i++; continue; }
          if (text[i++] === "}") return out;
          fail();
        }
      }
      if (c === "[") {
        i++; const out = []; space();
        if (text[i] === "]") { i++; return out; }
        for (;;) {
          out.push(value()); space();
          if (text[i] === ",") { i++; continue; }
          if (text[i++] === "]") return out;
          fail();
        }
      }
      if (c === '"') {
        STRING_TOKEN.lastIndex = i;
        const match = STRING_TOKEN.exec(text);
        if (!match) fail();
        i += match[0].length;
        return JSON.parse(match[0]);
      }
      NUMBER_TOKEN.lastIndex = i;
      const number = NUMBER_TOKEN.exec(text);
      if (number && number[0]) { i += number[0].length; return new Num(number[0]); }
      for (const [word, result] of [["true", true], ["false", false], ["null", null]]) {
        if (text.startsWith(word, i)) { i += word.length; return result; }
      }
      return fail();
    }
    const result = value(); space();
    if (i !== text.length) fail();
    return result;
  }

  function writeJson(value, indent) {
    const pad = "\n" + "  ".repeat(indent);
    if (value instanceof Num) return value.text;
    if (Array.isArray(value)) {
      if (!value.length) return "[]";
      if (value.every((item) => !(item instanceof Object) || item instanceof Num)) {
        return "[" + value.map((item) => writeJson(item, 0)).join(", ") + "]";
      }
      return "[" + value.map((item) => pad + "  " + writeJson(item, indent + 1)).join(",") + pad + "]";
    }
    if (value instanceof Object) {
      const keys = Object.keys(value).filter((key) => value[key] !== undefined);
      if (!keys.length) return "{}";
      return "{" + keys.map((key) => pad + "  " + JSON.stringify(key) + ": " + writeJson(value[key], indent + 1))
        .join(",") + pad + "}";
    }
    return JSON.stringify(value);
  }

  /* A typed number: verbatim when it is a JSON number, otherwise text for the parser to reject. */
  function numberValue(text) {
    const trimmed = String(text).trim();
    return JSON_NUMBER.test(trimmed) ? new Num(trimmed) : String(text);
  }

  function asText(value) {
    if (value instanceof Num) return value.text;
    if (value === null || value === undefined) return value;
    if (typeof value === "string") return value;
    return JSON.stringify(value);
  }

  function joinPath(path, key) {
    if (typeof key === "number") return path + "[" + key + "]";
    if (PLAIN_KEY.test(key)) return path ? path + "." + key : key;
    return path + "[" + JSON.stringify(key) + "]";
  }

  function parentPath(path) {
    const match = /(\.[A-Za-z_][A-Za-z0-9_-]*|\[(?:\d+|"(?:[^"\\]|\\.)*")\])$/.exec(path);
    return match ? path.slice(0, match.index) : "";
  }

  /* --- exact decimal sums for the row hints ------------------------------------------- */

  function decimal(text) {
    const trimmed = String(text || "").trim();
    if (!JSON_NUMBER.test(trimmed)) return null;
    const [mantissa, exponentText] = trimmed.toLowerCase().split("e");
    const [whole, fraction = ""] = mantissa.split(".");
    const exponent = (exponentText ? parseInt(exponentText, 10) : 0) - fraction.length;
    if (Math.abs(exponent) > 400) return null;
    return { digits: BigInt(whole + fraction), exponent };
  }

  function addDecimals(values) {
    const low = Math.min(0, ...values.map((v) => v.exponent));
    const total = values.reduce((sum, v) => sum + v.digits * 10n ** BigInt(v.exponent - low), 0n);
    return { digits: total, exponent: low };
  }

  function decimalText(value) {
    const negative = value.digits < 0n;
    let digits = (negative ? -value.digits : value.digits).toString();
    if (value.exponent >= 0) return (negative ? "-" : "") + digits + "0".repeat(value.exponent);
    const places = -value.exponent;
    digits = digits.padStart(places + 1, "0");
    let text = digits.slice(0, -places) + "." + digits.slice(-places);
    text = text.replace(/0+$/, "").replace(/\.$/, "");
    return (negative && text !== "0" ? "-" : "") + text;
  }

  /* Whether a sum lies within 1e-9 of 1, the parser's tolerance. */
  function sumsToOne(sum) {
    const scale = Math.max(9, -sum.exponent);
    const scaled = sum.digits * 10n ** BigInt(scale + sum.exponent);
    const difference = scaled - 10n ** BigInt(scale);
    const tolerance = 10n ** BigInt(scale - 9);
    return difference <= tolerance && -difference <= tolerance;
  }

  /* --- the editor's state ----------------------------------------------------------------- */

  let nextUid = 1;
  const uid = () => "u" + nextUid++;

  function attackerNumberFrom(value) {
    if (value === undefined) return undefined;
    if (value instanceof Object && !(value instanceof Num) && !Array.isArray(value)) {
      if (Array.isArray(value.piecewise_cdf)) {
        // One "x F" line per point, as a spreadsheet column pair pastes.
        const lines = value.piecewise_cdf.map((point) => (Array.isArray(point) ? point.map(asText).join(" ") : asText(point)));
        return { kind: "piecewise_cdf", text: lines.join("\n") };
      }
      const kind = Object.keys(FAMILIES).find((name) => name in value);
      if (kind) {
        const params = Array.isArray(value[kind]) ? value[kind].map(asText) : [];
        while (params.length < FAMILIES[kind].length) params.push("");
        const number = { kind, params };
        if (kind === "beta") { number.low = asText(value.low); number.high = asText(value.high); }
        return number;
      }
    }
    return { kind: "number", text: asText(value) || "" };
  }

  function stateFrom(tree) {
    const data = tree instanceof Object ? tree : {};
    const list = (value) => (Array.isArray(value) ? value.filter((item) => item instanceof Object) : []);
    const state = {
      format: data.format === undefined ? "riskapp-scenario/1" : data.format,
      title: typeof data.title === "string" ? data.title : "",
      description: data.description,
      sources: Array.isArray(data.sources) ? data.sources.map(asText) : undefined,
      model: data.model,
      defenses: list(data.defenses).map((d) => ({
        uid: uid(), id: asText(d.id) || "", name: asText(d.name) || "", cost: asText(d.cost),
        measures: Array.isArray(d.measures) ? d.measures.map(asText) : undefined,
      })),
      attacks: list(data.attacks).map((a) => ({
        uid: uid(), id: asText(a.id) || "", name: asText(a.name) || "", cost: attackerNumberFrom(a.cost),
        attempt: asText(a.attempt_probability),
      })),
      outcomes: list(data.outcomes).map((s) => ({
        uid: uid(), id: asText(s.id) || "", name: asText(s.name) || "", loss: asText(s.defender_loss),
        gain: attackerNumberFrom(s.attacker_gain),
      })),
      probabilities: {},
      defender: data.defender instanceof Object ? { riskAversion: asText(data.defender.risk_aversion) } : undefined,
      attacker: undefined,
      game: data.game instanceof Object ? { tieBreak: data.game.tie_break } : undefined,
      matrix: undefined,
    };
    const uidOf = (items, id) => (items.find((item) => item.id === id) || {}).uid;
    const probabilities = data.probabilities instanceof Object ? data.probabilities : {};
    for (const [defenseId, byAttack] of Object.entries(probabilities)) {
      for (const [attackId, row] of Object.entries(byAttack instanceof Object ? byAttack : {})) {
        for (const [outcomeId, p] of Object.entries(row instanceof Object ? row : {})) {
          const key = [uidOf(state.defenses, defenseId), uidOf(state.attacks, attackId),
            uidOf(state.outcomes, outcomeId)];
          if (!key.includes(undefined)) state.probabilities[key.join("|")] = asText(p);
        }
      }
    }
    if (data.attacker instanceof Object) {
      const attacker = data.attacker;
      state.attacker = {
        riskAversion: attackerNumberFrom(attacker.risk_aversion),
        beliefConcentration: asText(attacker.belief_concentration),
        defenseBeliefs: undefined,
      };
      if (attacker.defense_beliefs instanceof Object) {
        state.attacker.defenseBeliefs = {};
        for (const [defenseId, weight] of Object.entries(attacker.defense_beliefs)) {
          const key = uidOf(state.defenses, defenseId);
          if (key) state.attacker.defenseBeliefs[key] = asText(weight);
        }
      }
    }
    if (data.risk_matrix instanceof Object) state.matrix = matrixFrom(data.risk_matrix, state);
    return state;
  }

  function matrixFrom(given, state) {
    const matrix = {};
    for (const kind of ["likelihood", "consequence"]) {
      if (Array.isArray(given[kind])) {
        matrix[kind] = given[kind].map((band) => ({ label: asText(band.label) || "", upper: asText(band.upper) }));
      }
    }
    if (Array.isArray(given.levels)) {
      matrix.levels = given.levels.map((level) => ({ label: asText(level.label) || "", color: asText(level.color) || "" }));
    }
    if (Array.isArray(given.grid)) {
      matrix.grid = given.grid.map((row) => (Array.isArray(row) ? row.map(asText) : []));
    }
    if (given.criterion !== undefined) {
      matrix.criterion = given.criterion instanceof Object && "power" in given.criterion
        ? { power: asText(given.criterion.power) } : asText(given.criterion);
    }
    if (given.ratings instanceof Object) {
      matrix.ratings = {};
      for (const [defenseId, byAttack] of Object.entries(given.ratings)) {
        for (const [attackId, rating] of Object.entries(byAttack instanceof Object ? byAttack : {})) {
          const defense = state.defenses.find((d) => d.id === defenseId);
          const attack = state.attacks.find((a) => a.id === attackId);
          if (defense && attack && rating instanceof Object) {
            matrix.ratings[defense.uid + "|" + attack.uid] = {
              likelihood: asText(rating.likelihood) || "", consequence: asText(rating.consequence) || "",
            };
          }
        }
      }
    }
    return matrix;
  }

  /* --- writing the document --------------------------------------------------------------- */

  function attackerNumberValue(number) {
    if (number === undefined) return undefined;
    if (number.kind === "number") {
      if (number.text === null) return null;
      return number.text.trim() === "" ? undefined : numberValue(number.text);
    }
    if (number.kind === "piecewise_cdf") {
      const lines = number.text.split("\n").map((line) => line.trim()).filter((line) => line !== "");
      return { piecewise_cdf: lines.map((line) => line.split(/[\s,;]+/).map(numberValue)) };
    }
    const names = FAMILIES[number.kind];
    const value = {};
    value[number.kind] = names.map((_, index) => {
      const text = number.params[index];
      return text === null || text === undefined || String(text).trim() === "" ? null : numberValue(text);
    });
    if (number.kind === "beta") {
      for (const bound of ["low", "high"]) {
        if (number[bound] !== undefined && number[bound] !== null && number[bound].trim() !== "") {
          value[bound] = numberValue(number[bound]);
        }
      }
    }
    return value;
  }

  /* An optional number: absent when never given, null when the file wrote null. */
  function optionalNumber(text) {
    if (text === undefined) return undefined;
    if (text === null) return null;
    return text.trim() === "" ? undefined : numberValue(text);
  }

  function documentTree() {
    const s = state;
    const tree = { format: s.format, title: s.title, description: s.description, sources: s.sources, model: s.model };

    tree.defenses = s.defenses.map((d) => ({ id: d.id, name: d.name, cost: optionalNumber(d.cost), measures: d.measures }));
    tree.attacks = s.attacks.map((a) => ({
      id: a.id, name: a.name, cost: attackerNumberValue(a.cost), attempt_probability: optionalNumber(a.attempt),
    }));
    tree.outcomes = s.outcomes.map((o) => ({
      id: o.id, name: o.name, defender_loss: optionalNumber(o.loss), attacker_gain: attackerNumberValue(o.gain),
    }));

    tree.probabilities = {};
    for (const d of s.defenses) {
      const byAttack = (tree.probabilities[d.id] = tree.probabilities[d.id] || {});
      for (const a of s.attacks) {
        const row = (byAttack[a.id] = {});
        for (const o of s.outcomes) {
          const text = s.probabilities[d.uid + "|" + a.uid + "|" + o.uid];
          row[o.id] = text === undefined || text === null || text.trim() === "" ? undefined : numberValue(text);
        }
      }
    }

    if (s.defender) tree.defender = { risk_aversion: optionalNumber(s.defender.riskAversion) };
    if (s.attacker) {
      const attacker = {
        risk_aversion: attackerNumberValue(s.attacker.riskAversion),
        belief_concentration: optionalNumber(s.attacker.beliefConcentration),
      };
      if (s.attacker.defenseBeliefs) {
        attacker.defense_beliefs = {};
        for (const d of s.defenses) attacker.defense_beliefs[d.id] = optionalNumber(s.attacker.defenseBeliefs[d.uid]);
      }
      tree.attacker = attacker;
    }
    if (s.game) tree.game = { tie_break: s.game.tieBreak };
    if (s.matrix) tree.risk_matrix = matrixTree(s.matrix);
    return tree;
  }

  function matrixTree(matrix) {
    const tree = {};
    for (const kind of ["likelihood", "consequence"]) {
      if (matrix[kind]) {
        tree[kind] = matrix[kind].map((band) => ({
          label: band.label,
          upper: band.upper === null || band.upper === undefined || band.upper.trim() === "" ? null : numberValue(band.upper),
        }));
      }
    }
    if (matrix.levels) tree.levels = matrix.levels.map((level) => ({ label: level.label, color: level.color }));
    if (matrix.grid) tree.grid = matrix.grid.map((row) => row.map((cell) => numberValue(cell === null ? "" : cell)));
    if (matrix.criterion !== undefined) {
      tree.criterion = matrix.criterion instanceof Object ? { power: numberValue(matrix.criterion.power || "") }
        : matrix.criterion;
    }
    if (matrix.ratings) {
      tree.ratings = {};
      for (const d of state.defenses) {
        for (const a of state.attacks) {
          const rating = matrix.ratings[d.uid + "|" + a.uid];
          if (rating && (rating.likelihood || rating.consequence)) {
            tree.ratings[d.id] = tree.ratings[d.id] || {};
            tree.ratings[d.id][a.id] = { likelihood: rating.likelihood, consequence: rating.consequence };
          }
        }
      }
    }
    return tree;
  }

  const serialize = () => writeJson(documentTree(), 0) + "\n";

  /* --- DOM helpers -------------------------------------------------------------------------- */

  let fieldCount = 0;

  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
      else if (name === "value") element.value = value;
      else if (name === "checked") element.checked = value;
      else element.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) {
        element.append(child instanceof Node ? child : document.createTextNode(String(child)));
      }
    }
    return element;
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, name) => values[name]);
  }

  /* A labelled field wrapper with a slot for the server's messages about ``path``. */
  function field(label, path, control, extra) {
    const id = control.id || (control.id = "ed-field-" + ++fieldCount);
    const slot = h("div", { class: "ed-error", id: id + "-error", hidden: true });
    control.setAttribute("aria-describedby", slot.id);
    return h("div", { class: "ed-field", "data-path": path, "data-error-slot": slot.id },
      h("label", { for: id }, label), control, extra, slot);
  }

  function textInput(value, onInput, attributes) {
    return h("input", Object.assign({ type: "text", value: value === null || value === undefined ? "" : value,
      oninput: (event) => { onInput(event.target.value); changed(); } }, attributes || {}));
  }

  function numberInput(value, onInput, attributes) {
    return textInput(value, onInput, Object.assign({ inputmode: "decimal", class: "ed-number", spellcheck: "false",
      autocomplete: "off" }, attributes || {}));
  }

  function cellSlot(path) {
    const slot = h("div", { class: "ed-error", id: "ed-slot-" + ++fieldCount, hidden: true });
    return { slot, attributes: { "data-path": path, "data-error-slot": slot.id } };
  }

  /* --- rendering ----------------------------------------------------------------------------- */

  let state;

  // Accessible labels that name defenses, attacks or outcomes, rebuilt as names and ids are typed.
  let liveLabels = [];

  function liveLabel(element, compute) {
    const update = () => element.setAttribute("aria-label", compute());
    update();
    liveLabels.push(update);
    return element;
  }

  /* The name of a defense, attack or outcome for a label: its name, else its id, else "defense 2". */
  function displayName(kind, item) {
    if (String(item.name || "").trim()) return item.name;
    if (String(item.id || "").trim()) return item.id;
    return format(L.unnamed, { noun: L[ENTITY[kind].noun], number: state[kind].indexOf(item) + 1 });
  }

  function render(focusKey) {
    const active = focusKey || (document.activeElement && document.activeElement.dataset.key);
    liveLabels = [];
    root.replaceChildren(
      descriptionSection(), entitySection("defenses"), entitySection("attacks"), entitySection("outcomes"),
      probabilitySection(), attitudeSection(), gameSection(), matrixSection(),
    );
    applyErrors();
    markOverwritten();
    if (active) {
      const element = root.querySelector(`[data-key="${CSS.escape(active)}"]`);
      if (element) element.focus();
    }
    refreshPreviews();
  }

  function section(id, title, ...children) {
    return h("section", { class: "ed-section", id, "aria-labelledby": id + "-heading" },
      h("h2", { id: id + "-heading" }, title), ...children);
  }

  function descriptionSection() {
    const sources = h("textarea", { rows: 3, "data-key": "sources", oninput: (event) => {
      const lines = event.target.value.split("\n").map((line) => line.trim()).filter(Boolean);
      state.sources = lines.length || state.sources !== undefined ? lines : undefined;
      changed();
    } });
    sources.value = (state.sources || []).join("\n");
    const description = h("textarea", { rows: 3, "data-key": "description",
      oninput: (event) => { state.description = event.target.value; changed(); } });
    description.value = state.description || "";
    const model = h("select", { "data-key": "model", onchange: (event) => { state.model = event.target.value; changed(); render(); } },
      ["sequential", "simultaneous"].map((name) => h("option", { value: name, selected: (state.model || "sequential") === name }, L["model_" + name])));
    return section("ed-description", L.section_description,
      field(L.title, "title", textInput(state.title, (value) => { state.title = value; }, { "data-key": "title", required: true })),
      field(L.description, "description", description),
      field(L.sources, "sources", sources, h("p", { class: "ed-hint" }, L.sources_hint)),
      field(L.model, "model", model, h("p", { class: "ed-hint" }, L.model_hint)));
  }

  const ENTITY = {
    defenses: { noun: "defense", limit: () => config.limits.defenses, blank: () => ({ uid: uid(), id: "", name: "" }) },
    attacks: { noun: "attack", limit: () => config.limits.attacks, blank: () => ({ uid: uid(), id: "", name: "" }) },
    outcomes: { noun: "outcome", limit: () => config.limits.outcomes, blank: () => ({ uid: uid(), id: "", name: "" }) },
  };

  function entitySection(kind) {
    const items = state[kind];
    const noun = ENTITY[kind].noun;
    const headers = [L.id, L.name].concat({
      defenses: [L.defense_cost, L.measures], attacks: [L.attack_cost, L.attempt_probability],
      outcomes: [L.defender_loss, L.attacker_gain],
    }[kind], [L.actions]);
    const rows = items.map((item, index) => entityRow(kind, item, index));
    const add = h("button", { type: "button", class: "secondary", "data-key": kind + "-add",
      disabled: items.length >= ENTITY[kind].limit(),
      onclick: () => {
        items.push(ENTITY[kind].blank());
        changed();
        render(kind + "[" + (items.length - 1) + "].id");
      } }, L["add_" + noun]);
    const slot = cellSlot(kind);
    return section("ed-" + kind, L["section_" + kind],
      h("div", Object.assign({ class: "ed-list" }, slot.attributes),
        h("table", { class: "ed-table" }, h("thead", {}, h("tr", {}, headers.map((text) => h("th", { scope: "col" }, text)))),
          h("tbody", {}, rows)), slot.slot),
      add);
  }

  function entityRow(kind, item, index) {
    const base = kind + "[" + index + "]";
    const noun = ENTITY[kind].noun;
    const number = index + 1;
    const cell = (path, control) => {
      const slot = cellSlot(path);
      control.setAttribute("aria-describedby", slot.slot.id);
      return h("td", slot.attributes, control, slot.slot);
    };
    const idInput = textInput(item.id, (value) => { item.id = value; updateNames(); }, {
      "data-key": base + ".id", "aria-label": format(L.id_of, { noun: L[noun], number }), class: "ed-id",
      spellcheck: "false", autocomplete: "off" });
    const nameInput = textInput(item.name, (value) => { item.name = value; updateNames(); }, {
      "data-key": base + ".name", "aria-label": format(L.name_of, { noun: L[noun], number }),
      onchange: () => {
        if (!item.id.trim() && item.name.trim()) {
          item.id = slugify(item.name, kind, item);
          idInput.value = item.id;
          updateNames();
          changed();
        }
      } });
    const cells = [cell(base + ".id", idInput), cell(base + ".name", nameInput)];
    if (kind === "defenses") {
      cells.push(cell(base + ".cost", numberInput(item.cost, (value) => { item.cost = value; },
        { "data-key": base + ".cost", "aria-label": format(L.cost_of, { noun: L[noun], number }), placeholder: "0" })));
      cells.push(cell(base + ".measures", measurePicker(item, base, number)));
    } else if (kind === "attacks") {
      cells.push(cell(base + ".cost", attackerNumberWidget(() => item.cost, (value) => { item.cost = value; }, base + ".cost",
        format(L.cost_of, { noun: L[noun], number }))));
      cells.push(cell(base + ".attempt_probability", numberInput(item.attempt, (value) => { item.attempt = value; },
        { "data-key": base + ".attempt", "aria-label": format(L.attempt_of, { number }) })));
    } else {
      cells.push(cell(base + ".defender_loss", numberInput(item.loss, (value) => { item.loss = value; },
        { "data-key": base + ".loss", "aria-label": format(L.loss_of, { number }) })));
      cells.push(cell(base + ".attacker_gain", attackerNumberWidget(() => item.gain, (value) => { item.gain = value; },
        base + ".attacker_gain", format(L.gain_of, { number }))));
    }
    cells.push(h("td", { class: "ed-actions" }, rowActions(state[kind], index, kind, noun)));
    return h("tr", {}, cells);
  }

  function rowActions(items, index, key, noun) {
    const number = index + 1;
    const move = (offset) => () => {
      const [item] = items.splice(index, 1);
      items.splice(index + offset, 0, item);
      changed();
      render(key + "-" + (index + offset) + (offset < 0 ? "-up" : "-down"));
    };
    return [
      h("button", { type: "button", class: "secondary ed-small", disabled: index === 0, "data-key": key + "-" + index + "-up",
        "aria-label": format(L.move_up, { noun: L[noun], number }), onclick: move(-1) }, "↑"),
      h("button", { type: "button", class: "secondary ed-small", disabled: index === items.length - 1,
        "data-key": key + "-" + index + "-down", "aria-label": format(L.move_down, { noun: L[noun], number }), onclick: move(1) }, "↓"),
      h("button", { type: "button", class: "secondary ed-small", "data-key": key + "-" + index + "-remove",
        "aria-label": format(L.remove, { noun: L[noun], number }),
        onclick: () => { items.splice(index, 1); changed(); render(key + "-add"); } }, "×"),
    ];
  }

  function slugify(name, kind, item) {
    let base = name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 30) || ENTITY[kind].noun;
    if (!/^[a-z_]/.test(base)) base = ENTITY[kind].noun[0] + "_" + base;
    let id = base;
    for (let suffix = 2; state[kind].some((other) => other !== item && other.id === id); suffix++) id = base + "_" + suffix;
    return id;
  }

  /* Update the names shown in the probability table and elsewhere without rebuilding the page. */
  function updateNames() {
    for (const kind of ["defenses", "attacks", "outcomes"]) {
      for (const item of state[kind]) {
        for (const element of root.querySelectorAll(`[data-name-of="${item.uid}"]`)) {
          element.textContent = item.name || item.id || "—";
        }
      }
    }
    for (const update of liveLabels) update();
  }

  /* --- attacker numbers -------------------------------------------------------------------- */

  function attackerNumberWidget(get, set, path, label) {
    const number = get() || { kind: "number", text: "" };
    const key = path + ".kind";
    const kind = h("select", { "data-key": key, "aria-label": format(L.kind_of, { label }),
      onchange: (event) => {
        const current = get() || { kind: "number", text: "" };
        const chosen = event.target.value;
        const first = current.kind === "number" ? current.text : (current.params || [])[0];
        if (chosen === "number") set({ kind: "number", text: first || "" });
        else if (chosen === "piecewise_cdf") set({ kind: "piecewise_cdf", text: first ? first + " 0" : "" });
        else set({ kind: chosen, params: FAMILIES[chosen].map((_, index) => (index === 0 && first ? first : "")) });
        changed();
        render(key);
      } },
    ["number"].concat(Object.keys(FAMILIES), ["piecewise_cdf"]).map((name) => h("option", { value: name, selected: number.kind === name }, L["kind_" + name])));
    const inputs = [];
    if (number.kind === "piecewise_cdf") {
      inputs.push(h("label", { class: "ed-param" }, h("span", {}, L.param_points),
        h("textarea", { rows: 4, class: "ed-points", spellcheck: "false", "data-key": path + ".piecewise_cdf",
          "aria-label": label + ": " + L.param_points, "data-path": joinPath(path, "piecewise_cdf"),
          oninput: (event) => { ensure().text = event.target.value; schedulePreview(path); changed(); } },
        number.text)));
    } else if (number.kind === "number") {
      inputs.push(numberInput(number.text, (value) => { ensure().text = value; schedulePreview(path); },
        { "data-key": path + ".value", "aria-label": label, placeholder: path.endsWith("attacker_gain") ? "" : "0" }));
    } else {
      FAMILIES[number.kind].forEach((name, index) => {
        inputs.push(h("label", { class: "ed-param" }, h("span", {}, L["param_" + name] || name),
          numberInput(number.params[index], (value) => { ensure().params[index] = value; schedulePreview(path); },
            { "data-key": path + "." + number.kind + "[" + index + "]", "aria-label": label + ": " + (L["param_" + name] || name),
              "data-path": joinPath(joinPath(path, number.kind), index) }))); 
      });
      if (number.kind === "beta") {
        for (const bound of ["low", "high"]) {
          inputs.push(h("label", { class: "ed-param" }, h("span", {}, L["param_" + bound]),
            numberInput(number[bound], (value) => { ensure()[bound] = value; schedulePreview(path); },
              { "data-key": path + "." + bound, "aria-label": label + ": " + L["param_" + bound], placeholder: bound === "low" ? "0" : "1",
                "data-path": joinPath(path, bound) })));
        }
      }
    }
    function ensure() {
      let current = get();
      if (!current) { current = number; set(current); }
      return current;
    }
    const preview = h("div", { class: "ed-preview", "data-preview": path, "aria-live": "polite" });
    return h("div", { class: "ed-attacker-number" }, kind, h("div", { class: "ed-params" }, inputs), preview);
  }

  const previewTimers = {};

  function refreshPreviews() {
    for (const element of root.querySelectorAll("[data-preview]")) schedulePreview(element.dataset.preview, 0);
  }

  function attackerNumberAt(path) {
    let match = /^attacks\[(\d+)\]\.cost$/.exec(path);
    if (match) return (state.attacks[+match[1]] || {}).cost;
    match = /^outcomes\[(\d+)\]\.attacker_gain$/.exec(path);
    if (match) return (state.outcomes[+match[1]] || {}).gain;
    return state.attacker && state.attacker.riskAversion;
  }

  function schedulePreview(path, delay) {
    clearTimeout(previewTimers[path]);
    previewTimers[path] = setTimeout(() => showPreview(path), delay === undefined ? 400 : delay);
  }

  async function showPreview(path) {
    const element = root.querySelector(`[data-preview="${CSS.escape(path)}"]`);
    if (!element) return;
    const value = attackerNumberValue(attackerNumberAt(path));
    if (value === undefined || value instanceof Num || typeof value === "string" || value === null) {
      element.replaceChildren();
      return;
    }
    const response = await postJson(config.urls.preview, JSON.stringify({ path, value: writeJson(value, 0) }));
    if (!response) return;
    if (response.errors && response.errors.length) {
      element.replaceChildren(h("span", { class: "ed-hint" }, L.preview_invalid));
      return;
    }
    element.replaceChildren(densityChart(response.preview));
  }

  function densityChart(preview) {
    const width = 180;
    const height = 50;
    const mean = format(L.mean_is, { mean: Number(preview.mean.toPrecision(4)) });
    if (preview.is_point) return h("span", { class: "ed-hint" }, format(L.point_mass, { value: Number(preview.mean.toPrecision(6)) }));

    const finite = preview.density.filter((value) => value !== null);
    const top = Math.max(...finite) || 1;
    const low = preview.low;
    const span = preview.high - low || 1;
    const xOf = (x) => ((x - low) / span) * width;
    const yOf = (y) => height - 2 - (Math.min(y, top) / top) * (height - 6);
    // The curve starts and ends on the baseline, so a uniform density shows as a box.
    const curve = preview.x.map((x, index) => (preview.density[index] === null ? null : xOf(x).toFixed(1) + "," + yOf(preview.density[index]).toFixed(1)))
      .filter(Boolean);
    const points = ["0," + yOf(0).toFixed(1)].concat(curve, [width + "," + yOf(0).toFixed(1)]).join(" ");

    const svgNs = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(svgNs, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", L.density + ", " + mean);
    const line = document.createElementNS(svgNs, "polyline");
    line.setAttribute("points", points);
    line.setAttribute("class", "ed-density");
    const meanLine = document.createElementNS(svgNs, "line");
    const meanX = xOf(preview.mean).toFixed(1);
    for (const [name, value] of [["x1", meanX], ["x2", meanX], ["y1", 0], ["y2", height], ["class", "ed-mean"]]) meanLine.setAttribute(name, value);
    svg.append(line, meanLine);
    const range = Number(preview.low.toPrecision(3)) + " … " + Number(preview.high.toPrecision(3));
    return h("figure", { class: "ed-chart" }, svg, h("figcaption", {}, mean, h("span", { class: "ed-hint" }, " · " + range)));
  }

  /* --- catalog measures -------------------------------------------------------------------- */

  function measurePicker(defense, base, number) {
    const measures = defense.measures || [];
    const chips = measures.map((measureId, index) => h("li", { "data-path": joinPath(base + ".measures", index) },
      h("code", {}, measureId),
      h("button", { type: "button", class: "secondary ed-small", "data-key": base + ".measures-" + index,
        "aria-label": format(L.remove_measure, { measure: measureId }),
        onclick: () => { measures.splice(index, 1); defense.measures = measures; changed(); render(base + ".measures-search"); } }, "×")));
    const results = h("ul", { class: "ed-measure-results", role: "list" });
    const search = h("input", { type: "search", "data-key": base + ".measures-search", autocomplete: "off",
      "aria-label": format(L.search_measures, { number }), placeholder: L.search_measures_placeholder,
      oninput: (event) => searchMeasures(event.target.value, results, defense, base) });
    return h("div", { class: "ed-measures" }, h("ul", { class: "ed-chips" }, chips), search, results);
  }

  let measureTimer;

  function searchMeasures(query, results, defense, base) {
    clearTimeout(measureTimer);
    if (!query.trim()) { results.replaceChildren(); return; }
    measureTimer = setTimeout(async () => {
      const response = await fetchJson(config.urls.measures + "?q=" + encodeURIComponent(query));
      if (!response) return;
      results.replaceChildren(...response.results.map((measure) => h("li", {},
        h("button", { type: "button", class: "ed-measure", disabled: (defense.measures || []).includes(measure.measure_id),
          onclick: () => {
            defense.measures = (defense.measures || []).concat(measure.measure_id);
            changed();
            render(base + ".measures-search");
          } },
        h("strong", {}, measure.name), " ", h("span", { class: "ed-hint" }, `${measure.level} · ${measure.framework} · ${measure.kind}`),
        " ", h("code", {}, measure.measure_id)))));
      if (!response.results.length) results.replaceChildren(h("li", { class: "ed-hint" }, L.no_measures));
    }, 250);
  }

  /* --- the probability table ----------------------------------------------------------------- */

  function probabilitySection() {
    const outcomes = state.outcomes;
    const head = h("tr", {}, h("th", { scope: "col" }, L.defense_heading), h("th", { scope: "col" }, L.attack_heading),
      outcomes.map((o) => h("th", { scope: "col", class: "number" }, h("span", { "data-name-of": o.uid }, o.name || o.id || "—"))),
      h("th", { scope: "col", class: "number" }, L.row_sum), h("th", { scope: "col" }, L.actions));
    const body = [];
    let row = 0;
    for (const d of state.defenses) {
      for (const a of state.attacks) {
        const rowPath = joinPath(joinPath("probabilities", d.id), a.id);
        const slot = h("div", { class: "ed-error", id: "ed-slot-" + ++fieldCount, hidden: true });
        const cells = outcomes.map((o, column) => {
          const key = d.uid + "|" + a.uid + "|" + o.uid;
          return h("td", {}, liveLabel(h("input", {
            type: "text", inputmode: "decimal", class: "ed-cell", autocomplete: "off", spellcheck: "false",
            value: state.probabilities[key] || "", "data-row": row, "data-column": column, "data-key": "p:" + key,
            "data-path": joinPath(rowPath, o.id), "aria-describedby": slot.id,
            oninput: (event) => { state.probabilities[key] = event.target.value; updateSum(event.target.closest("tr")); changed(); },
          }), () => format(L.cell_label, { outcome: displayName("outcomes", o), defense: displayName("defenses", d),
            attack: displayName("attacks", a) })));
        });
        const tr = h("tr", { "data-path": rowPath, "data-error-slot": slot.id, "data-keys": outcomes.map((o) => d.uid + "|" + a.uid + "|" + o.uid).join(" ") },
          h("th", { scope: "row" }, h("span", { "data-name-of": d.uid }, d.name || d.id || "—")),
          h("th", { scope: "row" }, h("span", { "data-name-of": a.uid }, a.name || a.id || "—")),
          cells, h("td", { class: "number ed-sum" }),
          h("td", {}, liveLabel(h("button", { type: "button", class: "secondary ed-small", "data-key": "fill-" + row,
            onclick: (event) => fillRow(event.target.closest("tr")) }, L.fill_row),
          () => format(L.fill_row_of, { defense: displayName("defenses", d), attack: displayName("attacks", a) }))));
        body.push(tr, h("tr", { class: "ed-error-row" }, h("td", { colspan: outcomes.length + 4 }, slot)));
        updateSum(tr);
        row++;
      }
    }
    const slot = cellSlot("probabilities");
    const table = h("table", { class: "ed-table ed-grid", id: "probability-grid", onkeydown: gridKeydown, onpaste: gridPaste },
      h("caption", {}, L.grid_caption), h("thead", {}, head), h("tbody", {}, body));
    return section("ed-probabilities", L.section_probabilities,
      h("p", { class: "ed-hint" }, L.grid_hint),
      h("div", Object.assign({ class: "ed-grid-wrap" }, slot.attributes), table, slot.slot));
  }

  function rowKeys(tr) { return tr.dataset.keys ? tr.dataset.keys.split(" ") : []; }

  function updateSum(tr) {
    const values = rowKeys(tr).map((key) => String(state.probabilities[key] || "").trim());
    const cell = tr.querySelector(".ed-sum");
    const filled = values.filter(Boolean);
    const known = filled.map(decimal).filter((value) => value !== null);
    const complete = known.length === values.length;
    let text = "";
    if (known.length < filled.length) text = "?";
    else if (filled.length) text = decimalText(addDecimals(known)) + (complete ? "" : " …");
    cell.textContent = text;
    const bad = complete && !sumsToOne(addDecimals(known));
    tr.classList.toggle("ed-bad-sum", bad);
    cell.title = bad ? L.row_not_one : "";
  }

  /* Put into the empty cells of a row what makes it sum to 1: the rest in the first, 0 in the others. */
  function fillRow(tr) {
    const keys = rowKeys(tr);
    const empty = keys.filter((key) => !String(state.probabilities[key] || "").trim());
    const given = keys.filter((key) => !empty.includes(key)).map((key) => decimal(state.probabilities[key]));
    if (!empty.length || given.includes(null)) return;
    const rest = addDecimals([{ digits: 1n, exponent: 0 }].concat(given.map((v) => ({ digits: -v.digits, exponent: v.exponent }))));
    empty.forEach((key, index) => { state.probabilities[key] = index === 0 ? decimalText(rest) : "0"; });
    for (const input of tr.querySelectorAll(".ed-cell")) input.value = state.probabilities[input.dataset.key.slice(2)] || "";
    updateSum(tr);
    changed();
  }

  function cellAt(row, column) {
    return root.querySelector(`#probability-grid .ed-cell[data-row="${row}"][data-column="${column}"]`);
  }

  function gridKeydown(event) {
    const input = event.target;
    if (!input.classList || !input.classList.contains("ed-cell")) return;
    const row = +input.dataset.row;
    const column = +input.dataset.column;
    const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    const atEnd = input.selectionStart === input.value.length && input.selectionEnd === input.value.length;
    let target = null;
    if (event.key === "ArrowDown" || (event.key === "Enter" && !event.shiftKey)) target = cellAt(row + 1, column);
    else if (event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey)) target = cellAt(row - 1, column);
    else if (event.key === "ArrowLeft" && atStart) target = cellAt(row, column - 1);
    else if (event.key === "ArrowRight" && atEnd) target = cellAt(row, column + 1);
    else return;
    if (event.key === "Enter") event.preventDefault();
    if (target) {
      event.preventDefault();
      target.focus();
      target.select();
    }
  }

  /* Fill the cells from the focused one with a block copied from a spreadsheet. */
  function gridPaste(event) {
    const input = event.target;
    if (!input.classList || !input.classList.contains("ed-cell")) return;
    const text = (event.clipboardData || window.clipboardData).getData("text/plain");
    const block = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "");
    if (!/[\t\n,;]/.test(block)) return;
    event.preventDefault();
    const separator = block.includes("\t") ? "\t" : block.includes(";") ? ";" : ",";
    const lines = block.split("\n").map((line) => line.split(separator).map((cell) => cell.trim()));
    const firstRow = +input.dataset.row;
    const firstColumn = +input.dataset.column;
    let skipped = 0;
    const rows = new Set();
    lines.forEach((cells, i) => {
      cells.forEach((value, j) => {
        const cell = cellAt(firstRow + i, firstColumn + j);
        if (!cell) { skipped++; return; }
        cell.value = value;
        state.probabilities[cell.dataset.key.slice(2)] = value;
        rows.add(cell.closest("tr"));
      });
    });
    rows.forEach(updateSum);
    const status = document.getElementById("editor-status");
    status.textContent = skipped ? format(L.paste_skipped, { count: skipped }) : format(L.pasted, { rows: lines.length });
    changed();
  }

  /* --- attitudes to risk, the game, the risk matrix ----------------------------------------- */

  function attitudeSection() {
    const attacker = state.attacker || {};
    const ensureAttacker = () => (state.attacker = state.attacker || { riskAversion: undefined, beliefConcentration: undefined });
    const parts = [
      field(L.defender_risk_aversion, "defender.risk_aversion", numberInput(state.defender && state.defender.riskAversion,
        (value) => { state.defender = state.defender || {}; state.defender.riskAversion = value; },
        { "data-key": "defender.risk_aversion", placeholder: "0" }), h("p", { class: "ed-hint" }, L.risk_aversion_hint)),
      h("div", { class: "ed-field", "data-path": "attacker.risk_aversion", "data-error-slot": "ed-attacker-ra-error" },
        h("span", { class: "ed-label" }, L.attacker_risk_aversion),
        attackerNumberWidget(() => (state.attacker || {}).riskAversion, (value) => { ensureAttacker().riskAversion = value; },
          "attacker.risk_aversion", L.attacker_risk_aversion),
        h("div", { class: "ed-error", id: "ed-attacker-ra-error", hidden: true })),
      field(L.belief_concentration, "attacker.belief_concentration", numberInput(attacker.beliefConcentration,
        (value) => { ensureAttacker().beliefConcentration = value; }, { "data-key": "attacker.belief_concentration" }),
      h("p", { class: "ed-hint" }, L.belief_concentration_hint)),
    ];
    if (state.model === "simultaneous" || attacker.defenseBeliefs) {
      const slot = cellSlot("attacker.defense_beliefs");
      parts.push(h("fieldset", Object.assign({ class: "ed-fieldset" }, slot.attributes), h("legend", {}, L.defense_beliefs),
        h("p", { class: "ed-hint" }, L.defense_beliefs_hint),
        state.defenses.map((d) => field(h("span", { "data-name-of": d.uid }, d.name || d.id || "—"),
          joinPath("attacker.defense_beliefs", d.id),
          numberInput((attacker.defenseBeliefs || {})[d.uid], (value) => {
            const beliefs = (ensureAttacker().defenseBeliefs = state.attacker.defenseBeliefs || {});
            beliefs[d.uid] = value;
          }, { "data-key": "belief-" + d.uid, placeholder: "1" }))), slot.slot));
    }
    return section("ed-attitudes", L.section_attitudes, parts);
  }

  function gameSection() {
    const current = (state.game && state.game.tieBreak) || "against_defender";
    const select = h("select", { "data-key": "game.tie_break", onchange: (event) => { state.game = { tieBreak: event.target.value }; changed(); } },
      ["against_defender", "for_defender"].map((rule) => h("option", { value: rule, selected: current === rule }, L["tie_" + rule])));
    return section("ed-game", L.section_game, field(L.tie_break, "game.tie_break", select, h("p", { class: "ed-hint" }, L.tie_break_hint)));
  }

  function copy(value) { return JSON.parse(JSON.stringify(value)); }

  function effective(key) {
    return state.matrix && state.matrix[key] !== undefined ? state.matrix[key] : config.defaultRiskMatrix[key];
  }

  function defaultToggle(key, label) {
    const isDefault = !state.matrix || state.matrix[key] === undefined;
    return h("label", { class: "ed-toggle" }, h("input", { type: "checkbox", checked: isDefault, "data-key": "default-" + key,
      onchange: (event) => {
        if (event.target.checked) {
          delete state.matrix[key];
          if (!Object.keys(state.matrix).length) state.matrix = undefined;
        } else {
          state.matrix = state.matrix || {};
          // Ratings start empty, and every other part starts from the default matrix's value.
          state.matrix[key] = key === "ratings" ? {} : copy(config.defaultRiskMatrix[key]);
        }
        changed();
        render("default-" + key);
      } }), " ", label);
  }

  function matrixSection() {
    return section("ed-matrix", L.section_matrix, h("p", { class: "ed-hint" }, L.matrix_hint),
      bandsPart("likelihood"), bandsPart("consequence"), levelsPart(), gridPart(), criterionPart(), ratingsPart());
  }

  function bandsPart(kind) {
    const custom = state.matrix && state.matrix[kind];
    const bands = effective(kind);
    const path = "risk_matrix." + kind;
    const rows = bands.map((band, index) => {
      const bandPath = joinPath(path, index);
      const number = index + 1;
      const label = textInput(band.label, (value) => { band.label = value; }, { "data-key": bandPath + ".label", disabled: !custom,
        "aria-label": format(L.band_label, { kind: L[kind], number }) });
      const upper = numberInput(band.upper, (value) => { band.upper = value; }, { "data-key": bandPath + ".upper", disabled: !custom,
        "aria-label": format(L.band_upper, { kind: L[kind], number }), placeholder: kind === "consequence" ? L.unbounded : "" });
      const slot = cellSlot(bandPath);
      return h("tr", slot.attributes, h("td", { "data-path": bandPath + ".label" }, label), h("td", { "data-path": bandPath + ".upper" }, upper),
        h("td", {}, custom ? bandActions(kind, index) : null, slot.slot));
    });
    const slot = cellSlot(path);
    return h("fieldset", Object.assign({ class: "ed-fieldset" }, slot.attributes), h("legend", {}, L[kind + "_bands"]),
      defaultToggle(kind, L.use_default),
      h("table", { class: "ed-table" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, L.label), h("th", { scope: "col" }, L.upper_edge), h("th", { scope: "col" }, L.actions))),
        h("tbody", {}, rows)),
      custom ? h("button", { type: "button", class: "secondary", "data-key": kind + "-band-add", onclick: () => {
        state.matrix[kind].push({ label: "", upper: "" });
        resizeGrid();
        changed();
        render(kind + "-band-add");
      } }, L.add_band) : null, slot.slot);
  }

  function bandActions(kind, index) {
    const bands = state.matrix[kind];
    const noun = kind + "_band";
    return rowActions(bands, index, "band-" + kind, noun).map((button) => {
      button.addEventListener("click", resizeGrid, { capture: true });
      return button;
    });
  }

  /* Keep a custom grid the size of the bands: new rows and columns start at level 0. */
  function resizeGrid() {
    setTimeout(() => {
      if (!state.matrix || !state.matrix.grid) return;
      const rows = effective("likelihood").length;
      const columns = effective("consequence").length;
      const grid = state.matrix.grid;
      while (grid.length > rows) grid.pop();
      while (grid.length < rows) grid.push([]);
      for (const row of grid) {
        while (row.length > columns) row.pop();
        while (row.length < columns) row.push("0");
      }
      render();
    }, 0);
  }

  function levelsPart() {
    const custom = state.matrix && state.matrix.levels;
    const levels = effective("levels");
    const rows = levels.map((level, index) => {
      const path = joinPath("risk_matrix.levels", index);
      const number = index + 1;
      const slot = cellSlot(path);
      return h("tr", slot.attributes,
        h("td", { "data-path": path + ".label" }, textInput(level.label, (value) => { level.label = value; },
          { "data-key": path + ".label", disabled: !custom, "aria-label": format(L.level_label, { number }) })),
        h("td", { "data-path": path + ".color" }, h("input", { type: "color", value: /^#[0-9a-fA-F]{6}$/.test(level.color) ? level.color.toLowerCase() : "#000000",
          disabled: !custom, "data-key": path + ".color", "aria-label": format(L.level_color, { number }),
          oninput: (event) => { level.color = event.target.value; changed(); } })),
        h("td", {}, custom ? rowActions(levels, index, "level", "level") : null, slot.slot));
    });
    const slot = cellSlot("risk_matrix.levels");
    return h("fieldset", Object.assign({ class: "ed-fieldset" }, slot.attributes), h("legend", {}, L.levels),
      defaultToggle("levels", L.use_default),
      h("table", { class: "ed-table" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, L.label), h("th", { scope: "col" }, L.color), h("th", { scope: "col" }, L.actions))), h("tbody", {}, rows)),
      custom ? h("button", { type: "button", class: "secondary", "data-key": "level-add",
        onclick: () => { levels.push({ label: "", color: "#777777" }); changed(); render("level-add"); } }, L.add_level) : null,
      slot.slot);
  }

  function gridPart() {
    const custom = state.matrix && state.matrix.grid;
    const grid = effective("grid");
    const likelihood = effective("likelihood");
    const consequence = effective("consequence");
    const levels = effective("levels");
    const rows = likelihood.map((band, i) => h("tr", {}, h("th", { scope: "row" }, band.label),
      consequence.map((column, j) => {
        const value = (grid[i] || [])[j];
        const level = levels[Number(value)];
        const path = joinPath(joinPath("risk_matrix.grid", i), j);
        return h("td", { "data-path": path, style: level && /^#[0-9a-fA-F]{6}$/.test(level.color) ? `border-left: 6px solid ${level.color}` : null },
          numberInput(value === undefined ? "" : value, (text) => { grid[i][j] = text; }, { "data-key": path, disabled: !custom, class: "ed-number ed-level",
            "aria-label": format(L.grid_cell, { likelihood: band.label, consequence: column.label }) }));
      }))).reverse();
    const slot = cellSlot("risk_matrix.grid");
    return h("fieldset", Object.assign({ class: "ed-fieldset" }, slot.attributes), h("legend", {}, L.grid),
      defaultToggle("grid", L.use_default), h("p", { class: "ed-hint" }, L.grid_matrix_hint),
      h("table", { class: "ed-table" }, h("thead", {}, h("tr", {}, h("th", {}, ""), consequence.map((band) => h("th", { scope: "col" }, band.label)))), h("tbody", {}, rows)),
      slot.slot);
  }

  function criterionPart() {
    const custom = state.matrix && state.matrix.criterion !== undefined;
    const criterion = effective("criterion");
    const kind = criterion instanceof Object ? "power" : criterion;
    const select = h("select", { disabled: !custom, "data-key": "criterion", onchange: (event) => {
      state.matrix.criterion = event.target.value === "power" ? { power: "2" } : event.target.value;
      changed();
      render("criterion");
    } }, ["expected_loss", "power", "severity_first"].map((name) => h("option", { value: name, selected: kind === name }, L["criterion_" + name])));
    const parts = [defaultToggle("criterion", L.use_default), field(L.criterion, "risk_matrix.criterion", select)];
    if (kind === "power") {
      parts.push(field(L.power, "risk_matrix.criterion.power", numberInput(criterion.power, (value) => { state.matrix.criterion.power = value; },
        { "data-key": "criterion.power", disabled: !custom })));
    }
    return h("fieldset", { class: "ed-fieldset" }, h("legend", {}, L.criterion), parts);
  }

  function ratingsPart() {
    const custom = state.matrix && state.matrix.ratings;
    const likelihood = effective("likelihood").map((band) => band.label);
    const consequence = effective("consequence").map((band) => band.label);
    const rows = [];
    if (custom) {
      for (const d of state.defenses) {
        for (const a of state.attacks) {
          const key = d.uid + "|" + a.uid;
          const rating = custom[key] || { likelihood: "", consequence: "" };
          const path = joinPath(joinPath("risk_matrix.ratings", d.id), a.id);
          const choose = (part, labels) => liveLabel(h("select", { "data-key": "rating-" + key + "-" + part,
            onchange: (event) => { rating[part] = event.target.value; custom[key] = rating; changed(); } },
          h("option", { value: "" }, "—"), labels.map((label) => h("option", { value: label, selected: rating[part] === label }, label))),
          () => format(L["rating_" + part], { defense: displayName("defenses", d), attack: displayName("attacks", a) }));
          const slot = cellSlot(path);
          rows.push(h("tr", slot.attributes, h("th", { scope: "row" }, h("span", { "data-name-of": d.uid }, d.name || d.id)),
            h("th", { scope: "row" }, h("span", { "data-name-of": a.uid }, a.name || a.id)),
            h("td", { "data-path": path + ".likelihood" }, choose("likelihood", likelihood)),
            h("td", { "data-path": path + ".consequence" }, choose("consequence", consequence), slot.slot)));
        }
      }
    }
    const slot = cellSlot("risk_matrix.ratings");
    return h("fieldset", Object.assign({ class: "ed-fieldset" }, slot.attributes), h("legend", {}, L.ratings),
      h("p", { class: "ed-hint" }, L.ratings_hint), defaultToggle("ratings", L.no_ratings),
      custom ? h("table", { class: "ed-table" }, h("thead", {}, h("tr", {}, [L.defense_heading, L.attack_heading, L.likelihood, L.consequence].map((text) => h("th", { scope: "col" }, text)))),
        h("tbody", {}, rows)) : null, slot.slot);
  }

  /* --- validation ------------------------------------------------------------------------------ */

  let errors = config.errors;
  let validateTimer;
  let validation = 0;

  function changed() {
    clearTimeout(validateTimer);
    validateTimer = setTimeout(validate, 600);
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null)).catch(() => null);
  }

  function postJson(url, body) {
    return fetch(url, { method: "POST", credentials: "same-origin", body,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json" } })
      .then((response) => response.json()).catch(() => null);
  }

  async function validate() {
    const current = ++validation;
    const status = document.getElementById("editor-status");
    status.textContent = L.checking;
    const response = await postJson(config.urls.validate, serialize());
    if (current !== validation) return;
    if (!response) { status.textContent = L.check_failed; return; }
    errors = response.errors;
    applyErrors();
    status.textContent = errors.length ? errorCount(errors.length) : L.no_errors;
  }

  function errorCount(count) {
    return count === 1 ? L.error_count_one : format(L.error_count, { count });
  }

  function applyErrors() {
    for (const slot of root.querySelectorAll(".ed-error")) { slot.replaceChildren(); slot.hidden = true; }
    for (const element of root.querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
    for (const element of root.querySelectorAll(".ed-invalid")) element.classList.remove("ed-invalid");
    const targets = new Map();
    for (const element of root.querySelectorAll("[data-path]")) {
      if (!targets.has(element.dataset.path)) targets.set(element.dataset.path, element);
    }
    const summary = document.getElementById("editor-errors");
    const items = [];
    for (const error of errors) {
      let path = error.path;
      while (path && !targets.has(path)) path = parentPath(path);
      const target = targets.get(path);
      let control = null;
      if (target) {
        const holder = target.closest("[data-error-slot]");
        const slot = holder && document.getElementById(holder.dataset.errorSlot);
        if (slot) { slot.append(h("p", {}, error.message)); slot.hidden = false; }
        control = target.matches("input, select, textarea") ? target : target.querySelector("input:not([disabled]), select, textarea");
        if (control) control.setAttribute("aria-invalid", "true");
        target.classList.add("ed-invalid");
      }
      items.push(h("li", {}, control ? h("a", { href: "#", onclick: (event) => { event.preventDefault(); control.focus(); } }, error.message) : error.message));
    }
    summary.replaceChildren(...(items.length ? [h("p", {}, errorCount(items.length)), h("ul", {}, items)] : []));
    summary.hidden = !items.length;
  }

  /* Mark each field where saving would undo a change of a newer revision, with that revision's value. */
  function markOverwritten() {
    const targets = new Map();
    for (const element of root.querySelectorAll("[data-path]")) {
      if (!targets.has(element.dataset.path)) targets.set(element.dataset.path, element);
    }
    for (const item of config.overwritten) {
      let path = item.path;
      while (path && !targets.has(path)) path = parentPath(path);
      const target = targets.get(path);
      if (!target) continue;
      const marker = h("span", { class: "ed-theirs", id: "ed-theirs-" + ++fieldCount },
        format(L.theirs_value, { number: config.base, value: item.theirs === null ? "—" : item.theirs }));
      const control = target.matches("input, select, textarea") ? target : target.querySelector("input:not([disabled]), select, textarea");
      if (control) {
        const described = control.getAttribute("aria-describedby");
        control.setAttribute("aria-describedby", (described ? described + " " : "") + marker.id);
      }
      if (target.matches("input, select, textarea")) target.after(marker);
      else target.append(marker);
      target.classList.add("ed-overwritten-field");
    }
  }

  /* --- start ---------------------------------------------------------------------------------- */

  try {
    state = stateFrom(parseJson(documentField.value));
  } catch (error) {
    state = stateFrom({});
    document.getElementById("editor-status").textContent = L.unreadable;
  }
  render();
  form.addEventListener("submit", () => { documentField.value = serialize(); });
  // Enter moves between cells of the probability table; elsewhere it must not save half a scenario.
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches("#editor-root input")) event.preventDefault();
  });
  window.riskappEditor = { serialize, state: () => state };
  if (!config.errors.length && documentField.dataset.validate === "true") validate();
}());
