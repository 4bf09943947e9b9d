// The start page: offer to continue when this browser holds answers for the election.
const $ = (id) => document.getElementById(id);
const data = JSON.parse($("start-data").textContent);

import(new URL(data.answers, document.baseURI).href).then(({ loadAnswers, clearAnswers }) => {
  const answers = loadAnswers(data.election).answers;
  const n = data.statements.filter((id) => id in answers).length;
  const toggle = (resume) => {
    $("start-resume").hidden = !resume;
    $("start-new").hidden = resume;
    $("start-quick").hidden = resume;
  };
  if (!n) return;
  // quick mode marks the answers it kept (quick.js): continue there
  let quick = null;
  try { quick = localStorage.getItem(`vaa:quick:${data.election}`); } catch (_) { /* no storage */ }
  if (quick) $("start-resume").querySelector(".button--big").href = data.quick;
  // Say which mode "continue" goes back to.
  $("resume-count").textContent = `${data.answered.replace("{n}", n).replace("{total}", data.statements.length)} ${quick ? data.modeQuick : data.modeAll}`;
  toggle(true);
  $("resume-clear").addEventListener("click", () => {
    if (!confirm(data.confirm)) return;
    clearAnswers(data.election);
    try { localStorage.removeItem(`vaa:quick:${data.election}`); } catch (_) { /* no storage */ }
    toggle(false);
    $("start-new").querySelector("a").focus();
  });
});
