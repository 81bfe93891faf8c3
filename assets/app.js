/* Clientside helpers of the OGP Implementation Monitor (served from /assets, so the CSP allows them). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  ogp: {
    /* A new page starts at its top, as a link to a new page would. */
    scrollToTop: function (pathname) {
      window.scrollTo(0, 0);
      return pathname;
    },
    /* Narrow screens: the filters' button shows and hides the fields... */
    toggleFilters: function (clicks, className) {
      return (className || "").indexOf(" open") < 0 ? "filter-fields open" : "filter-fields";
    },
    /* ...and says how many filters are set. */
    filterSummary: function () {
      var set = Array.prototype.filter.call(arguments, function (value) {
        return Array.isArray(value) ? value.length > 0 : value !== null && value !== undefined && value !== "";
      }).length;
      return set ? "(" + set + " set)" : "(none set)";
    },
    /* The narrow screens' menu button opens and closes the navigation. */
    toggleMenu: function (clicks, isOpen) {
      return !isOpen;
    },
    /* The navbar's search box shows the search of the list on screen (empty elsewhere). */
    searchText: function (search) {
      return new URLSearchParams(search || "").get("q") || "";
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

/* Signing in returns to the view the user was on, filters included (the navbar is drawn before the page). */
document.addEventListener(
  "click",
  function (event) {
    var link = event.target.closest && event.target.closest("#sign-in");
    if (link) {
      link.setAttribute("href", "/login?next=" + encodeURIComponent(window.location.pathname + window.location.search));
    }
  },
  true
);

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
  /* Tables print whole: every row of each grid laid out on paper (AG Grid's print layout), not its scroll box. */
  var saved = [];
  function gridsForPrint(printing) {
    if (!window.dash_ag_grid || !window.dash_ag_grid.getApi) {
      return;
    }
    if (printing) {
      saved = [];
      document.querySelectorAll(".ag-root-wrapper").forEach(function (wrapper) {
        var element = wrapper.parentElement && wrapper.parentElement.closest("[id]");
        var api = element && window.dash_ag_grid.getApi(element.id);
        if (api) {
          saved.push({ api: api, element: element, layout: api.getGridOption("domLayout"), height: element.style.height });
          element.style.height = "";
          api.setGridOption("domLayout", "print");
        }
      });
    } else {
      saved.forEach(function (grid) {
        grid.element.style.height = grid.height;
        grid.api.setGridOption("domLayout", grid.layout || "normal");
      });
      saved = [];
    }
  }
  window.addEventListener("beforeprint", function () {
    gridsForPrint(true);
    resizeCharts();
  });
  window.addEventListener("afterprint", function () {
    gridsForPrint(false);
    resizeCharts();
  });
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

/* Links that reproduce a view exactly: each table's sort and page ride in the address (?sort=, ?page=) as the user
   changes them, a link opened with them restores them, and "Copy link" copies the address. */
(function () {
  var restored = new WeakSet();
  var applying = false;
  function gridKey(element) {
    try {
      return JSON.parse(element.id).type || element.id;  /* pattern ids (the commitments grid): their type */
    } catch (error) {
      return element.id;
    }
  }
  function grids() {
    return Array.prototype.map
      .call(document.querySelectorAll(".ag-root-wrapper"), function (wrapper) {
        return wrapper.parentElement && wrapper.parentElement.closest("[id]");
      })
      .filter(function (element, index, all) {
        return element && all.indexOf(element) === index;
      });
  }
  function parse(value) {
    /* "key:a:b,key2:c" -> {key: ["a", "b"], key2: ["c"]} (keys are grid ids, which hold no ":" or ","). */
    var found = {};
    (value || "").split(",").forEach(function (entry) {
      var parts = entry.split(":");
      if (parts.length > 1 && parts[0]) {
        found[parts[0]] = parts.slice(1);
      }
    });
    return found;
  }
  function withApi(element, then) {
    if (!window.dash_ag_grid || !window.dash_ag_grid.getApiAsync) {
      return;
    }
    window.dash_ag_grid.getApiAsync(element.id).then(then, function () {});
  }
  /* The address with every grid's sort and page as they are now (history.replaceState: no reload). */
  function record() {
    if (applying) {
      return;
    }
    var sorts = [];
    var pages = [];
    var pending = grids().map(function (element) {
      return new Promise(function (resolve) {
        withApi(element, function (api) {
          var key = gridKey(element);
          api.getColumnState().forEach(function (column) {
            if (column.sort) {
              sorts.push([key, column.colId, column.sort].join(":"));
            }
          });
          if (api.paginationGetCurrentPage && api.paginationGetCurrentPage() > 0) {
            pages.push(key + ":" + (api.paginationGetCurrentPage() + 1));
          }
          resolve();
        });
        setTimeout(resolve, 1500);
      });
    });
    Promise.all(pending).then(function () {
      var url = new URL(window.location.href);
      url.searchParams.delete("sort");
      url.searchParams.delete("page");
      if (sorts.length) {
        url.searchParams.set("sort", sorts.join(","));
      }
      if (pages.length) {
        url.searchParams.set("page", pages.join(","));
      }
      if (url.href !== window.location.href) {
        window.history.replaceState(window.history.state, "", url.href);
      }
    });
  }
  /* A grid that appears: apply the address's sort and page to it once, then follow its changes. */
  function restore(element) {
    if (restored.has(element)) {
      return;
    }
    restored.add(element);
    withApi(element, function (api) {
      var key = gridKey(element);
      var params = new URLSearchParams(window.location.search);
      var sort = parse(params.get("sort"))[key];
      var page = parse(params.get("page"))[key];
      applying = true;
      if (sort && sort.length === 2 && (sort[1] === "asc" || sort[1] === "desc")) {
        api.applyColumnState({ state: [{ colId: sort[0], sort: sort[1] }], defaultState: { sort: null } });
      }
      var target = page ? parseInt(page[0], 10) - 1 : 0;
      function goToPage() {
        if (target > 0 && api.paginationGetTotalPages && api.paginationGetTotalPages() > target) {
          api.paginationGoToPage(target);
          target = 0;
        }
      }
      goToPage();
      applying = false;
      api.addEventListener("modelUpdated", goToPage);  /* rows fetched page by page arrive later */
      api.addEventListener("sortChanged", record);
      api.addEventListener("paginationChanged", function (event) {
        if (event.newPage) {
          record();
        }
      });
    });
  }
  new MutationObserver(function () {
    grids().forEach(restore);
  }).observe(document.documentElement, { childList: true, subtree: true });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#copy-link");
    if (!button) {
      return;
    }
    var link = window.location.href;
    var said = document.getElementById("copy-link-said");
    function done(text) {
      button.setAttribute("data-copied", link);
      if (said) {
        said.textContent = text;
        setTimeout(function () { said.textContent = ""; }, 4000);
      }
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(link).then(
        function () { done("Link copied"); },
        function () { window.prompt("Copy this link:", link); done(""); }
      );
    } else {
      window.prompt("Copy this link:", link);
      done("");
    }
  });
})();

/* Keyboard use of the tables: Enter on a focused cell that holds a link opens it (as a click would). Tab and
   Shift+Tab leave a table instead of walking cell by cell (the grids' tabToNextCell; arrow keys move between
   cells), so the pager and the rest of the page stay a few stops away. */
document.addEventListener("keydown", function (event) {
  if (event.key !== "Enter" || event.altKey || event.ctrlKey || event.metaKey) {
    return;
  }
  var cell = event.target.closest && event.target.closest(".ag-cell");
  var link = cell && cell.querySelector("a[href]");
  if (link && event.target.tagName !== "A") {
    event.preventDefault();
    link.click();
  }
});

/* Accessibility mends of components drawn by Dash 4 and AG Grid (checked by axe-core in the browser tests):
   - a dropdown takes the focus on its button (named by its label), not on a hidden helper input;
   - the date picker's wrapper drops ARIA attributes that belong to its button, not to a plain box;
   - a tab whose panel is not drawn (dbc.Tabs draws the open one only) names no panel;
   - a chart box that scrolls sideways (phones) can take the focus, so the keyboard can scroll it. */
(function () {
  function mend(root) {
    root.querySelectorAll(".dash-dropdown-focus-target[aria-hidden='true']:not([tabindex='-1'])").forEach(function (input) {
      input.setAttribute("tabindex", "-1");
      var button = input.parentElement && input.parentElement.querySelector("button.dash-dropdown");
      if (button) {
        button.setAttribute("tabindex", "0");
      }
    });
    root.querySelectorAll("[role='tab'][aria-controls]").forEach(function (tab) {
      if (!document.getElementById(tab.getAttribute("aria-controls"))) {
        tab.removeAttribute("aria-controls"); // a closed tab's panel is not drawn: point at nothing rather than at nowhere
      }
    });
    root.querySelectorAll(".chart-scroll").forEach(function (box) {
      // A chart that scrolls sideways (phones) takes the focus so the keyboard can scroll it; else it is no stop.
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", "Chart, scrolls sideways");
      } else if (box.hasAttribute("tabindex")) {
        ["tabindex", "role", "aria-label"].forEach(function (name) { box.removeAttribute(name); });
      }
    });
    root.querySelectorAll(".dash-datepicker-input-wrapper[aria-expanded]").forEach(function (box) {
      ["aria-haspopup", "aria-expanded", "aria-disabled", "aria-labelledby", "type"].forEach(function (name) {
        box.removeAttribute(name);
      });
    });
  }
  var pending = false;
  new MutationObserver(function () {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        mend(document);
      });
    }
  }).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ["aria-expanded", "aria-controls", "tabindex"] });
  window.addEventListener("resize", function () { mend(document); });
})();

/* "Sign in" returns to the page it was clicked on, filters included (the server accepts only local paths). */
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("#sign-in");
  if (link) {
    link.setAttribute("href", "/login?next=" + encodeURIComponent(window.location.pathname + window.location.search));
  }
}, true);
