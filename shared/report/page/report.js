// The dashboard's only script besides Chart.js: reads the chart specs from the JSON data block
// and draws each one. Values never reach innerHTML; labels are drawn on canvas as text.
(() => {
  // biome-ignore lint/suspicious/noRedundantUseStrict: the page inlines this as a classic script, not a module
  'use strict';
  var model = JSON.parse(document.getElementById('report-data').textContent);
  var number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

  function valueText(unit, value) {
    if (value === null || value === undefined) return '–';
    return unit === 'percent' ? `${number.format(value)} %` : number.format(value);
  }

  function datasetOf(spec, d) {
    var marker = d.role === 'marker';
    var out = { label: d.label, data: d.data, borderColor: d.color, backgroundColor: d.color, notes: d.notes || null, hideInLegend: d.hideInLegend === true };
    if (spec.type === 'line' && (d.role === 'interval' || d.role === 'reference')) {
      // Interval ends and the reference line: thin, no points, under the series; a band's
      // second end shades the area down to the first (the dataset just before it).
      out.borderDash = d.dash;
      out.borderWidth = 1;
      out.spanGaps = false;
      out.pointRadius = 0;
      out.pointHoverRadius = d.role === 'interval' ? 3 : 0;
      // The legend draws a line for these, not a dot.
      out.pointStyle = 'line';
      out.fill = d.fillToPrevious ? '-1' : false;
      // 8-digit hex: the series colour at about 13 % opacity.
      if (d.fillToPrevious) out.backgroundColor = `${d.color}22`;
      out.order = d.role === 'interval' ? 2 : 3;
    } else if (spec.type === 'line') {
      out.borderDash = d.dash;
      out.borderWidth = 2;
      out.spanGaps = false;
      out.showLine = !marker;
      out.pointStyle = marker ? 'triangle' : 'circle';
      out.pointRadius = marker ? 9 : 3;
      out.pointHoverRadius = marker ? 11 : 5;
      out.pointBorderColor = marker ? '#000000' : d.color;
      out.pointBorderWidth = marker ? 1.5 : 1;
      // Markers are drawn last (lowest order is drawn on top) so they sit above the lines.
      out.order = marker ? 0 : 1;
      // A point on the axis's top (a CTR of 100 %) is drawn whole, not cut in half.
      out.clip = 8;
    } else {
      // One or two categories would otherwise stretch a bar across the whole chart.
      out.maxBarThickness = 56;
    }
    return out;
  }

  function draw(spec) {
    var canvas = document.getElementById(`chart-${spec.id}`);
    var count = spec.yUnit === 'count';
    return new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets.map((d) => datasetOf(spec, d)) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        // No animation: the page is complete as soon as it loads (screenshots, printing).
        animation: false,
        interaction: { mode: 'nearest', intersect: false },
        plugins: {
          legend: { position: 'bottom', labels: { usePointStyle: true, boxWidth: 10, filter: (item, data) => !data.datasets[item.datasetIndex].hideInLegend } },
          tooltip: {
            callbacks: {
              label: (ctx) => `${ctx.dataset.label}: ${valueText(spec.yUnit, ctx.parsed.y)}`,
              afterLabel: (ctx) => { var n = ctx.dataset.notes; return n?.[ctx.dataIndex] ? n[ctx.dataIndex] : ''; },
            },
          },
        },
        scales: {
          x: { stacked: spec.stacked, title: { display: true, text: spec.xTitle } },
          y: {
            stacked: spec.stacked,
            beginAtZero: true,
            min: spec.yRange ? spec.yRange.min : undefined,
            max: spec.yRange ? spec.yRange.max : undefined,
            title: { display: true, text: spec.yTitle },
            ticks: { precision: count ? 0 : undefined, callback: (v) => valueText(spec.yUnit, v) },
          },
        },
      },
    });
  }

  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  Chart.defaults.color = '#1f2328';
  var drawn = 0;
  model.charts.forEach((spec) => {
    draw(spec);
    drawn += 1;
  });
  // Tells a test (or a printer script) that every chart exists.
  document.documentElement.setAttribute('data-charts-drawn', String(drawn));
})();
