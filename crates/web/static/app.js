// Yuqing analysts' UI: light progressive enhancement only. Every page works without it
// (all state is in links and plain forms). Served from /static/app.js; the CSP forbids inline
// scripts and inline event handlers, so behaviour is attached here by data attributes.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  ready(function () {
    // <select data-autosubmit> and <input type=checkbox data-autosubmit>: submit the
    // enclosing form on change (sort order, collapse reprints).
    document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () {
        if (el.form) {
          el.form.submit();
        }
      });
    });

    // <button data-print>: print the page (the print stylesheet hides navigation and forms).
    document.querySelectorAll("[data-print]").forEach(function (el) {
      el.addEventListener("click", function (ev) {
        ev.preventDefault();
        window.print();
      });
    });

    // <form data-busy="text">: disable the submit button while the server works
    // (report generation takes a few seconds), so it is not sent twice.
    document.querySelectorAll("form[data-busy]").forEach(function (form) {
      form.addEventListener("submit", function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) {
          b.disabled = true;
          b.textContent = form.getAttribute("data-busy");
        });
      });
    });

    // Search box: "/" focuses it, as on most search sites.
    var q = document.querySelector("input[name=q]");
    if (q) {
      document.addEventListener("keydown", function (ev) {
        var tag = (ev.target && ev.target.tagName) || "";
        if (ev.key === "/" && tag !== "INPUT" && tag !== "TEXTAREA" && tag !== "SELECT") {
          ev.preventDefault();
          q.focus();
          q.select();
        }
      });
    }
  });
})();
