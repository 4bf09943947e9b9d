// "Where do you vote?": filter the places as the voter types, and remember the choice in
// this browser only (localStorage), as the answers are. Also imported by the quiz and
// the results page to read and keep the place.

const PREFIX = "vaa:place:";

/** The place remembered for an election, or null. */
export function loadPlace(election) {
  try {
    return localStorage.getItem(PREFIX + election);
  } catch (_) {
    return null; // storage refused (private mode): the address still carries the place
  }
}

/** Remember the place of an election (false if the browser refuses storage). */
export function savePlace(election, place) {
  try {
    if (place) localStorage.setItem(PREFIX + election, place);
    else localStorage.removeItem(PREFIX + election);
    return true;
  } catch (_) {
    return false;
  }
}

const form = document.getElementById("place-form");
if (form) {
  const data = JSON.parse(document.getElementById("place-data").textContent);
  const search = document.getElementById("place-search");
  const none = document.getElementById("place-none");
  const options = [...form.querySelectorAll(".place-option")];
  if (!form.querySelector("input:checked")) {
    const remembered = loadPlace(data.election);
    const input = remembered && form.querySelector(`input[value="${CSS.escape(remembered)}"]`);
    if (input) input.checked = true;
  }
  if (options.length > 6) {
    search.parentElement.hidden = false;
    search.addEventListener("input", () => {
      const q = search.value.trim().toLowerCase();
      let shown = 0;
      for (const option of options) {
        option.hidden = Boolean(q) && !option.dataset.name.includes(q);
        if (!option.hidden) shown += 1;
      }
      for (const group of form.querySelectorAll("[data-place-group]")) {
        group.hidden = !group.querySelector(".place-option:not([hidden])");
      }
      none.hidden = shown > 0;
    });
  }
  form.addEventListener("submit", () => {
    const chosen = form.querySelector("input[name=place]:checked");
    if (chosen) savePlace(data.election, chosen.value);
  });
}

// The quiz form carries the place the voter chose (?place=): keep it for the result.
const carried = document.querySelector("form#quiz input[name=place]");
if (carried) savePlace(carried.dataset.election, carried.value);
