// Swedish locale for plotly.js, served by us: decimal comma, space between thousands, ISO dates.
(function () {
  "use strict";
  if (!window.Plotly) { return; }
  window.Plotly.register({
    moduleType: "locale",
    name: "sv",
    dictionary: {
      "Autoscale": "Autoskala",
      "Box Select": "Välj rektangel",
      "Download plot as a png": "Ladda ned diagrammet som png",
      "Lasso Select": "Välj lasso",
      "Pan": "Panorera",
      "Reset axes": "Återställ axlar",
      "Toggle Spike Lines": "Visa/dölj stödlinjer",
      "Zoom": "Zooma",
      "Zoom in": "Zooma in",
      "Zoom out": "Zooma ut",
      "Double-click to zoom back out": "Dubbelklicka för att zooma ut igen",
      "Show closest data on hover": "Visa närmaste värde vid hovring",
      "Compare data on hover": "Jämför värden vid hovring"
    },
    format: {
      days: ["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"],
      shortDays: ["sön", "mån", "tis", "ons", "tor", "fre", "lör"],
      months: ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
        "september", "oktober", "november", "december"],
      shortMonths: ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
      date: "%Y-%m-%d",
      decimal: ",",
      thousands: "\u00a0"
    }
  });
})();
