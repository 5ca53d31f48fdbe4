// Cut each story-graph label to the width its box leaves, as this browser measures
// the text (the server's cut is an estimate); the node's tooltip keeps it whole.
(function () {
  document.querySelectorAll("svg text[data-fit]").forEach(function (t) {
    var room = parseFloat(t.getAttribute("data-fit"));
    var full = t.getAttribute("data-full") || t.textContent;
    if (!(room > 0) || typeof t.getComputedTextLength !== "function") return;
    t.textContent = full;
    if (t.getComputedTextLength() <= room) return;
    var lo = 0, hi = full.length;
    while (lo < hi) {  // the longest prefix that fits with its ellipsis
      var mid = (lo + hi + 1) >> 1;
      t.textContent = full.slice(0, mid).trimEnd() + "\u2026";
      if (t.getComputedTextLength() <= room) lo = mid; else hi = mid - 1;
    }
    t.textContent = full.slice(0, lo).trimEnd() + "\u2026";
  });
})();
