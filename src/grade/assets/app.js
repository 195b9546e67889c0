// assay grading app: everything runs from this file and the JSON API of the binary that
// served it. Keyboard first: digits score, j/k move, s skips, p toggles pairwise mode.
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const token = params.get("token");
  const graderParam = params.get("grader");
  const $ = (id) => document.getElementById(id);
  const state = {
    session: null, grades: {}, pairs: [], votes: {}, disputed: new Set(),
    order: [], pos: 0, current: null, dim: 0, mode: "single", pairList: [], pairPos: 0,
    pairDetail: {}, notesTimer: null, pendingNotes: null, saving: Promise.resolve(),
  };

  function url(path) {
    const q = new URLSearchParams();
    if (graderParam) q.set("grader", graderParam);
    const s = q.toString();
    return s ? path + (path.includes("?") ? "&" : "?") + s : path;
  }
  async function api(path, body) {
    const headers = { "Accept": "application/json" };
    if (token) headers["x-assay-token"] = token;
    const init = { headers };
    if (body !== undefined) {
      init.method = "POST";
      headers["Content-Type"] = "application/json";
      if (graderParam) body.grader = graderParam;
      init.body = JSON.stringify(body);
    }
    const r = await fetch(url(path), init);
    const data = await r.json();
    if (!r.ok) throw new Error(data.error || r.statusText);
    return data;
  }
  function text(el, t) { el.textContent = t == null ? "" : String(t); }
  function verdict(el, status) { text(el, status); el.className = "verdict " + status; }

  // All of the server's view at start; afterwards only what other graders change (our own
  // grades are what we saved: replacing them could undo a change still being sent).
  async function refreshGrades(all) {
    const g = await api("/api/grades");
    if (all) state.grades = g.grades;
    state.pairs = g.pairs; state.votes = g.votes;
    state.disputed = new Set(g.disputed);
  }

  function filtered() {
    const f = $("filter").value, task = $("task-filter").value, v = $("verdict-filter").value;
    return state.session.samples.filter((s) =>
      (f !== "ungraded" || !state.grades[s.sample]) &&
      (f !== "disputed" || state.disputed.has(s.sample)) &&
      (!task || s.task_id === task) && (!v || s.status === v)).map((s) => s.index);
  }

  function renderList() {
    const ol = $("list");
    ol.replaceChildren();
    for (const i of state.order) {
      const s = state.session.samples[i];
      const li = document.createElement("li");
      li.dataset.index = i; li.dataset.sample = s.sample;
      text(li, s.task_id + " #" + s.completion_id);
      if (state.grades[s.sample]) li.classList.add("graded");
      if (state.disputed.has(s.sample)) li.classList.add("disputed");
      if (state.current && state.current.index === i) li.classList.add("current");
      li.addEventListener("click", () => { state.pos = state.order.indexOf(i); show(); });
      ol.appendChild(li);
    }
  }

  function renderProgress() {
    const total = state.session.samples.length;
    const done = state.session.samples.filter((s) => state.grades[s.sample]).length;
    text($("progress"), done + " / " + total + " graded");
  }

  function renderDims() {
    const box = $("dims");
    box.replaceChildren();
    const mine = state.current ? state.grades[state.current.sample] : null;
    state.session.rubric.dimensions.forEach((d, k) => {
      const div = document.createElement("div");
      div.className = "dim" + (k === state.dim ? " active" : "");
      div.dataset.dim = d.name;
      const name = document.createElement("span");
      name.className = "name"; text(name, d.label);
      div.appendChild(name);
      const chosen = mine && mine.scores ? mine.scores[d.name] : undefined;
      for (let v = d.min; v <= d.max; v++) {
        const b = document.createElement("button");
        b.type = "button"; b.dataset.score = v; text(b, v);
        b.title = d.scores[String(v)] || "";
        if (chosen === v) b.classList.add("selected");
        b.addEventListener("click", () => { state.dim = k; score(d.name, v); });
        div.appendChild(b);
      }
      const meaning = document.createElement("div");
      meaning.className = "meaning";
      text(meaning, chosen !== undefined ? (d.scores[String(chosen)] || "") : "");
      div.appendChild(meaning);
      box.appendChild(div);
    });
    $("notes").value = mine ? mine.notes || "" : "";
    $("notes-label").hidden = !state.session.rubric.notes;
  }

  async function show() {
    flushNotes();
    state.order = filtered();
    if (state.pos >= state.order.length) state.pos = Math.max(0, state.order.length - 1);
    const i = state.order[state.pos];
    renderProgress();
    if (i === undefined) {
      state.current = null;
      text($("sample-id"), "No sample matches the filters.");
      for (const id of ["prompt", "code", "stdout", "stderr", "message", "position"]) text($(id), "");
      $("tests").tBodies[0].replaceChildren();
      renderList(); renderDims();
      return;
    }
    const s = await api("/api/sample/" + i);
    state.current = s;
    history.replaceState(null, "", location.pathname + location.search + "#" + i);
    text($("sample-id"), s.task_id + " · completion " + s.completion_id + " · " + s.sample);
    text($("position"), (state.pos + 1) + " of " + state.order.length);
    text($("prompt"), s.prompt);
    $("code").innerHTML = s.code_html; // escaped and highlighted by the server
    verdict($("verdict"), s.status);
    text($("message"), s.message);
    const tbody = $("tests").tBodies[0];
    tbody.replaceChildren();
    for (const t of s.tests) {
      const tr = document.createElement("tr");
      for (const c of [t.name, t.level, t.status, t.message]) {
        const td = document.createElement("td"); text(td, c); tr.appendChild(td);
      }
      tbody.appendChild(tr);
    }
    text($("stdout"), s.stdout || "(nothing)");
    text($("stderr"), s.stderr || "(nothing)");
    state.dim = 0;
    renderDims(); renderList();
  }

  function saved(msg) { text($("save-state"), msg); }

  // Saves a grade of sample `s` (the one shown when the change was made). Saves go out one
  // after another, in the order they were made, so the last change is the last line.
  function save(s, scores, notes) {
    if (!s) return;
    state.saving = state.saving.then(() => send(s, scores, notes));
    return state.saving;
  }
  async function send(s, scores, notes) {
    saved("saving…");
    try {
      const r = await api("/api/grade", { sample: s.sample, scores, notes });
      saved("saved " + r.event.time.slice(11, 19));
      await refreshGrades(false);
    } catch (e) {
      saved("not saved: " + e.message);
    }
    renderProgress(); renderList();
  }

  function score(dim, v) {
    const s = state.current;
    if (!s) return;
    const mine = state.grades[s.sample] || { scores: {}, notes: "" };
    const scores = Object.assign({}, mine.scores, { [dim]: v });
    state.grades[s.sample] = { scores, notes: $("notes").value };
    const n = state.session.rubric.dimensions.length;
    state.dim = Math.min(state.dim + 1, n - 1);
    renderDims();
    save(s, scores, $("notes").value);
  }

  // Notes autosave half a second after the last keystroke, or at once when the grader
  // leaves the sample; always for the sample they were typed on.
  function saveNotes(s, notes) {
    if (!s) return;
    const mine = state.grades[s.sample];
    if (!mine || !Object.keys(mine.scores || {}).length) { saved("score first, then the notes are saved"); return; }
    if ((mine.notes || "") === notes) return;
    mine.notes = notes;
    save(s, mine.scores, notes);
  }
  function notesChanged() {
    clearTimeout(state.notesTimer);
    const s = state.current, notes = $("notes").value;
    state.pendingNotes = () => saveNotes(s, notes);
    state.notesTimer = setTimeout(flushNotes, 500);
  }
  function flushNotes() {
    clearTimeout(state.notesTimer);
    const pending = state.pendingNotes;
    state.pendingNotes = null;
    if (pending) pending();
  }

  // The next (or previous) sample after the one shown among those the filters keep now
  // (grading one may have filtered it out).
  function move(delta) {
    const order = filtered();
    if (!order.length) return;
    const cur = state.current ? state.current.index : -1;
    let p;
    if (delta > 0) {
      p = order.findIndex((i) => i > cur);
      if (p < 0) p = order.length - 1;
    } else {
      p = 0;
      for (let k = order.length - 1; k >= 0; k--) if (order[k] < cur) { p = k; break; }
    }
    state.pos = p;
    show();
  }

  function skip() {
    const all = state.order;
    for (let k = 1; k <= all.length; k++) {
      const p = (state.pos + k) % all.length;
      const s = state.session.samples[all[p]];
      if (!state.grades[s.sample]) { state.pos = p; show(); return; }
    }
    saved("every sample shown is graded");
  }

  // Pairwise mode: every two samples of a task, task by task.
  function buildPairs() {
    const byTask = new Map();
    const task = $("task-filter").value;
    for (const s of state.session.samples) {
      if (task && s.task_id !== task) continue;
      if (!byTask.has(s.task_id)) byTask.set(s.task_id, []);
      byTask.get(s.task_id).push(s);
    }
    state.pairList = [];
    for (const list of byTask.values())
      for (let i = 0; i < list.length; i++)
        for (let j = i + 1; j < list.length; j++) state.pairList.push([list[i], list[j]]);
  }

  function pairChoice(a, b) {
    for (const p of state.pairs)
      if ((p.a === a && p.b === b)) return p.better;
      else if (p.a === b && p.b === a) return p.better === "a" ? "b" : p.better === "b" ? "a" : p.better;
    return null;
  }

  async function detail(i) {
    if (!state.pairDetail[i]) state.pairDetail[i] = await api("/api/sample/" + i);
    return state.pairDetail[i];
  }

  async function showPair() {
    buildPairs();
    $("no-pairs").hidden = state.pairList.length > 0;
    if (!state.pairList.length) return;
    if (state.pairPos >= state.pairList.length) state.pairPos = state.pairList.length - 1;
    const [sa, sb] = state.pairList[state.pairPos];
    const [a, b] = [await detail(sa.index), await detail(sb.index)];
    text($("pair-task"), a.task_id);
    text($("pair-prompt"), a.prompt);
    text($("pair-position"), "pair " + (state.pairPos + 1) + " of " + state.pairList.length);
    for (const [id, s] of [["pair-a", a], ["pair-b", b]]) {
      const box = $(id);
      box.dataset.sample = s.sample;
      verdict(box.querySelector(".verdict"), s.status);
      text(box.querySelector(".cid"), "completion " + s.completion_id);
      box.querySelector(".code").innerHTML = s.code_html;
    }
    const c = pairChoice(a.sample, b.sample);
    $("pair-a").classList.toggle("chosen", c === "a");
    $("pair-b").classList.toggle("chosen", c === "b");
    for (const id of ["choose-a", "choose-b", "choose-tie"])
      $(id).classList.toggle("selected", $(id).dataset.better === c);
    text($("pair-choice"), c ? "recorded: " + (c === "tie" ? "tie" : c.toUpperCase() + " is better") : "not compared yet");
  }

  async function choose(better) {
    if (!state.pairList.length) return;
    const [sa, sb] = state.pairList[state.pairPos];
    saved("saving…");
    try {
      const r = await api("/api/pair", { a: sa.sample, b: sb.sample, better, notes: "" });
      saved("saved " + r.event.time.slice(11, 19));
      await refreshGrades(false);
    } catch (e) { saved("not saved: " + e.message); }
    showPair();
  }

  function setMode(mode) {
    state.mode = mode;
    $("single").hidden = mode !== "single";
    $("pairwise").hidden = mode !== "pairwise";
    text($("mode"), mode === "single" ? "pairwise mode (p)" : "single mode (p)");
    if (mode === "pairwise") showPair(); else show();
  }

  document.addEventListener("keydown", (ev) => {
    if (ev.target === $("notes")) {
      if (ev.key === "Escape") $("notes").blur();
      return;
    }
    if (ev.target.tagName === "SELECT" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const k = ev.key;
    if (k === "p") { setMode(state.mode === "single" ? "pairwise" : "single"); ev.preventDefault(); return; }
    if (state.mode === "pairwise") {
      if (k === "a" || k === "b" || k === "t") choose(k === "t" ? "tie" : k);
      else if (k === "j" || k === "ArrowRight") { state.pairPos = Math.min(state.pairPos + 1, state.pairList.length - 1); showPair(); }
      else if (k === "k" || k === "ArrowLeft") { state.pairPos = Math.max(state.pairPos - 1, 0); showPair(); }
      else return;
      ev.preventDefault();
      return;
    }
    const dims = state.session.rubric.dimensions;
    if (/^[0-9]$/.test(k)) {
      const d = dims[state.dim], v = Number(k);
      if (v >= d.min && v <= d.max) score(d.name, v);
      else saved(d.label + " is scored " + d.min + "–" + d.max);
    } else if (k === "j" || k === "ArrowRight") move(1);
    else if (k === "k" || k === "ArrowLeft") move(-1);
    else if (k === "s") skip();
    else if (k === "ArrowDown") { state.dim = Math.min(state.dim + 1, dims.length - 1); renderDims(); }
    else if (k === "ArrowUp") { state.dim = Math.max(state.dim - 1, 0); renderDims(); }
    else if (k === "n") { $("notes").focus(); }
    else return;
    ev.preventDefault();
  });

  async function start() {
    // Filters start from their defaults (a reload must not restore an old form state).
    for (const id of ["filter", "task-filter", "verdict-filter"]) $(id).selectedIndex = 0;
    state.session = await api("/api/session");
    text($("grader"), "grader: " + state.session.grader);
    for (const t of state.session.tasks) {
      const o = document.createElement("option"); o.value = t; text(o, t); $("task-filter").appendChild(o);
    }
    const verdicts = [...new Set(state.session.samples.map((s) => s.status))].sort();
    for (const v of verdicts) {
      const o = document.createElement("option"); o.value = v; text(o, v); $("verdict-filter").appendChild(o);
    }
    await refreshGrades(true);
    for (const id of ["filter", "task-filter", "verdict-filter"])
      $(id).addEventListener("change", () => { state.pos = 0; state.pairPos = 0; $(id).blur(); state.mode === "single" ? show() : showPair(); });
    $("prev").addEventListener("click", () => move(-1));
    $("next").addEventListener("click", () => move(1));
    $("skip").addEventListener("click", skip);
    $("mode").addEventListener("click", () => setMode(state.mode === "single" ? "pairwise" : "single"));
    $("pair-prev").addEventListener("click", () => { state.pairPos = Math.max(state.pairPos - 1, 0); showPair(); });
    $("pair-next").addEventListener("click", () => { state.pairPos = Math.min(state.pairPos + 1, state.pairList.length - 1); showPair(); });
    for (const id of ["choose-a", "choose-b", "choose-tie"])
      $(id).addEventListener("click", () => choose($(id).dataset.better));
    $("notes").addEventListener("input", notesChanged);
    $("notes").addEventListener("blur", () => { if (state.pendingNotes) flushNotes(); });
    const at = Number(location.hash.slice(1));
    state.order = filtered();
    if (location.hash && state.order.includes(at)) state.pos = state.order.indexOf(at);
    await show();
    document.body.dataset.ready = "1";
  }
  start().catch((e) => { saved("cannot start: " + e.message); });
})();
