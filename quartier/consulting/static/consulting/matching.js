// The matching page: computing the proposal takes a few seconds with many requests. On
// submit, say so in the status line (read by screen readers) and keep the button from a
// second click; the page that follows shows the result.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-matching]");
  if (!form) return;
  form.addEventListener("submit", () => {
    const status = form.querySelector("[data-matching-status]");
    if (status) status.textContent = status.dataset.text;
    const button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
    }
  });
});
