// Vecino admin: the one script, served from 'self' (the CSP allows no inline script).
// A large directory upload takes a while: show that it is on its way, and stop double sends.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.enctype !== "multipart/form-data") return;
  var button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  var progress = form.querySelector("progress");
  if (progress) progress.hidden = false;
});

// A staff reply's cost while it is typed: SMS segments, counted as bot/segments.py counts
// them (GSM-7: 160 in one, 153 each when split; any other character: 70, then 67 each).
var GSM7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
var GSM7_EXTENSION = "^{}\\[~]|€\f";

function smsSegments(text) {
  if (!text) return 0;
  var septets = 0;
  for (var i = 0; i < text.length; i++) {
    var ch = text.charAt(i);
    if (GSM7.indexOf(ch) >= 0) septets += 1;
    else if (GSM7_EXTENSION.indexOf(ch) >= 0) septets += 2;
    else { septets = -1; break; }
  }
  if (septets >= 0) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  var units = text.length; // UTF-16 code units, as the server counts them
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

function showSegments(box) {
  if (!box.dataset || !box.dataset.segments) return;
  var out = document.getElementById(box.dataset.segments);
  if (!out) return;
  var n = smsSegments(box.value.replace(/\r\n/g, "\n"));
  out.textContent = n === 1 ? out.dataset.one : out.dataset.many.replace("{n}", String(n));
}

document.addEventListener("input", function (event) { showSegments(event.target); });
// This script is deferred: what was typed (or filled in by the browser) before it ran has
// sent its input events already, so count what the boxes hold now.
document.querySelectorAll("textarea[data-segments]").forEach(showSegments);
