/* Charts of the dashboards. Each page names its JSON endpoint in #dashboard[data-endpoint];
   the endpoint applies the same scope as the page. Clicking a bar or a slice opens the
   filtered list behind it. */
(function () {
  "use strict";

  var root = document.getElementById("dashboard");
  if (!root || typeof echarts === "undefined") return;

  var STREAM_COLOURS = { tech_service: "#2f6f9f", popularization: "#e07b39" };
  // Chart labels in the viewer's language, rendered by the page (rollout/dashboard/_labels.html).
  var labelsNode = document.getElementById("dashboard-labels");
  var L = labelsNode ? JSON.parse(labelsNode.textContent) : {};
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, key) { return values[key]; });
  }
  // Figures as the pages print them: every text comes from the server's formatter
  // (sanhui.formats), so a chart never rounds a rate or a number of hours its own way.
  function textOf(texts) {
    return function (_value, dataIndex) { return texts[dataIndex]; };
  }
  var charts = [];

  function mount(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) return null;
    var chart = echarts.init(el, null, { renderer: "svg" });
    // Tooltips drawn inside the chart rather than as HTML: ECharts' HTML tooltips carry style
    // attributes, which the Content-Security-Policy refuses.
    if (option.tooltip) option.tooltip = Object.assign({ renderMode: "richText" }, option.tooltip);
    chart.setOption(option);
    if (onClick) {
      chart.on("click", function (params) {
        var url = onClick(params);
        if (url) window.location.href = url;
      });
    }
    charts.push(chart);
    el.setAttribute("data-rendered", "true");
    return chart;
  }

  function empty(id, text) {
    var el = document.getElementById(id);
    if (el) {
      el.innerHTML = '<p class="text-muted small m-0 py-4 text-center">' + text + "</p>";
      el.setAttribute("data-rendered", "true");
    }
  }

  function pct(rate) {
    return rate === null || rate === undefined ? null : Math.round(rate * 1000) / 10;
  }

  function activityCharts(activity) {
    var months = activity.months;
    mount(
      "chart-month",
      {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 40, right: 10, top: 30, bottom: 30 },
        xAxis: { type: "category", data: months },
        yAxis: { type: "value", minInterval: 1 },
        series: activity.streams.map(function (stream) {
          return {
            name: stream.label,
            type: "bar",
            stack: "activities",
            data: stream.activities,
            itemStyle: { color: STREAM_COLOURS[stream.key] },
          };
        }),
      },
      function (params) {
        var stream = activity.streams[params.seriesIndex];
        return stream && stream.urls[params.dataIndex];
      }
    );

    var served = months.map(function (_m, i) {
      return activity.streams.reduce(function (sum, s) { return sum + s.people_served[i]; }, 0);
    });
    var hours = months.map(function (_m, i) {
      var total = activity.streams.reduce(function (sum, s) { return sum + s.volunteer_hours[i]; }, 0);
      return Math.round(total * 100) / 100;
    });
    mount(
      "chart-served",
      {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 45, right: 45, top: 30, bottom: 30 },
        xAxis: { type: "category", data: months },
        yAxis: [
          { type: "value", name: L.people, minInterval: 1 },
          { type: "value", name: L.hours },
        ],
        series: [
          { name: L.served, type: "bar", data: served, itemStyle: { color: "#5b8c5a" } },
          {
            name: L.volunteerHours,
            type: "line",
            yAxisIndex: 1,
            data: hours,
            itemStyle: { color: "#8e5ea2" },
            tooltip: { valueFormatter: textOf(activity.hours_text) },
          },
        ],
      },
      function (params) { return activity.month_urls[params.dataIndex]; }
    );

    if (activity.by_category.length) {
      mount(
        "chart-category",
        {
          tooltip: { trigger: "item", formatter: function (params) {
              return fill(L.pieTooltip, { name: params.name, value: params.value, percent: params.data.share });
            } },
          series: [
            {
              type: "pie",
              radius: ["40%", "70%"],
              data: activity.by_category.map(function (row) {
                return { name: row.label, value: row.activities, share: row.share_text, url: row.url };
              }),
            },
          ],
        },
        function (params) { return params.data && params.data.url; }
      );
    } else {
      empty("chart-category", L.empty);
    }

    if (activity.by_kind.length) {
      var kinds = activity.by_kind.slice().reverse();
      mount(
        "chart-kind",
        {
          tooltip: {
            trigger: "item",
            formatter: function (params) {
              var row = kinds[params.dataIndex];
              // A tooltip drawn in the chart breaks lines at "\n", not at the label's <br>.
              return fill(L.kindTooltip, {
                label: row.label, activities: row.activities, people: row.people_served, hours: row.volunteer_hours_text,
              }).replace(/<br>/g, "\n");
            },
          },
          grid: { left: 150, right: 30, top: 10, bottom: 20 },
          xAxis: { type: "value", minInterval: 1 },
          yAxis: { type: "category", data: kinds.map(function (row) { return row.label; }) },
          series: [
            {
              name: L.activities,
              type: "bar",
              data: kinds.map(function (row) { return row.activities; }),
              itemStyle: { color: "#2f6f9f" },
              label: { show: true, position: "right" },
            },
          ],
        },
        function (params) { return kinds[params.dataIndex] && kinds[params.dataIndex].url; }
      );
    } else {
      empty("chart-kind", L.empty);
    }
  }

  function seatGauge(seats) {
    mount("chart-seats", {
      series: [
        {
          type: "gauge",
          startAngle: 200,
          endAngle: -20,
          min: 0,
          max: 100,
          progress: { show: true, width: 14 },
          axisLine: { lineStyle: { width: 14 } },
          axisTick: { show: false },
          splitLine: { show: false },
          axisLabel: { show: false },
          pointer: { show: false },
          detail: { formatter: function () { return seats.share_text; }, fontSize: 22, offsetCenter: [0, "40%"] },
          data: [{ value: pct(seats.share) || 0, name: seats.led + "/" + seats.total }],
          title: { offsetCenter: [0, "75%"], fontSize: 12 },
        },
      ],
    }, function () { return seats.url; });
  }

  function trendChart(trend, asRate) {
    mount(
      "chart-trend",
      {
        tooltip: { trigger: "axis" },
        grid: { left: 40, right: 10, top: 15, bottom: 25 },
        xAxis: { type: "category", data: trend.map(function (row) { return row.period; }) },
        yAxis: asRate ? { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } } : { type: "value", min: 0, max: 1, interval: 1, axisLabel: { formatter: function (v) { return v ? L.covered : L.notCovered; } } },
        series: [
          {
            name: asRate ? L.coverageRate : L.isCovered,
            type: asRate ? "line" : "bar",
            data: trend.map(function (row) { return asRate ? pct(row.rate) : (row.covered ? 1 : 0); }),
            itemStyle: { color: "#2f6f9f" },
            areaStyle: asRate ? { opacity: 0.15 } : undefined,
            tooltip: {
              valueFormatter: function (_value, dataIndex) {
                var row = trend[dataIndex];
                if (!row) return "";
                return asRate ? row.rate_text : (row.covered ? L.covered : L.notCovered);
              },
            },
          },
        ],
      },
      function (params) {
        var row = trend[params.dataIndex];
        if (!row) return null;
        var url = new URL(window.location.href);
        url.searchParams.set("period", row.period);
        url.searchParams.delete("start");
        url.searchParams.delete("end");
        return url.toString();
      }
    );
  }

  function mineChart(data) {
    mount(
      "chart-mine",
      {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 40, right: 10, top: 30, bottom: 30 },
        xAxis: { type: "category", data: data.months },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: L.activities, type: "bar", data: data.by_month, itemStyle: { color: "#2f6f9f" } },
          { name: L.served, type: "bar", data: data.served_by_month, itemStyle: { color: "#5b8c5a" } },
        ],
      },
      function () { return data.activities_url; }
    );
  }

  function render(data) {
    var kind = root.getAttribute("data-kind");
    if (kind === "mine") {
      mineChart(data);
    } else {
      activityCharts(data.activity);
      if (data.seats) seatGauge(data.seats);
      if (data.trend) trendChart(data.trend, kind === "district");
    }
    root.setAttribute("data-loaded", "true");
  }

  fetch(root.getAttribute("data-endpoint"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    })
    .then(render)
    .catch(function () {
      var note = document.createElement("div");
      note.className = "alert alert-warning";
      note.textContent = L.loadFailed;
      root.prepend(note);
    });

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
