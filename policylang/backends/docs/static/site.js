// policylang documentation: client-side search over the site's search index.
// No network access: assets/search-index.js (loaded by a relative <script src> before this file, which
// works from file://) sets window.POLICYLANG_SEARCH_INDEX. Older custom templates may still inline the
// index as JSON in <script id="search-index">; that is read when the global is absent.
(function () {
  "use strict";
  var box = document.getElementById("search-box");
  var list = document.getElementById("search-results");
  if (!box || !list) { return; }
  var entries = window.POLICYLANG_SEARCH_INDEX;
  if (!Array.isArray(entries)) {
    var inline = document.getElementById("search-index");
    try { entries = JSON.parse((inline && inline.textContent) || "[]"); } catch (e) { entries = []; }
  }
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

// The table of contents of a long page, from its folding sections; a link (or an address with
// #item-…) opens the section that holds its target.
(function () {
  "use strict";
  var toc = document.querySelector("nav.toc");
  var sections = document.querySelectorAll("main section[id] > details.fold > summary h2");
  if (toc) {
    if (sections.length < 2) {
      toc.hidden = true;
    } else {
      var list = document.createElement("ol");
      Array.prototype.forEach.call(sections, function (h2) {
        var section = h2.closest("section");
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "#" + section.id;
        a.textContent = h2.textContent;
        li.appendChild(a);
        list.appendChild(li);
      });
      toc.appendChild(list);
    }
  }
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
    if (target && target.tagName === "SECTION") {
      var fold = target.querySelector("details.fold");
      if (fold) { fold.open = true; }
    }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
