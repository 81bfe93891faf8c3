/* Clientside helpers of the OGP Implementation Monitor (served from /assets, so the CSP allows them). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  ogp: {
    /* A new page starts at its top, as a link to a new page would. */
    scrollToTop: function (pathname) {
      window.scrollTo(0, 0);
      return pathname;
    },
    /* Each page names the browser tab (history, bookmarks and screen readers tell pages apart). */
    setTitle: function (title) {
      if (title) {
        document.title = title;
      }
      return title || null;
    },
  },
});

/* Printing: redraw every chart to the width of the paper, and back to the screen's afterwards. */
(function () {
  function resizeCharts() {
    if (!window.Plotly) {
      return;
    }
    document.querySelectorAll(".js-plotly-plot").forEach(function (chart) {
      window.Plotly.Plots.resize(chart);
    });
  }
  window.addEventListener("beforeprint", resizeCharts);
  window.addEventListener("afterprint", resizeCharts);
  if (window.matchMedia) {
    window.matchMedia("print").addEventListener("change", resizeCharts);
  }
})();
