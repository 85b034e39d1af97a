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
