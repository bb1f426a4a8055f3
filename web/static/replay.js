// The replay: plays a session back on its active clock (pauses left out) at 1x to 8x.
// Finished messages are inserted from the server's sanitised HTML; everything else, notes and
// evidence quotes included, goes in as text. The moment lives in the URL (?t=SECONDS and
// #turn-SEQ), so it can be shared: a link opens there, paused, with that message highlighted.
"use strict";
(() => {
  const root = document.getElementById("replay");
  const api = `/api/sessions/${root.dataset.sessionId}/replay`;
  const byId = (id) => document.getElementById(id);
  const playButton = byId("play");
  const scrubber = byId("scrubber");
  const positionText = byId("position");
  const durationText = byId("duration");
  const statusLine = byId("status");
  const transcript = byId("transcript");
  const notesText = byId("notes");
  const phaseMarkers = byId("phase-markers");
  const evidenceMarkers = byId("evidence-markers");
  const speedButtons = [...document.querySelectorAll("[data-speed]")];
  const FINISHED_KINDS = new Set(["reply", "closing", "sign_off"]);

  let replay = null;
  let rows = []; // {message, element}, in the order they were said
  let duration = 0;
  let position = 0;
  let speed = 1;
  let playing = false;
  let lastFrame = 0;
  let highlighted = null; // the element of the message the URL points at

  const mmss = (seconds) => {
    const s = Math.max(0, Math.floor(seconds));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  };
  const clamp = (t) => Math.min(duration, Math.max(0, t));
  const percent = (t) => (duration > 0 ? (clamp(t) / duration) * 100 : 0);
  const lastAt = (items, t) => items.filter((item) => item.t <= t).pop() || null;
  const groupBy = (items, key) => {
    const groups = new Map();
    for (const item of items) groups.set(key(item), [...(groups.get(key(item)) || []), item]);
    return groups;
  };
  const phaseAt = (t) =>
    replay.phases.filter((phase) => phase.start_t <= t).pop() || replay.phases[0] || null;

  function messageElement(message, evidence) {
    const box = document.createElement("div");
    box.id = `turn-${message.seq}`;
    box.className = `message ${message.role}`;
    box.hidden = true;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = message.role === "interviewer" ? "Interviewer" : "You";
    const at = document.createElement("a");
    at.className = "at";
    at.href = `#turn-${message.seq}`;
    at.textContent = mmss(message.t);
    at.addEventListener("click", (event) => {
      event.preventDefault();
      seek(message.t, message.seq);
    });
    const body = document.createElement("div");
    body.className = "text";
    if (FINISHED_KINDS.has(message.kind)) {
      body.classList.add("rendered");
      body.innerHTML = message.html; // rendered from Markdown and sanitised by the server
    } else {
      box.classList.add("interrupted");
      body.textContent = message.text;
    }
    box.append(who, " ", at, body);
    if (evidence.length) {
      box.classList.add("has-evidence");
      const tags = document.createElement("p");
      tags.className = "evidence-tags";
      tags.textContent = `Evidence for: ${[...new Set(evidence.map((e) => e.dimension_title))].join(", ")}`;
      box.append(tags);
    }
    return box;
  }

  function marker(row, { t, label, className, onClick }) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `marker ${className}`;
    button.style.left = `${percent(t)}%`;
    button.title = label;
    button.setAttribute("aria-label", label);
    button.addEventListener("click", onClick);
    row.append(button);
    return button;
  }

  function buildMarkers() {
    for (const phase of replay.phases) {
      const end = phase.end_t === null ? duration : phase.end_t;
      const segment = marker(phaseMarkers, {
        t: phase.start_t,
        label: `${phase.title} from ${mmss(phase.start_t)}`,
        className: "phase-marker",
        onClick: () => seek(phase.start_t, null),
      });
      segment.style.width = `${Math.max(0, percent(end) - percent(phase.start_t))}%`;
      segment.dataset.phase = phase.id;
      segment.textContent = phase.title;
    }
    const byTurn = groupBy(replay.evidence, (quote) => quote.turn_id);
    for (const [turn, quotes] of byTurn) {
      marker(evidenceMarkers, {
        t: quotes[0].t,
        label: quotes.map((q) => `${q.dimension_title}: “${q.quote}”`).join("\n"),
        className: "evidence-marker",
        onClick: () => seek(quotes[0].t, turn),
      });
    }
  }

  function render(scrollToNewest) {
    scrubber.value = String(position);
    positionText.textContent = mmss(position);
    let newest = null;
    for (const { message, element } of rows) {
      const said = message.t <= position;
      if (element.hidden === said) {
        element.hidden = !said;
        if (said) newest = element;
      }
    }
    if (newest && scrollToNewest) transcript.scrollTop = transcript.scrollHeight;
    const phase = phaseAt(position);
    for (const item of document.querySelectorAll("#phases li, .phase-marker")) {
      item.classList.toggle("current", phase !== null && item.dataset.phase === phase.id);
    }
    const notes = lastAt(replay.notes, position);
    const text = notes ? notes.text : "";
    if (notesText.textContent !== text) notesText.textContent = text;
  }

  // Marks the message; a link scrolls the page to it, a click in the page only the transcript.
  function highlight(seq, scrollPage) {
    if (highlighted) highlighted.classList.remove("highlight");
    highlighted = seq === null ? null : byId(`turn-${seq}`);
    if (!highlighted) return;
    highlighted.classList.add("highlight");
    if (scrollPage) {
      highlighted.scrollIntoView({ block: "center" });
    } else {
      const offset = highlighted.getBoundingClientRect().top - transcript.getBoundingClientRect().top;
      transcript.scrollTop += offset - transcript.clientHeight / 3;
    }
  }

  function updateUrl() {
    const url = new URL(location.href);
    url.searchParams.set("t", String(Math.ceil(position * 10) / 10));
    url.hash = highlighted ? highlighted.id : "";
    history.replaceState(null, "", url);
  }

  function seek(t, turnSeq) {
    position = clamp(t);
    render(true);
    highlight(turnSeq, false);
    updateUrl();
  }

  function frame(now) {
    if (!playing) return;
    position = clamp(position + (Math.max(0, now - lastFrame) / 1000) * speed);
    lastFrame = now;
    render(true);
    if (position >= duration) {
      pause();
      statusLine.textContent = "End of the session.";
      return;
    }
    requestAnimationFrame(frame);
  }

  function play() {
    if (position >= duration) seek(0, null);
    playing = true;
    lastFrame = performance.now();
    playButton.textContent = "Pause";
    statusLine.textContent = "";
    requestAnimationFrame(frame);
  }

  function pause() {
    playing = false;
    playButton.textContent = position >= duration ? "Play again" : "Play";
    updateUrl();
  }

  function setSpeed(value) {
    speed = value;
    for (const button of speedButtons) {
      button.setAttribute("aria-pressed", String(Number(button.dataset.speed) === speed));
    }
  }

  function jumpToUrl() {
    const match = /^#turn-(\d+)$/.exec(location.hash);
    const turn = match ? rows.find((row) => row.message.seq === Number(match[1])) : undefined;
    const t = Number.parseFloat(new URLSearchParams(location.search).get("t"));
    let start = Number.isFinite(t) ? t : 0;
    if (turn && turn.message.t > start) start = turn.message.t; // the message must be said
    position = clamp(start);
    render(!turn);
    highlight(turn ? turn.message.seq : null, true);
  }

  function show(data) {
    replay = data;
    duration = Math.max(0, data.session.duration_s);
    const evidence = groupBy(data.evidence, (quote) => quote.turn_id);
    rows = data.messages.map((message) => ({
      message,
      element: messageElement(message, evidence.get(message.seq) || []),
    }));
    transcript.append(...rows.map((row) => row.element));
    scrubber.max = String(Math.ceil(duration));
    scrubber.disabled = duration === 0;
    playButton.disabled = duration === 0;
    durationText.textContent = mmss(duration);
    buildMarkers();
    statusLine.textContent = rows.length ? "" : "Nothing was said in this session.";
    jumpToUrl();
  }

  playButton.addEventListener("click", () => (playing ? pause() : play()));
  for (const button of speedButtons) {
    button.addEventListener("click", () => setSpeed(Number(button.dataset.speed)));
  }
  scrubber.addEventListener("input", () => seek(Number(scrubber.value), null));
  window.addEventListener("hashchange", () => {
    if (replay) jumpToUrl();
  });
  // Keyboard: Space plays or pauses, the arrows step 5 s (15 s with Shift), 1-4 pick a speed.
  document.addEventListener("keydown", (event) => {
    if (!replay || event.target.closest("input, textarea, select, button, a")) return;
    if (event.key === " ") {
      event.preventDefault();
      if (playing) pause();
      else play();
    } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      event.preventDefault();
      const step = (event.shiftKey ? 15 : 5) * (event.key === "ArrowRight" ? 1 : -1);
      seek(position + step, null);
    } else if (["1", "2", "3", "4"].includes(event.key)) {
      setSpeed(2 ** (Number(event.key) - 1));
    }
  });

  fetch(api, { headers: { Accept: "application/json" } })
    .then((response) => {
      if (!response.ok) throw new Error(`the server said ${response.status}`);
      return response.json();
    })
    .then(show)
    .catch((error) => {
      statusLine.textContent = `Could not load the replay: ${error.message}`;
    });
})();
