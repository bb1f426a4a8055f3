// The scorecard page: start grading if needed, show progress while it runs, reload when done.
"use strict";
(() => {
  const page = document.getElementById("scorecard");
  const api = `/api/sessions/${page.dataset.sessionId}/scorecard`;
  const statusLine = document.getElementById("grading-status");
  const progress = document.getElementById("grading-progress");
  const gradeButton = document.getElementById("grade");

  async function start() {
    const response = await fetch(api, { method: "POST" });
    if (!response.ok && response.status !== 409) {
      const body = await response.json();
      if (statusLine) statusLine.textContent = `Could not grade: ${body.detail}`;
      return false;
    }
    return true;
  }

  async function poll() {
    const response = await fetch(api);
    if (!response.ok) return;
    const body = await response.json();
    if (progress) {
      progress.max = body.total;
      progress.value = body.done;
    }
    if (statusLine) statusLine.textContent = `Grading… ${body.done} of ${body.total} dimensions`;
    if (body.status === "grading") {
      setTimeout(poll, 500);
    } else {
      window.location.reload();
    }
  }

  if (gradeButton) {
    gradeButton.addEventListener("click", async () => {
      gradeButton.disabled = true;
      if (await start()) window.location.reload();
    });
  }
  if (page.dataset.ended !== "yes") return;
  if (page.dataset.status === "none") {
    start().then((started) => { if (started) poll(); });
  } else if (page.dataset.status === "grading") {
    poll();
  }
})();
