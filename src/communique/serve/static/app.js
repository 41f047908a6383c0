// communique pages: small touches only; every page works without this script.
(function () {
  // On an event page, scroll each report's excerpt so its evidence sentence is in view.
  document.querySelectorAll(".report .excerpt").forEach(function (box) {
    var mark = box.querySelector("mark.evidence");
    if (mark && box.scrollHeight > box.clientHeight) {
      box.scrollTop = Math.max(0, mark.offsetTop - box.offsetTop - box.clientHeight / 3);
    }
  });
  // On an article page opened from an event or a quote (#r-... / #q-...), light up that passage.
  var wanted = decodeURIComponent(window.location.hash.slice(1));
  if (wanted) {
    document.querySelectorAll("[data-anchor]").forEach(function (piece) {
      if (piece.getAttribute("data-anchor") === wanted) { piece.classList.add("here"); }
    });
  }
  // Keyboard users: Enter on a focused timeline dot opens the event.
  document.querySelectorAll("svg a.dot").forEach(function (dot) {
    dot.setAttribute("tabindex", "0");
    dot.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { window.location = dot.getAttribute("href"); }
    });
  });
})();
