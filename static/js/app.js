// Starts the NHS.UK frontend components. Loaded as a module from a static file so the
// Content-Security-Policy needs no inline script.
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

// The NHS.UK stylesheet only applies its JavaScript enhancements under this class; setting it
// here (not in an inline script) keeps pages usable when scripts do not run.
document.body.classList.add("nhsuk-frontend-supported");
initAll();

// htmx adds new markup (live panels): start the NHS.UK components inside that markup only.
// htmx also fires this for the whole page on load, which initAll() above has covered.
document.addEventListener("htmx:load", (event) => {
  if (event.target !== document.body) initAll({ scope: event.target });
});

// Print buttons: a data attribute, so no inline onclick is needed.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
