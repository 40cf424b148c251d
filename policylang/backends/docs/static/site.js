// policylang documentation: client-side search over the index embedded in each page.
// No network access: the index is inlined in <script id="search-index">, so this works from file://.
(function () {
  "use strict";
  var box = document.getElementById("search-box");
  var list = document.getElementById("search-results");
  var data = document.getElementById("search-index");
  if (!box || !list || !data) { return; }
  var entries = [];
  try { entries = JSON.parse(data.textContent || "[]"); } catch (e) { entries = []; }
  var root = document.body.getAttribute("data-root") || "";
  var LIMIT = 30;

  function matches(entry, terms) {
    var hay = (entry.name + " " + entry.label + " " + entry.kind + " " + entry.policy).toLowerCase();
    for (var i = 0; i < terms.length; i++) {
      if (hay.indexOf(terms[i]) < 0) { return false; }
    }
    return true;
  }

  function show(query) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var terms = query.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
    if (terms.length === 0) { list.hidden = true; return; }
    var found = 0;
    for (var i = 0; i < entries.length && found < LIMIT; i++) {
      var entry = entries[i];
      if (!matches(entry, terms)) { continue; }
      found++;
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + entry.url;
      a.textContent = entry.label;
      li.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "small";
      meta.textContent = entry.kind + " · " + entry.name + " · " + entry.policy;
      li.appendChild(meta);
      list.appendChild(li);
    }
    if (found === 0) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = list.getAttribute("data-empty") || "";
      list.appendChild(none);
    }
    list.hidden = false;
  }

  box.addEventListener("input", function () { show(box.value); });
  box.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { box.value = ""; show(""); }
    if (ev.key === "Enter") {
      var first = list.querySelector("a");
      if (first) { window.location.href = first.href; }
    }
  });
  document.addEventListener("click", function (ev) {
    if (!list.contains(ev.target) && ev.target !== box) { list.hidden = true; }
  });
})();
