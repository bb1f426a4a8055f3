// Filter the problem list by category, difficulty and tag, and search its text, in the browser.
"use strict";
const filters = document.getElementById("filters");
const cards = Array.from(document.querySelectorAll("#problems > li.problem"));
const count = document.getElementById("match-count");
const noMatch = document.getElementById("no-match");

function applyFilters() {
  const words = filters.q.value.toLowerCase().split(/\s+/).filter(Boolean);
  const category = filters.category.value;
  const difficulty = filters.difficulty.value;
  const tag = filters.tag.value;
  let shown = 0;
  for (const card of cards) {
    const { dataset } = card;
    const visible =
      (!category || dataset.category === category) &&
      (!difficulty || dataset.difficulty === difficulty) &&
      (!tag || dataset.tags.split(" ").includes(tag)) &&
      words.every((word) => dataset.search.includes(word));
    card.hidden = !visible;
    if (visible) shown += 1;
  }
  count.textContent =
    shown === cards.length ? `${cards.length} problems` : `${shown} of ${cards.length} problems`;
  noMatch.hidden = shown > 0;
}

filters.addEventListener("input", applyFilters);
filters.addEventListener("change", applyFilters);
filters.addEventListener("submit", (event) => event.preventDefault());
applyFilters(); // the browser may restore field values on back navigation
