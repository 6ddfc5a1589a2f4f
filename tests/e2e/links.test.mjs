// End-to-end: links. A link copied with "Copy link" and opened in a new page shows the same
// view — the same nodes and states, the same time, the same events; "Copy embed snippet"
// offers a sandboxed, titled iframe; a malformed link opens the default lab with a notice
// saying what was wrong, never a blank page. Zero console errors throughout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useLab, APP_PATH, SHOTS, button, node } from './harness.mjs';

const lab = useLab();

/** What the page shows, in words: nodes, the clock, the caption, the event log, the checks, the marks. */
async function view(page) {
  return {
    nodes: await page.locator('svg.cluster g.node').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label'))),
    clock: await page.locator('.transport').getByRole('slider', { name: 'Timeline' }).inputValue(),
    caption: await page.locator('.caption').innerText(),
    events: await page.locator('.event-log .events').innerText(),
    checks: await page.locator('.checks').innerText(),
    marks: await page.locator('.timeline-track .mark').count(),
  };
}

async function copied(page, name) {
  await page.getByRole('button', { name }).click();
  const field = page.locator('.share-field');
  await field.waitFor();
  await page.locator('.share-status', { hasText: /copied|Ctrl\+C/ }).waitFor({ timeout: 3_000 });
  return field.inputValue();
}

test('a copied link reopens the same view', async () => {
  const { page, problems } = await lab.openApp();
  await page.getByLabel('Statement', { exact: true }).fill("INSERT INTO orders (status) VALUES ('linked')");
  await button(page, 'Run').click();
  for (let i = 0; i < 6; i += 1) await button(page, 'Step').click();
  await node(page, 'leader').click();
  await page.locator('.node-actions button', { hasText: 'Crash' }).click();
  for (let i = 0; i < 3; i += 1) await button(page, 'Step').click();
  const before = await view(page);
  const link = await copied(page, 'Copy link');
  assert.match(link, new RegExp(`^${lab.server.base}${APP_PATH}#state=[A-Za-z0-9_-]+$`));
  assert.ok(link.length < 1_000, `a short link: ${link.length} chars`);

  const reopened = await lab.open(link);
  await reopened.page.locator('svg.cluster g.node').first().waitFor({ timeout: 20_000 });
  const after = await view(reopened.page);
  assert.deepEqual(after, before, 'the same nodes, time, events and marks');
  assert.equal(await reopened.page.locator('.prompt-notice').count(), 0, 'no notice');
  await reopened.page.screenshot({ path: `${SHOTS}/link-reopened-1280x800.png` });

  const snippet = await copied(page, 'Copy embed snippet');
  assert.match(snippet, /^<iframe src="[^"]*\?embed=1#state=[A-Za-z0-9_-]+" title="Replication Lab" sandbox="allow-scripts"/);
  assert.deepEqual(problems, []);
  assert.deepEqual(reopened.problems, []);
});

test('a malformed link opens the default lab with a notice saying what was wrong', async () => {
  for (const [state, why] of [
    ['eyJ2Ij<script>alert(1)</script>', /not base64url/],
    ['eyJ2IjoyfQ', /from a newer lab/],
    ['eyJ2IjoxLCJzIjoxLCJtIjoid2FsIiwiYWNrIjoiYXN5bmMiLCJmIjp0cnVlLCJhIjpbeyJ0IjowLCJhIjp7ImNyYXNoIjo5OX19XSwidCI6MH0', /action 1 \(at 0\.000 s\) was refused/],
  ]) {
    const { page, problems } = await lab.open(`${lab.server.base}${APP_PATH}#state=${state}`);
    await page.locator('svg.cluster g.node').first().waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('svg.cluster g.node').count(), 7, 'the default lab');
    const notice = page.locator('.prompt-notice');
    await notice.waitFor();
    const text = await notice.innerText();
    assert.match(text, /This link could not be opened/);
    assert.match(text, why);
    assert.equal(await page.locator('script', { hasText: 'alert' }).count(), 0);
    if (why.source.includes('base64url')) await page.screenshot({ path: `${SHOTS}/link-malformed-1280x800.png` });
    assert.deepEqual(problems, []);
  }
});
