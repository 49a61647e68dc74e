// Calls: the live sum of the cost breakdown in the application form. Autosave runs through
// HTMX (hx-post on the form); no inline scripts.
(function () {
  "use strict";

  // Cents from "25.000,50", "25000,5", "25000.50" or "25 000 €"; NaN if unreadable.
  function cents(text) {
    text = (text || "").replace(/[€\s\u00a0]/g, "").replace(/EUR/g, "");
    if (!text) return 0;
    if (!/^[0-9.,]+$/.test(text)) return NaN;
    if (text.indexOf(",") >= 0) {
      var at = text.lastIndexOf(",");
      text = text.slice(0, at).replace(/\./g, "") + "." + text.slice(at + 1);
    } else if (/^[0-9]{1,3}(\.[0-9]{3})+$/.test(text)) {
      text = text.replace(/\./g, "");
    }
    var value = Number(text);
    return isFinite(value) ? Math.round(value * 100) : NaN;
  }

  function money(value, lang) {
    return (value / 100).toLocaleString(lang === "en" ? "en-GB" : "de-DE",
      { style: "currency", currency: "EUR" });
  }

  function costSum(form) {
    var output = form.querySelector("[data-cost-sum]");
    if (!output) return;
    var lang = document.documentElement.lang;
    function update() {
      var total = 0, bad = false;
      form.querySelectorAll("[data-cost-amount]").forEach(function (input) {
        var value = cents(input.value);
        if (isNaN(value)) bad = true; else total += value;
      });
      var requested = cents((form.querySelector("[data-requested]") || {}).value);
      var text = output.dataset.label + " " + (bad ? "–" : money(total, lang));
      if (!bad && requested && !isNaN(requested)) {
        text += total === requested ? " ✓" : " — " + output.dataset.mismatch + " " + money(requested, lang);
      }
      output.textContent = text;
    }
    form.addEventListener("input", update);
    update();
  }

  function init() {
    document.querySelectorAll("form[data-application-form]").forEach(costSum);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
