/* Case pages. The dashboard's charts read #cases-dashboard-data (json_script); the same
   figures are in the tables, so every page is complete without JavaScript. On the case
   file, an action form that came back with errors is scrolled into view. */
(function () {
  "use strict";

  var invalid = document.querySelector(".case-actions details[open] .errorlist");
  if (invalid && invalid.scrollIntoView) {
    invalid.closest("details").scrollIntoView({ block: "start" });
  }

  var source = document.getElementById("cases-dashboard-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#0b4f8a", "#a4161a", "#1e6b32", "#8a5200", "#5b3f8c", "#8c959f"];
  var base = { responsive: true, maintainAspectRatio: false, animation: false };

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new window.Chart(canvas, config); }
  }

  draw("chart-cases-months", {
    type: "bar",
    data: {
      labels: data.months.labels,
      datasets: [
        { label: data.text.received, data: data.months.received, backgroundColor: palette[0] },
        { label: data.text.breaches, data: data.months.breaches, backgroundColor: palette[1] }
      ]
    },
    options: Object.assign({}, base, {
      scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: data.text.cases } } }
    })
  });
  draw("chart-cases-clauses", {
    type: "bar",
    data: {
      labels: data.clauses.labels,
      datasets: [{ label: data.text.cases, data: data.clauses.values, backgroundColor: palette[0] }]
    },
    options: Object.assign({}, base, {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
    })
  });
  draw("chart-cases-tracks", {
    type: "doughnut",
    data: { labels: data.tracks.labels, datasets: [{ data: data.tracks.values, backgroundColor: palette }] },
    options: base
  });
  draw("chart-cases-outcomes", {
    type: "doughnut",
    data: {
      labels: data.outcomes.labels,
      datasets: [{ data: data.outcomes.values, backgroundColor: [palette[1], palette[3], palette[2]] }]
    },
    options: base
  });
})();

/* The case list: "select all on this page" also ticks each row's box (without JavaScript
   the server reads the same checkbox and takes every case shown). */
(function () {
  "use strict";
  var all = document.querySelector("[data-bulk-all]");
  if (!all) { return; }
  all.addEventListener("change", function () {
    document.querySelectorAll("#bulk-assign input[name='cases']").forEach(function (box) {
      box.checked = all.checked;
    });
  });
  document.querySelectorAll("#bulk-assign input[name='cases']").forEach(function (box) {
    box.addEventListener("change", function () {
      if (!box.checked) { all.checked = false; }
    });
  });
})();
