// The interview room: show the stored transcript, stream the interviewer's replies, send answers.
// Text is always inserted with textContent, never as HTML.
"use strict";
(() => {
  const room = document.getElementById("room");
  const sessionId = room.dataset.sessionId;
  const transcript = document.getElementById("transcript");
  const statusLine = document.getElementById("status");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const sendButton = document.getElementById("send");
  let streaming = false;

  function setPhase(phase) {
    for (const item of document.querySelectorAll("#phases li")) {
      item.classList.toggle("current", item.dataset.phase === phase);
    }
  }

  function addMessage(role, text) {
    const bubble = document.createElement("div");
    bubble.className = `message ${role}`;
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
    sendButton.disabled = busy;
    statusLine.textContent = text || "";
  }

  function streamReply() {
    if (streaming) return;
    setBusy(true, "The interviewer is typing…");
    const source = new EventSource(`/api/sessions/${sessionId}/stream`);
    let body = null;
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
      source.close();
      setBusy(false);
      input.focus();
    });
    source.addEventListener("idle", () => { source.close(); setBusy(false); });
    source.addEventListener("error", (event) => {
      source.close();
      const detail = event.data ? JSON.parse(event.data).detail : "connection lost";
      if (body) body.parentElement.classList.add("interrupted");
      setBusy(false, `The reply was interrupted (${detail}). Reload the page to try again.`);
    });
  }

  async function load() {
    const response = await fetch(`/api/sessions/${sessionId}`);
    if (!response.ok) {
      statusLine.textContent = "This session could not be loaded.";
      return;
    }
    const session = await response.json();
    transcript.replaceChildren();
    for (const message of session.messages) addMessage(message.role, message.text);
    setPhase(session.phase);
    if (session.interviewer_turn_pending) streamReply();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || streaming) return;
    sendButton.disabled = true;
    const response = await fetch(`/api/sessions/${sessionId}/messages`, {
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
    addMessage("candidate", body.text);
    streamReply();
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });

  load();
})();
