// axe-core (from npm, installed by scripts/setup.sh) run inside a page or frame: the findings
// a screen-reader or keyboard user would hit first, serious and critical ones.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe on `target` (a playwright Page or Frame); returns its serious and critical findings, one line each. */
export async function seriousFindings(target) {
  if (!(await target.evaluate(() => 'axe' in window))) {
    await target.addScriptTag({ content: AXE_SOURCE });
  }
  const violations = await target.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(1, 2).join('').trim()}`),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} — ${n}`));
}
