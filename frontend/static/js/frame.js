// Shown in a partner site's iframe (see /{lang}/{election}/embed), the voter pages tell
// the host page their height, so the frame fits them. Only the height leaves the frame:
// the answers stay in this site's own storage, which the host page cannot read.
if (window.parent !== window) {
  document.body.style.minHeight = "0"; // a full-screen minimum would never let it shrink
  let sent = 0;
  const send = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === sent) return;
    sent = height;
    window.parent.postMessage({ type: "archevani:height", height }, "*");
  };
  new ResizeObserver(send).observe(document.body);
  send();
}
