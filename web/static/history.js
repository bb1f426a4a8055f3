// The trend chart's legend: tick a dimension to show or hide its line.
"use strict";
const legend = document.getElementById("legend");
if (legend) {
  legend.addEventListener("change", (event) => {
    const box = event.target.closest("input[data-series]");
    if (!box) return;
    const name = CSS.escape(box.dataset.series);
    for (const series of document.querySelectorAll(`#trend g.series[data-series="${name}"]`)) {
      series.style.display = box.checked ? "" : "none";
    }
  });
}
