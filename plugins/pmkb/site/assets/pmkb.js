/* pmkb: the filter of the /postmortems/ page, card labels for tables on phones, and a
   name for Material's search dialog.
   A long list of postmortems is split over numbered pages (/postmortems/page/2/); the
   filter then loads the rows of the other pages when a filter is set or "Show all" is
   pressed, so it always searches every postmortem.
   Material's instant navigation swaps pages without reloading scripts, so setup runs
   on every `document$` emission when Material provides it, else once on load. The
   filter state lives in the query string, so a filtered list can be shared. */
(function () {
  "use strict";

  var FIELDS = ["severity", "service", "tag", "status", "type"];

  function parseList(value) {
    try {
      var parsed = JSON.parse(value || "[]");
      return Array.isArray(parsed) ? parsed : [];
    } catch (error) {
      return [];
    }
  }

  function filterRows(table) {
    return Array.prototype.slice.call(table.tBodies[0].rows).map(function (row) {
      return {
        element: row,
        severity: row.dataset.severity,
        status: row.dataset.status,
        type: row.dataset.type,
        service: parseList(row.dataset.services),
        tag: parseList(row.dataset.tags),
        text: row.dataset.text || ""
      };
    });
  }

  // The rows of another numbered page, their links made absolute: they were written
  // relative to that page, which sits at another depth than this one.
  function fetchRows(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(url + ": " + response.status);
      return response.text();
    }).then(function (text) {
      var page = new DOMParser().parseFromString(text, "text/html");
      var table = page.querySelector("table[data-pmkb-filter-table]");
      if (!table || !table.tBodies.length) throw new Error(url + ": no list of postmortems");
      Array.prototype.forEach.call(table.querySelectorAll("[href]"), function (element) {
        element.setAttribute("href", new URL(element.getAttribute("href"), url).href);
      });
      return Array.prototype.map.call(table.tBodies[0].rows, function (row) {
        return document.importNode(row, true);
      });
    });
  }

  function setup() {
    var form = document.querySelector("form[data-pmkb-filter]");
    var table = document.querySelector("table[data-pmkb-filter-table]");
    if (!form || !table || form.dataset.pmkbReady) {
      return;
    }
    form.dataset.pmkbReady = "1";
    var rows = filterRows(table);
    // A split list: every page's URL, this page's number and the number of postmortems.
    var pages = parseList(table.dataset.pmkbPages);
    var current = Number(table.dataset.pmkbPage || 1);
    var total = Number(table.dataset.pmkbRows || rows.length);
    var complete = pages.length < 2;
    var loading = null;
    var failed = false;
    var showAll = form.querySelector("[data-pmkb-show-all]");
    var pager = document.querySelector("[data-pmkb-pager]");

    function loadAll() {
      if (complete || failed) return null;
      if (loading) return loading;
      var here = rows.map(function (row) { return row.element; });
      loading = Promise.all(pages.map(function (url, index) {
        return index + 1 === current ? here : fetchRows(new URL(url, window.location.href).href);
      })).then(function (lists) {
        var body = table.tBodies[0];
        lists.forEach(function (list) {
          list.forEach(function (row) { body.appendChild(row); });
        });
        table.removeAttribute("data-pmkb-cards");
        labelTableCells();
        rows = filterRows(table);
        complete = true;
        if (showAll) showAll.parentNode.removeChild(showAll);
        if (pager) pager.hidden = true;
      }, function () {
        failed = true;
      }).then(function () {
        loading = null;
        apply();
      });
      return loading;
    }
    var empty = document.querySelector("[data-pmkb-filter-empty]");
    var count = form.querySelector("output");
    var params = new URLSearchParams(window.location.search);
    form.elements.text.value = params.get("text") || "";
    // A value from the URL that no postmortem has (a stale or mistyped link) is kept and
    // shown as chosen, so the list says "none" instead of silently showing everything.
    var unknown = [];
    FIELDS.forEach(function (name) {
      var wanted = params.get(name);
      var select = form.elements[name];
      if (!wanted) return;
      if (!Array.prototype.some.call(select.options, function (option) { return option.value === wanted; })) {
        var option = document.createElement("option");
        option.value = wanted;
        option.textContent = wanted + " (no postmortems)";
        option.dataset.pmkbUnknown = "1";
        select.appendChild(option);
        unknown.push(name + " \u201c" + wanted + "\u201d");
      }
      select.value = wanted;
    });
    var emptyText = empty ? empty.textContent : "";

    function apply() {
      var words = form.elements.text.value.toLowerCase().split(/\s+/).filter(Boolean);
      var chosen = {};
      FIELDS.forEach(function (name) { chosen[name] = form.elements[name].value; });
      var filtering = words.length > 0 || FIELDS.some(function (name) { return chosen[name]; });
      if (filtering && !complete) loadAll();
      var shown = 0;
      rows.forEach(function (row) {
        var visible = FIELDS.every(function (name) {
          var value = chosen[name];
          if (!value) return true;
          return Array.isArray(row[name]) ? row[name].indexOf(value) !== -1 : row[name] === value;
        }) && words.every(function (word) { return row.text.indexOf(word) !== -1; });
        row.element.hidden = !visible;
        if (visible) shown += 1;
      });
      if (complete) {
        count.textContent = shown === rows.length ? rows.length + " postmortems" : shown + " of " + rows.length;
      } else if (loading) {
        count.textContent = "Loading all " + total + " postmortems\u2026";
      } else if (failed) {
        count.textContent = shown + " of the " + rows.length + " on this page (the other pages could not be loaded)";
      } else {
        count.textContent = total + " postmortems";
      }
      if (empty) {
        empty.hidden = shown !== 0 || loading !== null;
        var stale = unknown.filter(function (label) {
          var name = label.split(" ")[0];
          return chosen[name] && form.elements[name].selectedOptions[0].dataset.pmkbUnknown;
        });
        empty.textContent = stale.length
          ? "No postmortem has " + stale.join(" and ") + ". The link may be out of date: choose \u201cAll\u201d to see every postmortem."
          : emptyText;
      }
      var query = new URLSearchParams();
      if (form.elements.text.value) query.set("text", form.elements.text.value);
      FIELDS.forEach(function (name) { if (chosen[name]) query.set(name, chosen[name]); });
      var search = query.toString();
      window.history.replaceState(window.history.state, "", window.location.pathname + (search ? "?" + search : "") + window.location.hash);
    }

    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    if (showAll) showAll.addEventListener("click", loadAll);
    form.hidden = false;
    apply();
  }

  // Material's search overlay is a dialog without an accessible name; screen readers
  // announce it as an unnamed dialog.
  function nameSearchDialog() {
    var dialog = document.querySelector(".md-search[role=dialog]");
    if (dialog && !dialog.hasAttribute("aria-label") && !dialog.hasAttribute("aria-labelledby")) {
      dialog.setAttribute("aria-label", "Search");
    }
  }

  // On a phone pmkb.css shows each table row as a card; every cell is labelled with its
  // column's heading. Without JavaScript the tables stay tables (and scroll sideways).
  function labelTableCells() {
    var tables = document.querySelectorAll(".pmkb-table table:not([data-pmkb-cards])");
    Array.prototype.forEach.call(tables, function (table) {
      if (!table.tHead || !table.tHead.rows.length) return;
      var labels = Array.prototype.map.call(table.tHead.rows[0].cells, function (cell) {
        return cell.textContent.trim();
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          Array.prototype.forEach.call(row.cells, function (cell, index) {
            if (!cell.hasAttribute("data-label")) cell.setAttribute("data-label", labels[index] || "");
          });
        });
      });
      table.setAttribute("data-pmkb-cards", "");
    });
  }

  function setupPage() {
    nameSearchDialog();
    labelTableCells();
    setup();
  }

  if (typeof window.document$ !== "undefined" && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setupPage);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupPage);
  } else {
    setupPage();
  }
})();
