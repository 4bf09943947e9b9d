// Live character counters for a party's justifications (the server enforces the limit).
const template = document.getElementById("party-counter-text");
const pattern = template ? template.innerHTML.trim() : "{count} / {limit}";

for (const area of document.querySelectorAll("textarea[data-limit]")) {
  const limit = Number(area.dataset.limit);
  const counter = document.getElementById(area.getAttribute("aria-describedby"));
  if (!counter) continue;
  const update = () => {
    // The server counts characters after turning line breaks into one character each.
    const count = [...area.value.replace(/\r\n?/g, "\n").trim()].length;
    counter.textContent = pattern.replace("{count}", count).replace("{limit}", limit);
    counter.classList.toggle("party-counter--over", count > limit);
  };
  area.addEventListener("input", update);
  update();
}
