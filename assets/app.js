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

/* Chart downloads: the toolbar's camera saves a PNG named after the chart and the view, with the chart's title,
   the data source, the filters and the date drawn in: a chart pasted into a document says what it shows. */
(function () {
  function slug(text) {
    return (text || "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "");
  }
  function plain(text) {
    return (text || "").replace(/\s+/g, " ").trim();
  }
  function escapeText(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  /* The chart's name: its card's heading, else its own title, else the page's. */
  function chartTitle(chart) {
    var card = chart.closest(".card");
    var heading = card && card.querySelector(".card-header h2, .card-header h3");
    if (heading && plain(heading.textContent)) {
      return plain(heading.textContent);
    }
    var title = chart.layout && chart.layout.title;
    var text = title && (typeof title === "string" ? title : title.text);
    if (text) {
      return plain(String(text).replace(/<[^>]*>/g, " "));
    }
    var page = document.querySelector("h1");
    return page ? plain(page.textContent) : "chart";
  }
  /* Lines of at most `width` characters (plotly draws a title's lines as given). */
  function wrap(text, width) {
    var lines = [];
    var line = "";
    text.split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) {
      lines.push(line);
    }
    return lines;
  }
  /* The figure and options of a chart's PNG (ogpChartImage is also what the browser tests read). */
  window.ogpChartImage = function (chart) {
    var title = chartTitle(chart);
    var day = new Date().toISOString().slice(0, 10);
    var note = document.querySelector(".print-filters");  /* the data source badge, then the filters */
    var badge = note && note.querySelector(".me-2");
    var source = badge ? plain(badge.textContent) : "";
    var filters = note ? plain(note.textContent.replace(badge ? badge.textContent : "", "")) : "";
    var context = [source, filters].filter(Boolean).join(" · ");
    var caption = [context, "As shown on " + day + " at " + window.location.pathname + window.location.search]
      .filter(Boolean)
      .join(" · ");
    var full = chart._fullLayout || {};
    var width = full.width || 800;
    var lines = wrap(caption, Math.max(40, Math.floor(width / 7)));
    var extra = 44 + 15 * lines.length;
    var layout = JSON.parse(JSON.stringify(chart.layout || {}));
    var margin = layout.margin || {};
    layout.margin = Object.assign({}, margin, { t: (margin.t || 30) + extra });
    layout.title = {
      text:
        "<b>" + escapeText(title) + "</b><br>" +
        lines.map(function (l) { return '<span style="font-size:11px">' + escapeText(l) + "</span>"; }).join("<br>"),
      x: 0.01,
      xanchor: "left",
      y: 1,
      yanchor: "top",
      yref: "container",
      pad: { t: 12 },
      font: { size: 15 },
    };
    return {
      figure: { data: chart.data, layout: layout, config: { topojsonURL: (chart._context || {}).topojsonURL } },
      options: {
        format: "png",
        scale: 2,
        width: width,
        height: (full.height || 400) + extra,
        filename: ["ogp", slug(title), slug(window.location.pathname) || "overview", day].join("-"),
      },
    };
  };
  document.addEventListener(
    "click",
    function (event) {
      var button = event.target.closest && event.target.closest('.modebar-btn[data-title^="Download plot as a"]');
      var chart = button && button.closest(".js-plotly-plot");
      if (!chart || !window.Plotly) {
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();  // instead of plotly's own download, which names nothing
      var image = window.ogpChartImage(chart);
      window.Plotly.downloadImage(image.figure, image.options);
    },
    true
  );
})();
