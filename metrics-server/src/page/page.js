// The page's live parts; it works without them. Typing in the filter reloads the listing
// from the server (the template renders it, as for a plain form submit), and every few
// seconds the values and sparklines are refreshed from the JSON endpoint.
(function () {
  "use strict";
  const form = document.getElementById("filter-form");
  const input = document.getElementById("filter");
  const json = document.body.dataset.json;
  let pending = null;
  let generation = 0;

  function query() {
    return input.value.trim();
  }

  function withQuery(path) {
    const q = query();
    return q ? path + "?q=" + encodeURIComponent(q) : path;
  }

  async function reload() {
    const mine = ++generation;
    const response = await fetch(withQuery(location.pathname), { headers: { Accept: "text/html" } });
    if (!response.ok || mine !== generation) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("content");
    if (!fresh || mine !== generation) return;
    document.getElementById("content").replaceWith(fresh);
    history.replaceState(null, "", withQuery(location.pathname));
  }

  input.addEventListener("input", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      reload().catch(function () {});
    }, 150);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(pending);
    reload().catch(function () {});
  });

  async function refresh() {
    const response = await fetch(withQuery(json), { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const doc = await response.json();
    const rows = new Map();
    for (const row of document.querySelectorAll("tr.row[data-key]")) rows.set(row.dataset.key, row);
    for (const group of doc.groups) {
      for (const family of group.families) {
        for (const s of family.series) {
          const row = rows.get(s.key);
          if (!row) continue;
          row.querySelector("td.value").textContent = s.text;
          row.querySelector("polyline").setAttribute("points", s.spark);
        }
      }
    }
  }

  setInterval(function () {
    refresh().catch(function () {});
  }, 2000);
})();
