// Archevani embed: fits each quiz frame (iframe[data-archevani]) to the height of the page
// it shows. The quiz sends only its height; this script stores and sends nothing.
addEventListener("message", (event) => {
  const data = event.data;
  if (!data || data.type !== "archevani:height" || !Number.isFinite(data.height)) return;
  for (const frame of document.querySelectorAll("iframe[data-archevani]")) {
    if (frame.contentWindow !== event.source || new URL(frame.src).origin !== event.origin) continue;
    frame.style.height = Math.min(Math.max(Math.ceil(data.height), 200), 50000) + "px";
  }
});
