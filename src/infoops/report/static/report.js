/* infoops report: draws the charts from the JSON specs in the page; loads nothing. */
(function () {
  "use strict";
  var charts = Array.prototype.slice.call(document.querySelectorAll(".chart[data-fig]"));
  var config = { displaylogo: false, responsive: true,
    modeBarButtonsToRemove: ["sendDataToCloud", "lasso2d", "select2d", "editInChartStudio"] };
  var printWidth = 700;

  function spec(div) {
    var el = document.getElementById("spec-" + div.getAttribute("data-fig"));
    return el ? JSON.parse(el.textContent) : null;
  }

  function draw(div) {
    if (div.getAttribute("data-drawn")) { return; }
    div.setAttribute("data-drawn", "1");
    var s = spec(div);
    if (!s) { return; }
    Plotly.newPlot(div, s.data, s.layout, config);
  }

  var next = 0;
  function drawSome() {
    var until = Date.now() + 40;
    while (next < charts.length && Date.now() < until) { draw(charts[next]); next += 1; }
    if (next < charts.length) { window.setTimeout(drawSome, 0); }
    else { document.body.setAttribute("data-charts-drawn", String(charts.length)); }
  }

  window.infoopsDrawAll = function () { charts.forEach(draw); next = charts.length;
    document.body.setAttribute("data-charts-drawn", String(charts.length)); };

  function fitWidth(width) {
    charts.forEach(function (div) {
      if (div.getAttribute("data-drawn")) {
        var half = div.closest(".two") ? Math.floor(width / 2) - 8 : width;
        Plotly.relayout(div, width ? { width: half } : { width: null, autosize: true });
      }
    });
  }
  window.addEventListener("beforeprint", function () { window.infoopsDrawAll(); fitWidth(printWidth); });
  window.addEventListener("afterprint", function () { fitWidth(0); });
  var btn = document.getElementById("print-btn");
  if (btn) { btn.addEventListener("click", function () { window.print(); }); }
  drawSome();
})();
