// Small jobs only: copy to clipboard, "select all / none" for scope checkboxes, focus after a
// swap, and a notice when a request gets no answer.
// Everything works without this file; it reveals the buttons it can serve.
(function () {
  "use strict";

  function reveal(root) {
    root.querySelectorAll("button.copy[hidden], .select-links[hidden]").forEach(function (el) {
      el.hidden = false;
    });
  }

  function copyText(button) {
    var text = button.dataset.copy;
    if (button.dataset.copyTarget) {
      var target = document.querySelector(button.dataset.copyTarget);
      text = target ? target.textContent.trim() : "";
    }
    var done = function () {
      button.textContent = "Copied";
      button.classList.add("copied");
      setTimeout(function () {
        button.textContent = "Copy";
        button.classList.remove("copied");
      }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      // Plain-HTTP development servers have no async clipboard API.
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      document.body.removeChild(area);
      done();
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (button) {
      copyText(button);
      return;
    }
    var check = event.target.closest("button[data-check]");
    if (check) {
      var on = check.dataset.check === "all";
      check.closest("fieldset").querySelectorAll("input[type=checkbox]").forEach(function (box) {
        box.checked = on;
      });
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    reveal(document);
  });
  // Fragments swapped in by htmx carry hidden buttons too.
  document.addEventListener("htmx:load", function (event) {
    reveal(event.detail.elt);
  });
  // No answer at all (network down, server stopped): htmx has nothing to swap, so say so
  // above the page, which keeps what was typed into it. The next swap replaces the notice.
  document.addEventListener("htmx:sendError", function () {
    var main = document.getElementById("main");
    if (!main) {
      return;
    }
    var notice = document.getElementById("send-error");
    if (!notice) {
      notice = document.createElement("p");
      notice.id = "send-error";
      notice.className = "message message-error";
      notice.setAttribute("role", "alert");
      main.prepend(notice);
    }
    notice.textContent =
      "Gatehouse did not answer. Check your connection and try again; nothing on this page was lost.";
  });
  // After a swap, move focus to the new content so keyboard and screen reader users follow:
  // to the first field with an error when a form came back invalid, else to the region.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "main") {
      var invalid = target.querySelector("[aria-invalid=true]");
      (invalid || target).focus({ preventScroll: !invalid });
    }
  });
})();
