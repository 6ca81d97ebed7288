/* Behaviour shared by the portal's pages, kept out of the HTML: the Content-Security-Policy
   allows no inline scripts, event-handler attributes or style attributes.
   - <select data-autosubmit>: submits its form when the choice changes (language, year, town);
   - <form data-confirm="…">: asks before submitting (removing or deleting something);
   - [data-print]: prints the page (the QR poster);
   - [data-fullscreen]: shows the page full screen (the check-in code held up to attendees);
   - <input data-filter-checks>: hides the check boxes beside it whose label does not contain
     the text typed (the searchable multiple choice, organizations/widgets/checkbox_search.html);
   - [data-style="width: 40%; left: 10%"]: sizes and positions computed on the server (progress
     bars, the rollout timeline), applied through the CSSOM, which the policy allows. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) field.form.submit();
  });

  document.addEventListener(
    "submit",
    function (event) {
      var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.hasAttribute || !field.hasAttribute("data-filter-checks")) return;
    var text = field.value.trim().toLowerCase();
    var box = field.parentNode.querySelector(".check-search-box");
    Array.prototype.forEach.call(box.querySelectorAll(".form-check"), function (item) {
      item.hidden = text !== "" && item.textContent.toLowerCase().indexOf(text) === -1;
    });
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
    if (event.target.closest && event.target.closest("[data-fullscreen]") && document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  });

  function applyStyles(root) {
    var nodes = root.querySelectorAll ? Array.prototype.slice.call(root.querySelectorAll("[data-style]")) : [];
    if (root.hasAttribute && root.hasAttribute("data-style")) nodes.push(root);
    nodes.forEach(function (node) {
      node.getAttribute("data-style").split(";").forEach(function (declaration) {
        var colon = declaration.indexOf(":");
        if (colon > 0) node.style.setProperty(declaration.slice(0, colon).trim(), declaration.slice(colon + 1).trim());
      });
    });
  }

  applyStyles(document);
  // Fragments that htmx swaps in later carry their own.
  document.addEventListener("htmx:load", function (event) { applyStyles(event.detail.elt); });
})();
