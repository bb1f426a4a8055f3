// The interview room. One EventSource follows the session's feed (/events): the browser
// resumes it by itself with Last-Event-ID after a drop, so nothing is missed or shown twice.
// Streamed tokens are inserted with textContent, never as HTML; a finished message is replaced
// by the HTML the server rendered from Markdown and sanitised. The server owns the clock; this
// page counts down between syncs and asks the server again every few seconds.
"use strict";
(() => {
  const room = document.getElementById("room");
  const sessionId = room.dataset.sessionId;
  const api = `/api/sessions/${sessionId}`;
  const transcript = document.getElementById("transcript");
  const statusLine = document.getElementById("status");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const sendButton = document.getElementById("send");
  const retryButton = document.getElementById("retry");
  const cancelButton = document.getElementById("cancel");
  const pauseButton = document.getElementById("pause");
  const endButton = document.getElementById("end");
  const nextButton = document.getElementById("next-phase");
  const notes = document.getElementById("notes");
  const notesMode = document.getElementById("notes-mode");
  const notesStatus = document.getElementById("notes-status");
  const after = document.getElementById("after");
  const clockText = document.getElementById("clock");
  const phaseClock = document.getElementById("phase-clock");
  const warningText = document.getElementById("warning");
  const shown = new Set(); // seqs of messages already on screen
  const turns = new Map(); // reply turn seq -> its text element
  let replying = false;
  let finished = false;
  let clock = null;
  let clockSyncedAt = 0;

  const mmss = (seconds) => {
    const s = Math.max(0, Math.floor(seconds));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  };

  function setPhase(phase) {
    const items = [...document.querySelectorAll("#phases li")];
    const index = items.findIndex((item) => item.dataset.phase === phase);
    items.forEach((item, position) => {
      item.classList.toggle("current", position === index);
      item.classList.toggle("done", position < index);
    });
  }

  function renderPhaseTimes(drift) {
    const used = (clock && clock.phase_seconds_used) || {};
    for (const item of document.querySelectorAll("#phases li")) {
      const time = item.querySelector(".phase-time");
      const budget = Number(item.dataset.budget);
      let seconds = used[item.dataset.phase];
      if (clock && item.dataset.phase === clock.phase && !clock.ended) {
        // The running step counts down; others show time used (or their budget if unvisited).
        const left = clock.phase_seconds_left === null ? null : clock.phase_seconds_left - drift;
        time.textContent = left === null ? "" : mmss(left);
        item.classList.toggle("over", left !== null && left <= 60);
        continue;
      }
      time.textContent = seconds === undefined ? mmss(budget) : `${mmss(seconds)} used`;
      item.classList.toggle("over", seconds !== undefined && seconds > budget * 1.3);
    }
  }

  function renderClock() {
    if (!clock) return;
    const running = !clock.paused && !clock.ended;
    const drift = running ? (Date.now() - clockSyncedAt) / 1000 : 0;
    clockText.textContent = mmss(clock.session_seconds_left - drift);
    clockText.classList.toggle("paused", !running);
    phaseClock.textContent = clock.ended
      ? "Interview over"
      : clock.phase_seconds_left === null
        ? "last step"
        : `${mmss(clock.phase_seconds_left - drift)} left in this step`;
    const warnings = clock.warnings || [];
    warningText.textContent = clock.paused
      ? "Paused"
      : warnings.includes("session_ending") && !clock.ended
        ? "5 minutes left in the interview"
        : warnings.includes(`phase_ending:${clock.phase}`)
          ? "1 minute left in this step"
          : "";
    pauseButton.textContent = clock.paused ? "Resume" : "Pause";
    pauseButton.disabled = clock.ended;
    endButton.disabled = clock.ended;
    nextButton.disabled = clock.ended || clock.paused || replying;
    renderPhaseTimes(drift);
  }

  function applySession(session) {
    clock = session.clock;
    clockSyncedAt = Date.now();
    setPhase(clock.phase);
    renderClock();
    finished = session.messages.some((m) => m.kind === "sign_off");
    input.disabled = finished;
    if (finished) statusLine.textContent = "The interview is over. Your transcript is saved.";
    after.hidden = !clock.ended;
    updateButtons();
  }

  function updateButtons() {
    sendButton.disabled = replying || finished;
    cancelButton.hidden = !replying;
    nextButton.disabled = !clock || clock.ended || clock.paused || replying;
  }

  function bubble(role, kind) {
    const box = document.createElement("div");
    box.className = `message ${role}${kind === "interrupted" || kind === "cancelled" ? " interrupted" : ""}`;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = role === "interviewer" ? "Interviewer" : "You";
    const body = document.createElement("p");
    body.className = "text";
    box.append(who, body);
    transcript.append(box);
    return body;
  }

  function scroll() {
    transcript.scrollTop = transcript.scrollHeight;
  }

  function setFinished(body, message) {
    // The server rendered this from Markdown and sanitised it (no scripts, handlers or images).
    if (message.html) body.innerHTML = message.html;
    else body.textContent = message.text;
    body.classList.add("rendered");
  }

  function showMessage(message) {
    if (shown.has(message.seq)) return;
    shown.add(message.seq);
    setFinished(bubble(message.role, message.kind), message);
    scroll();
  }

  function turnBody(turn) {
    if (!turns.has(turn)) turns.set(turn, bubble("interviewer", "reply"));
    return turns.get(turn);
  }

  function finishTurn(message, note, offerRetry) {
    const turn = Math.max(...turns.keys(), 0);
    const body = turns.get(turn) || bubble("interviewer", message ? message.kind : "reply");
    if (message) {
      setFinished(body, message);
      shown.add(message.seq);
      if (message.kind === "interrupted" || message.kind === "cancelled") {
        body.parentElement.classList.add("interrupted");
      }
    }
    turns.clear();
    replying = false;
    if (message && message.kind === "sign_off") {
      finished = true;
      input.disabled = true;
      refresh();
    }
    statusLine.textContent = finished ? "The interview is over. Your transcript is saved." : note || "";
    retryButton.hidden = !offerRetry;
    updateButtons();
    scroll();
  }

  function follow() {
    const source = new EventSource(`${api}/events`);
    const on = (name, handler) =>
      source.addEventListener(name, (event) => handler(JSON.parse(event.data), event.lastEventId));
    on("message", (data) => showMessage(data.message));
    on("reply_started", (data) => {
      replying = true;
      retryButton.hidden = true;
      statusLine.textContent = "The interviewer is typing…";
      turnBody(data.turn);
      updateButtons();
    });
    on("token", (data, id) => {
      const body = turnBody(Number(id.split(".")[0]));
      body.textContent += data.text;
      scroll();
    });
    on("done", (data) => finishTurn(data.message, "", false));
    on("interrupted", (data) =>
      finishTurn(data.message, `The reply was interrupted: ${data.detail}`, true));
    on("cancelled", (data) => finishTurn(data.message, "You stopped the reply.", false));
    on("error", (data) => finishTurn(null, `The interviewer could not reply: ${data.detail}`, true));
    on("phase", (data) => {
      setPhase(data.phase);
      refresh(); // the new step's clock and the time used by the last one
    });
    for (const name of ["warning", "paused", "resumed", "ended"]) on(name, () => refresh());
    on("usage", () => {});
    source.onerror = () => {
      if (source.readyState === EventSource.CONNECTING) statusLine.textContent = "Reconnecting…";
    };
    source.onopen = () => {
      if (statusLine.textContent === "Reconnecting…") statusLine.textContent = "";
    };
  }

  async function refresh() {
    const response = await fetch(api);
    if (!response.ok) return null;
    const session = await response.json();
    applySession(session);
    return session;
  }

  async function control(action) {
    const response = await fetch(`${api}/${action}`, { method: "POST" });
    const body = await response.json();
    if (!response.ok) {
      statusLine.textContent = body.detail;
      return;
    }
    if (body.clock) applySession(body);
  }

  async function send(text) {
    sendButton.disabled = true;
    const response = await fetch(`${api}/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      // A client id makes a double click or a resend harmless.
      body: JSON.stringify({ text, client_id: crypto.randomUUID() }),
    });
    const body = await response.json();
    if (!response.ok) {
      sendButton.disabled = false;
      const detail = Array.isArray(body.detail) ? body.detail.map((d) => d.msg).join("; ") : body.detail;
      statusLine.textContent = `Not sent: ${detail}`;
      return false;
    }
    showMessage(body);
    return true;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || replying || finished) return;
    if (await send(text)) input.value = "";
  });

  input.addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter adds a line (and IME composition is left alone).
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  nextButton.addEventListener("click", () => {
    if (!replying && !finished) send("I'd like to move on to the next step.");
  });

  // Notes: saved a second after typing stops, and when the page is left.
  let notesTimer = null;
  let notesSaved = "";
  async function saveNotes() {
    clearTimeout(notesTimer);
    const text = notes.value;
    if (text === notesSaved) return;
    const response = await fetch(`${api}/notes`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text }),
      keepalive: true,
    });
    if (response.ok) {
      notesSaved = text;
      notesStatus.textContent = `Saved at ${new Date().toLocaleTimeString()}`;
    } else {
      notesStatus.textContent = "Could not save the notes; they stay here, try again.";
    }
  }
  notes.addEventListener("input", () => {
    notesStatus.textContent = "Editing…";
    clearTimeout(notesTimer);
    notesTimer = setTimeout(saveNotes, 1000);
    clearTimeout(diagramTimer);
    diagramTimer = setTimeout(drawDiagram, 600);
  });

  // A Mermaid preview, drawn by the vendored library (loaded on first use) in strict mode,
  // which sanitises every label; the source stays plain text in the textarea.
  const diagram = document.getElementById("diagram");
  const diagramError = document.getElementById("diagram-error");
  let diagramTimer = null;
  let mermaidReady = null;
  let diagramCount = 0;
  function loadMermaid() {
    if (!mermaidReady) {
      mermaidReady = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = "/static/vendor/mermaid.min.js";
        script.onload = () => {
          // Strict mode sanitises labels; without HTML labels they are plain SVG text.
          window.mermaid.initialize({
            startOnLoad: false,
            securityLevel: "strict",
            htmlLabels: false,
            flowchart: { htmlLabels: false },
          });
          resolve(window.mermaid);
        };
        script.onerror = () => reject(new Error("the diagram library did not load"));
        document.head.append(script);
      });
    }
    return mermaidReady;
  }
  async function drawDiagram() {
    const source = notes.value.trim();
    const wanted = notesMode.value === "mermaid" && source;
    diagram.hidden = !wanted;
    diagramError.hidden = true;
    if (!wanted) return;
    try {
      const mermaid = await loadMermaid();
      diagramCount += 1;
      const { svg } = await mermaid.render(`diagram-${diagramCount}`, source);
      diagram.innerHTML = svg;
    } catch (error) {
      diagramError.textContent = `Diagram not drawn: ${error.message || error}`;
      diagramError.hidden = false;
    }
  }
  notes.addEventListener("blur", saveNotes);
  window.addEventListener("pagehide", saveNotes);
  notesMode.addEventListener("change", () => {
    if (notesMode.value === "mermaid" && !notes.value.trim()) {
      notes.value = "graph LR\n  client --> api\n";
      notes.dispatchEvent(new Event("input"));
    }
    drawDiagram();
  });
  fetch(`${api}/notes`).then((r) => (r.ok ? r.json() : null)).then((saved) => {
    if (!saved) return;
    notes.value = saved.text;
    notesSaved = saved.text;
    if (/^\s*(graph|flowchart|sequenceDiagram)\b/.test(saved.text)) {
      notesMode.value = "mermaid";
      drawDiagram();
    }
  });
  retryButton.addEventListener("click", () => control("retry"));
  cancelButton.addEventListener("click", () => control("cancel"));
  pauseButton.addEventListener("click", () => control(clock && clock.paused ? "resume" : "pause"));
  endButton.addEventListener("click", () => {
    if (window.confirm("End the interview now?")) control("end");
  });

  setInterval(renderClock, 1000);
  setInterval(() => { if (!finished) refresh(); }, 10000);
  refresh().then((session) => {
    if (!session) {
      statusLine.textContent = "This session could not be loaded.";
      return;
    }
    follow();
  });
})();
