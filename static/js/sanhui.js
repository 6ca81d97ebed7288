/* Behaviour shared by the portal's pages, kept out of the HTML: the Content-Security-Policy
   allows no inline scripts, event-handler attributes or style attributes.
   - <select data-autosubmit>: submits its form when the choice changes (language, year, town);
   - <form data-confirm="…">: asks before submitting (removing or deleting something);
   - [data-print]: prints the page (the QR poster);
   - [data-fullscreen]: shows the page full screen (the check-in code held up to attendees);
   - [data-search-select]: the searching choice widgets (organizations/widgets.py), below;
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

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
    if (event.target.closest && event.target.closest("[data-fullscreen]") && document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  });

  /* Searching choice widgets ([data-search-select], organizations/widgets.py): the page holds
     only the current choice; typing in the search box (or focusing it the first time) asks the
     widget's endpoint for at most 50 matches, which replace the other options of the <select>
     (one choice) or the unticked check boxes (several). What is chosen stays. Enter picks the
     first match instead of submitting the form; the arrow down key moves into the list. */
  var SEARCH_DELAY_MS = 300;

  function searchWidget(node) {
    return node && node.closest ? node.closest("[data-search-select]") : null;
  }

  function showFound(widget, hint) {
    var found = widget.querySelector(".search-select-found");
    if (found) found.textContent = hint ? hint.textContent : "";
  }

  function fillSelect(widget, matches) {
    var select = widget.querySelector("select");
    var chosen = {};
    Array.prototype.slice.call(select.options).forEach(function (option) {
      if (option.value === "" || option.selected) chosen[option.value] = true;
      else option.remove();
    });
    matches.forEach(function (match) {
      if (!chosen[match.value]) select.appendChild(match);
    });
  }

  function fillChecks(widget, matches) {
    var box = widget.querySelector(".check-search-box");
    var name = widget.getAttribute("data-name");
    var id = widget.getAttribute("data-id") || name;
    var present = {};
    Array.prototype.slice.call(box.querySelectorAll(".form-check")).forEach(function (item) {
      var input = item.querySelector("input");
      if (input.checked) present[input.value] = true;
      else item.remove();
    });
    matches.forEach(function (match) {
      if (present[match.value]) return;
      var item = document.createElement("div");
      item.className = "form-check";
      var input = document.createElement("input");
      input.type = "checkbox";
      input.className = "form-check-input";
      input.name = name;
      input.value = match.value;
      input.id = id + "_v" + match.value;
      var label = document.createElement("label");
      label.className = "form-check-label";
      label.htmlFor = input.id;
      label.textContent = match.textContent;
      item.appendChild(input);
      item.appendChild(label);
      box.appendChild(item);
    });
    var empty = box.querySelector("[data-search-empty]");
    if (empty) empty.hidden = box.querySelector(".form-check") !== null;
  }

  function search(widget, input) {
    var asked = input.value.trim();
    var url = widget.getAttribute("data-search-url") + "&q=" + encodeURIComponent(asked);
    widget.setAttribute("data-search-asked", asked);
    widget.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.statusText);
        return response.text();
      })
      .then(function (html) {
        // A slower answer to an earlier search must not replace a later one.
        if (widget.getAttribute("data-search-asked") !== asked) return;
        var template = document.createElement("template");
        template.innerHTML = html;
        var matches = Array.prototype.slice.call(template.content.querySelectorAll("option"));
        var hint = matches.length && matches[0].value === "" ? matches.shift() : null;
        if (widget.hasAttribute("data-search-multiple")) fillChecks(widget, matches);
        else fillSelect(widget, matches);
        showFound(widget, hint);
        widget.setAttribute("data-search-loaded", "");
      })
      .catch(function () {})
      .then(function () { widget.removeAttribute("aria-busy"); });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.hasAttribute || !input.hasAttribute("data-search-query")) return;
    var widget = searchWidget(input);
    window.clearTimeout(widget._searchTimer);
    widget._searchTimer = window.setTimeout(function () { search(widget, input); }, SEARCH_DELAY_MS);
  });

  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (!input.hasAttribute || !input.hasAttribute("data-search-query")) return;
    var widget = searchWidget(input);
    if (!widget.hasAttribute("data-search-loaded") && !widget.hasAttribute("aria-busy")) search(widget, input);
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.hasAttribute || !input.hasAttribute("data-search-query")) return;
    var widget = searchWidget(input);
    if (event.key === "Enter") {
      event.preventDefault();
      if (widget.hasAttribute("data-search-multiple")) {
        var first = widget.querySelector(".check-search-box input:not(:checked)");
        if (first) first.focus();
        return;
      }
      var select = widget.querySelector("select");
      var match = Array.prototype.filter.call(select.options, function (option) {
        return option.value !== "" && !option.selected;
      })[0];
      if (match) {
        select.value = match.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      select.focus();
    } else if (event.key === "ArrowDown") {
      var target = widget.querySelector("select, .check-search-box input");
      if (target) {
        event.preventDefault();
        target.focus();
      }
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
