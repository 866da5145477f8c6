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

// A checklist answered "None of these" (templates/referrals/includes/checklist.html): its
// questions leave the Tab order, so the keyboard moves straight on to the next question. They
// stay visible and clickable; unticking "None of these" (or ticking a question, which the
// NHS.UK exclusive behaviour treats the same) brings them back.
function syncNoneOfThese(none) {
  const group = none.dataset.behaviourGroup;
  const questions = none.form
    ? none.form.querySelectorAll(`input[data-behaviour-group="${group}"]:not([data-none-of-these])`)
    : [];
  for (const question of questions) {
    if (none.checked) question.setAttribute("tabindex", "-1");
    else question.removeAttribute("tabindex");
  }
}
document.addEventListener("change", (event) => {
  const input = event.target.closest("input[data-behaviour-group]");
  if (!input || !input.form) return;
  const none = input.form.querySelector(
    `input[data-none-of-these][data-behaviour-group="${input.dataset.behaviourGroup}"]`,
  );
  if (none) syncNoneOfThese(none);
});
for (const none of document.querySelectorAll("input[data-none-of-these]")) syncNoneOfThese(none);
