// Keyboard triage. Progressive enhancement only: every action is also a link or a form.
(function () {
  "use strict";
  var page = document.body.getAttribute("data-page");
  var help = document.getElementById("help");

  function typing(ev) {
    var t = ev.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }
  function toggleHelp(show) {
    if (!help) return;
    help.hidden = show === undefined ? !help.hidden : !show;
  }
  document.querySelectorAll("[data-help]").forEach(function (b) {
    b.addEventListener("click", function () { toggleHelp(); });
  });

  // Dismissing needs a reason: the reason list is required while "dismissed" is the verdict
  // (the server refuses a dismissal without one too).
  function syncReason(form) {
    var select = form && form.querySelector("[data-verdict]");
    var reason = form && form.querySelector("[data-reason]");
    if (!select || !reason) return;
    reason.required = select.value === "dismissed";
    if (!reason.required) reason.removeAttribute("aria-invalid");
  }
  document.querySelectorAll("[data-verdict]").forEach(function (select) {
    syncReason(select.form);
    select.addEventListener("change", function () { syncReason(select.form); });
  });

  // An error page's "back": the browser's own back when it leads to the same page, which keeps
  // what was typed in its form; otherwise the link (the page the user came from) as it is.
  document.querySelectorAll("a[data-back]").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      if (!document.referrer || window.history.length < 2) return;
      var from = new URL(document.referrer);
      if (from.origin === window.location.origin && from.pathname + from.search === a.getAttribute("href")) {
        ev.preventDefault();
        window.history.back();
      }
    });
  });

  // Sets the verdict (and maybe reason) of a form and submits it; dismissing needs a reason.
  function decide(form, verdict) {
    if (!form) return;
    var select = form.querySelector("[data-verdict]");
    var reason = form.querySelector("[data-reason]");
    select.value = verdict;
    syncReason(form);
    if (verdict === "dismissed" && reason && !reason.value) {
      reason.focus();
      reason.setAttribute("aria-invalid", "true");
      return;
    }
    if (form.requestSubmit) form.requestSubmit(form.querySelector("[data-submit]"));
    else form.submit();
  }

  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-row]"));
  var cursor = -1;
  function moveTo(i) {
    if (!rows.length) return;
    i = Math.max(0, Math.min(rows.length - 1, i));
    if (cursor >= 0 && rows[cursor]) rows[cursor].classList.remove("cursor");
    cursor = i;
    rows[i].classList.add("cursor");
    rows[i].scrollIntoView({ block: "nearest" });
  }
  function selectedOrCursor(form) {
    var boxes = form.querySelectorAll("input[name=flag]:checked");
    if (!boxes.length && cursor >= 0) {
      var box = rows[cursor].querySelector("input[name=flag]");
      if (box) box.checked = true;
      boxes = form.querySelectorAll("input[name=flag]:checked");
    }
    return boxes.length;
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "Escape") { toggleHelp(false); if (typing(ev)) ev.target.blur(); return; }
    if (typing(ev)) {
      // in the reason list, "d" again confirms the dismissal
      if (ev.key === "d" && ev.target.hasAttribute("data-reason") && ev.target.value) {
        ev.preventDefault();
        decide(ev.target.form, "dismissed");
      }
      return;
    }
    var key = ev.key;
    if (key === "?") { toggleHelp(); ev.preventDefault(); return; }
    if (key === "/") {
      var search = document.querySelector("[data-search]");
      if (search) { search.focus(); ev.preventDefault(); }
      return;
    }
    if (page === "queue") {
      var bulk = document.getElementById("bulk");
      if (key === "j") { moveTo(cursor + 1); }
      else if (key === "k") { moveTo(cursor - 1); }
      else if ((key === "Enter" || key === "o") && cursor >= 0) { window.location.href = rows[cursor].getAttribute("data-href"); }
      else if (key === "x" && cursor >= 0) { var b = rows[cursor].querySelector("input[name=flag]"); if (b) b.checked = !b.checked; }
      else if (key === "c" || key === "d" || key === "e") {
        if (!selectedOrCursor(bulk)) return;
        decide(bulk, { c: "confirmed_counterfeit", d: "dismissed", e: "escalate" }[key]);
      } else return;
      ev.preventDefault();
    } else if (page === "listing") {
      var form = document.getElementById("verdict-form");
      var link;
      if (key === "j") link = document.querySelector("[data-next]");
      else if (key === "k") link = document.querySelector("[data-prev]");
      else if (key === "c") decide(form, "confirmed_counterfeit");
      else if (key === "d") decide(form, "dismissed");
      else if (key === "e") decide(form, "escalate");
      else return;
      if (link) window.location.href = link.getAttribute("href");
      ev.preventDefault();
    }
  });
})();
