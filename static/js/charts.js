// Draws every chart on the page from the figure the server put in a json_script element.
// No inline script anywhere, so the Content-Security-Policy holds.
(function () {
  "use strict";
  var config = {
    locale: "sv",
    displaylogo: false,        // no link to plotly's site
    showSendToCloud: false,    // never offer to upload data
    showEditInChartStudio: false,
    responsive: true,
    // The numbers are in a table beside every chart; the toolbar would only add links and
    // buttons that inject inline styles, which the Content-Security-Policy refuses.
    displayModeBar: false
  };
  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-chart"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      // Public charts are pictures of the table beside them: no hover, zoom or toolbar.
      var options = Object.assign({}, config, {staticPlot: element.hasAttribute("data-static")});
      window.Plotly.newPlot(element, figure.data, figure.layout, options).then(function () {
        element.setAttribute("data-rendered", "true");
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
