/* Charts of the province dashboard. Data comes from the json_script block
   #dashboard-data; the same figures are in the tables, so the page is complete
   without JavaScript. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = {
    done_on_time: "#1e6b32",
    done_late: "#f0b44c",
    in_progress: "#9cc3e6",
    not_started: "#c4cbd3",
    overdue: "#a4161a"
  };
  var order = data.status.states;

  var trend = document.getElementById("chart-trend");
  if (trend) {
    var datasets = order.map(function (state) {
      return {
        type: "bar",
        label: data.names[state],
        data: data.trend.series[state],
        backgroundColor: colours[state],
        stack: "states",
        yAxisID: "y"
      };
    });
    datasets.push({
      type: "line",
      label: data.text.done_share,
      data: data.trend.done_share,
      borderColor: "#1b1f24",
      backgroundColor: "#1b1f24",
      yAxisID: "share"
    });
    new window.Chart(trend, {
      data: { labels: data.trend.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: data.text.count } },
          share: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } }
        }
      }
    });
  }

  var status = document.getElementById("chart-status");
  if (status) {
    new window.Chart(status, {
      type: "doughnut",
      data: {
        labels: order.map(function (state) { return data.names[state]; }),
        datasets: [{
          data: data.status.values,
          backgroundColor: order.map(function (state) { return colours[state]; })
        }]
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false }
    });
  }
})();
