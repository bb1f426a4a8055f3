// Start a session for the chosen problem, then open its interview room.
"use strict";
const setup = document.getElementById("setup");
document.getElementById("problems").addEventListener("click", async (event) => {
  const button = event.target.closest("button.start");
  if (!button) return;
  button.disabled = true;
  const errorBox = document.getElementById("start-error");
  errorBox.hidden = true;
  try {
    const response = await fetch("/api/sessions", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        problem_id: button.dataset.problemId,
        minutes: Number(setup.minutes.value),
        persona: setup.persona.value,
        level: setup.level.value,
      }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(typeof body.detail === "string" ? body.detail : "could not start");
    window.location.href = `/interview/${body.id}`;
  } catch (error) {
    errorBox.textContent = `Could not start the interview: ${error.message}`;
    errorBox.hidden = false;
    button.disabled = false;
  }
});
