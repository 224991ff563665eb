/* Trend chart of the ratings pages. Data comes from the json_script block #ratings-data
   (the CSP allows no inline script); every figure is also in the table next to the
   chart, so the page is complete without JavaScript. */
(function () {
  "use strict";
  var source = document.getElementById("ratings-data");
  var canvas = document.getElementById("chart-trend");
  if (!source || !canvas || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var datasets = [
    {
      type: "line",
      label: data.text.share,
      data: data.share,
      borderColor: "#0b4f8a",
      backgroundColor: "#0b4f8a",
      spanGaps: true,
      yAxisID: "share"
    }
  ];
  if (data.compare) {
    datasets.push({
      type: "line",
      label: data.text.compare,
      data: data.compare,
      borderColor: "#8c959f",
      backgroundColor: "#8c959f",
      borderDash: [6, 4],
      spanGaps: true,
      yAxisID: "share"
    });
  }
  datasets.push({
    type: "bar",
    label: data.text.counted,
    data: data.counted,
    backgroundColor: "rgba(156, 195, 230, 0.55)",
    yAxisID: "count"
  });
  new window.Chart(canvas, {
    data: { labels: data.labels, datasets: datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        share: { position: "left", min: 0, max: 100, title: { display: true, text: data.text.axis_share } },
        count: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: data.text.axis_count } }
      }
    }
  });
})();
