// Session setup: start a session with the chosen length, level, persona and model.
"use strict";
(() => {
  const form = document.getElementById("setup");
  const errorBox = document.getElementById("start-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = document.getElementById("start");
    button.disabled = true;
    errorBox.hidden = true;
    const data = new FormData(form);
    try {
      const response = await fetch("/api/sessions", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          problem_id: form.dataset.problemId,
          minutes: Number(data.get("minutes")),
          level: data.get("level"),
          persona: data.get("persona"),
          model: data.get("model"),
        }),
      });
      const body = await response.json();
      if (!response.ok) {
        throw new Error(typeof body.detail === "string" ? body.detail : "could not start");
      }
      window.location.href = `/interview/${body.id}`;
    } catch (error) {
      errorBox.textContent = `Could not start the interview: ${error.message}`;
      errorBox.hidden = false;
      button.disabled = false;
    }
  });
})();
