/**
 * `npm run eval:answers [-- --cases]`: grades the public evaluation set (content/answer-eval/) and
 * prints, per kind and language, the confusion matrix of verdicts (rows: the grader; columns: the
 * checker), agreement, free-text key-point agreement and false accepts. --cases lists every
 * disagreement.
 */
import { evaluateAnswerSet, VERDICTS } from '../content/answer-eval/evaluate';

const { results, tallies } = evaluateAnswerSet();
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const zh = results.filter((r) => r.case.lang === 'zh').length;
console.log(
  `${results.length} answers to ${new Set(results.map((r) => r.case.question)).size} cards, ${zh} in Chinese (${pct(zh / results.length)}).`,
);
for (const [key, t] of Object.entries(tallies).sort(([a], [b]) => a.localeCompare(b))) {
  console.log(
    `\n## ${key}: ${t.cases} answers, agreement ${pct(t.agreement)}${t.pointAgreement !== undefined ? `, key points ${pct(t.pointAgreement)}` : ''}, false accepts ${t.falseAccepts} of ${t.wrongAnswers} wrong (${pct(t.falseAccepts / Math.max(1, t.wrongAnswers))})`,
  );
  console.log(`  grader \\ checker  ${VERDICTS.map((v) => v.padStart(8)).join('')}`);
  for (const g of VERDICTS) console.log(`  ${g.padEnd(17)}${VERDICTS.map((o) => String(t.matrix[g][o]).padStart(8)).join('')}`);
}
if (process.argv.includes('--cases')) {
  console.log('\n## Disagreements');
  for (const r of results) {
    const pointsOff = r.points && r.points.agree < r.points.total;
    if (r.ours === r.case.verdict && !pointsOff) continue;
    console.log(
      `- ${r.case.question} [${r.case.lang}] grader ${r.case.verdict}${r.case.points ? ` ${JSON.stringify(r.case.points)}` : ''}, checker ${r.ours}${r.points ? ` ${JSON.stringify(r.points.credited)}` : ''}: ${r.case.answer || JSON.stringify(r.case.select)}\n    ${r.message}`,
    );
  }
}
