// The start page: offer to continue when this browser holds answers for the election.
const $ = (id) => document.getElementById(id);
const data = JSON.parse($("start-data").textContent);

import(new URL(data.answers, document.baseURI).href).then(({ loadAnswers, clearAnswers }) => {
  const answers = loadAnswers(data.election).answers;
  const n = data.statements.filter((id) => id in answers).length;
  const toggle = (resume) => {
    $("start-resume").hidden = !resume;
    $("start-new").hidden = resume;
  };
  if (!n) return;
  $("resume-count").textContent = data.answered.replace("{n}", n).replace("{total}", data.statements.length);
  toggle(true);
  $("resume-clear").addEventListener("click", () => {
    if (!confirm(data.confirm)) return;
    clearAnswers(data.election);
    toggle(false);
    $("start-new").querySelector("a").focus();
  });
});
