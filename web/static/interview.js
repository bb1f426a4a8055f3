// The interview room: the stored transcript, streamed replies, and the server's clock.
// Text is always inserted with textContent, never as HTML. The server owns the clock; this page
// only counts down between syncs and asks the server again every few seconds.
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
  const pauseButton = document.getElementById("pause");
  const endButton = document.getElementById("end");
  const clockText = document.getElementById("clock");
  const phaseClock = document.getElementById("phase-clock");
  const warningText = document.getElementById("warning");
  let streaming = false;
  let clock = null;
  let clockSyncedAt = 0;
  let finished = false;

  const mmss = (seconds) => {
    const s = Math.max(0, Math.floor(seconds));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  };

  function setPhase(phase) {
    for (const item of document.querySelectorAll("#phases li")) {
      item.classList.toggle("current", item.dataset.phase === phase);
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
  }

  function applySession(session) {
    clock = session.clock;
    clockSyncedAt = Date.now();
    setPhase(clock.phase);
    renderClock();
  }

  function addMessage(role, text, kind) {
    const bubble = document.createElement("div");
    bubble.className = `message ${role}${kind === "interrupted" ? " interrupted" : ""}`;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = role === "interviewer" ? "Interviewer" : "You";
    const body = document.createElement("p");
    body.className = "text";
    body.textContent = text;
    bubble.append(who, body);
    transcript.append(bubble);
    transcript.scrollTop = transcript.scrollHeight;
    return body;
  }

  function setBusy(busy, text) {
    streaming = busy;
    sendButton.disabled = busy || finished;
    statusLine.textContent = text || "";
  }

  function streamReply() {
    if (streaming) return;
    retryButton.hidden = true;
    setBusy(true, "The interviewer is typing…");
    const source = new EventSource(`${api}/stream`);
    let body = null;
    const close = async (text, offerRetry) => {
      source.close();
      setBusy(false, text);
      retryButton.hidden = !offerRetry;
      await refresh();
    };
    source.addEventListener("phase", (event) => setPhase(JSON.parse(event.data).phase));
    source.addEventListener("token", (event) => {
      if (!body) body = addMessage("interviewer", "");
      body.textContent += JSON.parse(event.data).text;
      transcript.scrollTop = transcript.scrollHeight;
    });
    source.addEventListener("done", (event) => {
      const message = JSON.parse(event.data).message;
      if (!body) body = addMessage("interviewer", "");
      body.textContent = message.text;
      close("", false).then(() => input.focus());
    });
    source.addEventListener("ended", () => {});
    source.addEventListener("idle", () => close("", false));
    source.addEventListener("interrupted", (event) => {
      if (body) body.parentElement.classList.add("interrupted");
      close(`The reply was interrupted: ${JSON.parse(event.data).detail}`, true);
    });
    source.addEventListener("error", (event) => {
      const detail = event.data ? JSON.parse(event.data).detail : "the connection was lost";
      if (body) body.parentElement.classList.add("interrupted");
      close(`The interviewer could not reply: ${detail}`, true);
    });
  }

  async function refresh() {
    const response = await fetch(api);
    if (!response.ok) return null;
    const session = await response.json();
    applySession(session);
    finished = session.status === "ended" && !session.interviewer_turn_pending
      && session.messages.some((m) => m.kind === "sign_off");
    sendButton.disabled = streaming || finished;
    input.disabled = finished;
    if (finished) statusLine.textContent = "The interview is over. Your transcript is saved.";
    return session;
  }

  async function load() {
    const session = await refresh();
    if (!session) {
      statusLine.textContent = "This session could not be loaded.";
      return;
    }
    transcript.replaceChildren();
    for (const message of session.messages) addMessage(message.role, message.text, message.kind);
    if (session.interviewer_turn_pending && !finished) streamReply();
  }

  async function control(action) {
    const response = await fetch(`${api}/${action}`, { method: "POST" });
    const body = await response.json();
    if (!response.ok) {
      statusLine.textContent = body.detail;
      return;
    }
    applySession(body);
    if (body.interviewer_turn_pending) streamReply();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || streaming || finished) return;
    sendButton.disabled = true;
    const response = await fetch(`${api}/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text }),
    });
    const body = await response.json();
    if (!response.ok) {
      sendButton.disabled = false;
      const detail = Array.isArray(body.detail) ? body.detail.map((d) => d.msg).join("; ") : body.detail;
      statusLine.textContent = `Not sent: ${detail}`;
      return;
    }
    input.value = "";
    addMessage("candidate", body.text, body.kind);
    streamReply();
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  retryButton.addEventListener("click", () => streamReply());
  pauseButton.addEventListener("click", () => control(clock && clock.paused ? "resume" : "pause"));
  endButton.addEventListener("click", () => {
    if (window.confirm("End the interview now?")) control("end");
  });

  // Count down locally every second; ask the server every 10 s, and speak when it says so.
  setInterval(renderClock, 1000);
  setInterval(async () => {
    if (streaming || finished) return;
    const session = await refresh();
    if (session && session.interviewer_turn_pending) streamReply();
  }, 10000);

  load();
})();
