// Portcullis: small enhancements only. Every page works without this file; the CSP
// allows scripts from this origin and nothing inline, so behaviour is attached here.
"use strict";

// Copy buttons: `<button data-copy="ID" hidden>` copies the text of element ID. The
// button stays hidden without JavaScript, where the URL is plain selectable text.
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source) {
    return;
  }
  var status = document.getElementById(button.getAttribute("data-copy") + "-status");
  var say = function (text) {
    if (status) {
      status.textContent = text;
    }
  };
  var selectSource = function () {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  };
  button.hidden = false;
  button.addEventListener("click", function () {
    var text = source.textContent.trim();
    if (!navigator.clipboard || !window.isSecureContext) {
      selectSource();
      say("Selected: press Ctrl+C (⌘C) to copy.");
      return;
    }
    navigator.clipboard.writeText(text).then(
      function () {
        button.textContent = "Copied";
        say("Copied to the clipboard.");
      },
      function () {
        selectSource();
        say("Selected: press Ctrl+C (⌘C) to copy.");
      }
    );
  });
});
