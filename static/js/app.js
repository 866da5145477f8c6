// Starts the NHS.UK frontend components. Loaded as a module from a static file so the
// Content-Security-Policy needs no inline script.
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

// The NHS.UK stylesheet only applies its JavaScript enhancements under this class; setting it
// here (not in an inline script) keeps pages usable when scripts do not run.
document.body.classList.add("nhsuk-frontend-supported");
initAll();

// htmx swaps new markup in: start any NHS.UK components inside it too.
document.addEventListener("htmx:afterSettle", (event) => initAll({ scope: event.target }));
