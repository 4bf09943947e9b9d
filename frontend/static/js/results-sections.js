// The result page's folded sections and the feedback around them: the themes, the map,
// the statements and the comparison are <details> a voter opens (all open in print),
// a change of method says so where the voter looks, and the voter's star on the map
// keeps clear of the parties' points.
import { voterLabel, voterMark } from "./charts.js";

const FLASH_MS = 1600;

/** Open every folded section for printing, and fold back the ones that were closed. */
export function unfoldForPrint(root = document) {
  let opened = [];
  window.addEventListener("beforeprint", () => {
    opened = [...root.querySelectorAll("details.rsec:not([open])")];
    for (const section of opened) section.open = true;
  });
  window.addEventListener("afterprint", () => {
    for (const section of opened) section.open = false;
    opened = [];
  });
}

/** Say that the ranking changed, and light the rankings up for a moment. */
export function announceRanking(status, text, rankings) {
  status.textContent = "";
  // A fresh text a moment later, so screen readers announce it even when it repeats.
  setTimeout(() => { status.textContent = text; }, 50);
  for (const list of rankings) {
    list.classList.remove("is-updated");
    void list.offsetWidth; // restart the highlight when the method changes twice quickly
    list.classList.add("is-updated");
    clearTimeout(list.flashTimer);
    list.flashTimer = setTimeout(() => list.classList.remove("is-updated"), FLASH_MS);
  }
}

/** The parties shown on the map: their points and the boxes of their names. */
function shownParties(svg) {
  return [...svg.querySelectorAll(".map__party:not([hidden])")].map((g) => {
    const circle = g.querySelector("circle");
    return {
      x: Number(circle.getAttribute("cx")),
      y: Number(circle.getAttribute("cy")),
      box: (g.dataset.box || "0 0 0 0").split(" ").map(Number),
    };
  });
}

/** Draw the voter's star where it hides no party, with a line to the exact place, and
 *  "You" beside it where it hides the least. */
export function placeVoter(group, point) {
  const line = document.getElementById("map-you-line");
  const parties = shownParties(group.ownerSVGElement);
  const mark = voterMark(point, parties);
  group.setAttribute("transform", `translate(${mark.x} ${mark.y})`);
  if (line) {
    line.toggleAttribute("hidden", !mark.moved);
    for (const [attr, value] of [["x1", mark.px], ["y1", mark.py], ["x2", mark.x], ["y2", mark.y]]) line.setAttribute(attr, value);
  }
  const text = group.querySelector("text");
  const place = voterLabel(mark, parties, text.textContent);
  text.setAttribute("x", place.x);
  text.setAttribute("y", place.y);
  text.setAttribute("text-anchor", place.anchor);
}
