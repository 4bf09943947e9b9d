// Kiosk mode for a shared tablet (issue 5): the join page and the quiz run in a frame;
// after some minutes without input, or on "Next person", the last person's answers
// are forgotten on this device and the frame starts again at the join page.
const $ = (id) => document.getElementById(id);
const data = JSON.parse($("kiosk-data").textContent);
const frame = $("kiosk-frame");
const EVENTS = ["pointerdown", "keydown", "input", "scroll", "touchstart", "wheel"];
let timer = null;

function reset() {
  try {
    localStorage.removeItem("vaa:answers:" + data.election); // answers.js keeps them here
    sessionStorage.removeItem("vaa:group"); // and session-join.js the session's context
    sessionStorage.removeItem("vaa:group:sent");
  } catch (_) {
    // no storage: nothing was kept
  }
  frame.src = data.start;
  poke();
}

function poke() {
  clearTimeout(timer);
  timer = setTimeout(reset, data.minutes * 60 * 1000);
}

frame.addEventListener("load", () => {
  poke();
  try {
    for (const name of EVENTS) frame.contentWindow.addEventListener(name, poke, { capture: true, passive: true });
  } catch (_) {
    // another origin (should not happen): the time-out still runs from the last load
  }
});
for (const name of EVENTS) addEventListener(name, poke, { capture: true, passive: true });
$("kiosk-next").addEventListener("click", reset);
poke();
