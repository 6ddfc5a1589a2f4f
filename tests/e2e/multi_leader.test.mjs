// End-to-end: multi-leader replication in the page. Choose "multi-leader", a resolver and a
// topology; make a conflict by hand (a row everywhere, the link between two leaders cut, the
// same row written from a client of each, the link healed); see it flagged in the conflicts
// panel (its kind, both versions, what the resolver did, what was lost) and counted by the
// live check "writes lost to conflict resolution"; change the topology live and watch the
// links change. A client's statement runs on another leader; a leader offers crash and
// restart only. Screenshots at 1280x800, 390x844 and 480x320; axe-clean; no console errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useLab, APP_PATH, SHOTS, button, node } from './harness.mjs';
import { seriousFindings } from './axe.mjs';

const lab = useLab();

/** The diagram's link from `a` to `b`, by its button name. */
const link = (page, a, b) => page.locator(`g.link-control[aria-label^="link ${a} → ${b},"]`);

/** Presses Step until `done()` holds (at most `max` times). */
async function stepUntil(page, done, max = 120) {
  for (let i = 0; i < max; i += 1) {
    if (await done()) return i;
    await button(page, 'Step').click();
  }
  assert.fail(`not reached after ${max} steps`);
}

/** Runs `sql` from `client` (on `target`, or the client's nearby leader). */
async function run(page, client, sql, target = 'default') {
  await page.getByLabel('Client', { exact: true }).selectOption({ label: client });
  await page.getByLabel('Send to').selectOption(target);
  await page.getByLabel('Statement', { exact: true }).fill(sql);
  await button(page, 'Run').click();
}

/** Whether `server`'s Rows tab shows a cell with `text`. */
async function hasCell(page, server, text) {
  await node(page, server).click();
  await page.getByRole('tab', { name: 'Rows' }).click();
  return (await page.locator('.rows-table td', { hasText: text }).count()) > 0;
}

/** The smallest diagram text on screen (px), and whether the page is wider than the viewport. */
function measure(page) {
  return page.evaluate(() => {
    const svg = document.querySelector('svg.cluster');
    const scale = svg.getScreenCTM().a;
    const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() !== '');
    const smallest = Math.min(...texts.map((t) => parseFloat(getComputedStyle(t).fontSize) * scale));
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > innerWidth + 1 && e.getClientRects().length > 0)
      .slice(0, 5)
      .map((e) => `${e.tagName}.${e.className?.baseVal ?? e.className}`);
    return { smallest, wide: document.scrollingElement.scrollWidth > innerWidth ? wide : [] };
  });
}

async function multiLeader(page) {
  await page.getByLabel('Replication', { exact: true }).selectOption('multi-leader');
  await node(page, 'leader-c').waitFor({ timeout: 5_000 });
}

test('a conflict made by hand is flagged, resolved by last write wins, and its lost write counted', async () => {
  const { page, problems } = await lab.openApp();
  await multiLeader(page);
  assert.equal(await page.locator('svg.cluster g.node').count(), 6, 'three leaders, three clients');
  assert.equal(await page.locator('#method-picker').count(), 0, 'no method picker');
  assert.match(await page.locator('#family-note').innerText(), /method, fencing, ack: single-leader only/);
  assert.equal(await page.locator('.datacenter').count(), 3, 'a datacenter per leader');
  // A resolver by a click, then back to last write wins by the keyboard.
  await page.getByLabel('Resolver', { exact: true }).selectOption('highest replica id wins');
  await page.locator('.event-log').waitFor();
  assert.equal(await page.getByLabel('Resolver', { exact: true }).inputValue(), 'highest replica id wins');
  await page.getByLabel('Resolver', { exact: true }).focus();
  await page.keyboard.press('ArrowUp');
  await page.waitForFunction(() => document.getElementById('resolver-picker').value === 'last write wins');
  // The topology: a ring, each leader sending to the next.
  await page.getByLabel('Topology', { exact: true }).selectOption('circular');
  await link(page, 'leader-c', 'leader-a').waitFor({ timeout: 2_000 });
  assert.equal(await page.locator('.link-arrow').count(), 3, 'a ring of three directed links');
  assert.equal(await link(page, 'leader-a', 'leader-b').count(), 1);
  assert.equal(await link(page, 'leader-b', 'leader-c').count(), 1);
  assert.equal(await link(page, 'leader-b', 'leader-a').count(), 0, 'not back the other way');
  assert.match(await node(page, 'leader-a').getAttribute('aria-label'), /sends circular/);

  // A row, everywhere.
  await run(page, 'client-a', "INSERT INTO orders (id, status) VALUES (1, 'new')");
  await stepUntil(page, () => hasCell(page, 'leader-c', 'new'));
  await stepUntil(page, () => hasCell(page, 'leader-b', 'new'));
  // Cut the link between leader-a and leader-b (a click on the diagram), write row 1 at both.
  await link(page, 'leader-a', 'leader-b').click();
  await page.locator('g.link-control[aria-label^="link leader-a → leader-b, cut"]').waitFor({ timeout: 2_000 });
  await run(page, 'client-a', "UPDATE orders SET status = 'paid' WHERE id = 1");
  for (let i = 0; i < 4; i += 1) await button(page, 'Step').click();
  await run(page, 'client-b', "UPDATE orders SET status = 'cancelled' WHERE id = 1");
  await stepUntil(page, async () => (await page.locator('.answers .answer.latest', { hasText: 'UPDATE 1' }).count()) > 0);
  assert.equal(await page.locator('.conflict').count(), 0, 'no conflict while cut off');
  // Heal: the changes cross, and the leaders meet the concurrent versions.
  await link(page, 'leader-a', 'leader-b').click();
  await page.locator('g.link-control[aria-label^="link leader-a → leader-b, connected"]').waitFor({ timeout: 2_000 });
  await stepUntil(page, async () => (await page.locator('.conflict').count()) >= 3);
  await page.getByRole('radio', { name: '1×', exact: true }).check();
  await button(page, 'Play').click();
  await page.waitForTimeout(1_500);
  await button(page, 'Pause').click();

  const panel = page.locator('section.conflicts');
  const newest = panel.locator('.conflict').first();
  const text = await newest.innerText();
  assert.match(text, /⚠/, 'flagged by an icon');
  assert.match(text, /Conflict update_origin_differs on orders id 1 · detected by leader-\w/);
  assert.match(text, /leader-a #2 .*committed \S+ by leader-a's clock: \(1, 'paid'/);
  assert.match(text, /leader-b #1 .*committed \S+ by leader-b's clock: \(1, 'cancelled'/);
  assert.match(text, /Resolved: last write wins: kept leader-b #1/);
  assert.match(text, /✕ lost: leader-a #2/);
  assert.match(await panel.locator('h2').innerText(), /Conflicts \(3\)/);
  // The live checks: one write lost, conflicts counted, nothing held, the leaders agree.
  const lost = page.locator('.check', { hasText: 'writes lost to conflict resolution' });
  assert.equal(await lost.locator('.check-count').innerText(), '1');
  assert.match(await lost.innerText(), /warning/, 'said in words, not only in colour');
  await lost.click();
  assert.match(await page.locator('#check-details').innerText(), /leader-a #2: orders id 1 — discarded at leader-\w \(update_origin_differs\)/);
  assert.equal(await page.locator('.check', { hasText: 'conflicts detected' }).locator('.check-count').innerText(), '3');
  assert.equal(await page.locator('.check', { hasText: 'changes held' }).locator('.check-count').innerText(), '0');
  assert.equal(await page.locator('.check', { hasText: 'rows differ between leaders' }).locator('.check-count').innerText(), '0');
  for (const leader of ['leader-a', 'leader-b', 'leader-c']) {
    assert.ok(await hasCell(page, leader, 'cancelled'), `${leader} keeps the last write`);
  }
  // The panel is a keyboard stop.
  await panel.locator('.conflict-list').focus();
  assert.equal(await page.evaluate(() => document.activeElement.className), 'conflict-list');
  await page.screenshot({ path: `${SHOTS}/multi-leader-conflict-1280x800.png` });

  // The topology changes live: all-to-all, six directed links.
  await page.getByLabel('Topology', { exact: true }).selectOption('all-to-all');
  await link(page, 'leader-b', 'leader-a').waitFor({ timeout: 2_000 });
  assert.equal(await page.locator('.link-arrow').count(), 6);
  assert.match(await node(page, 'leader-b').getAttribute('aria-label'), /sends all-to-all/);
  await page.screenshot({ path: `${SHOTS}/multi-leader-all-to-all-1280x800.png` });

  for (const [width, height] of [[390, 844], [480, 320]]) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${SHOTS}/multi-leader-${width}x${height}.png` });
    const m = await measure(page);
    assert.ok(m.smallest >= 11.95, `at ${width} x ${height} the diagram's text is ${m.smallest.toFixed(1)} px`);
    assert.deepEqual(m.wide, [], `nothing wider than ${width} px`);
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/multi-leader-conflicts-390x844.png` });
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.deepEqual(await seriousFindings(page), [], 'axe after the session');
  assert.deepEqual(problems, []);
});

test('a statement runs on another leader; a leader offers crash and restart only; a change asks first', async () => {
  const { page, problems } = await lab.openApp();
  await multiLeader(page);
  await run(page, 'client-a', "INSERT INTO orders (id, status) VALUES (7, 'far')", 'leader-c');
  await stepUntil(page, async () => (await page.locator('.answers .answer.latest').count()) > 0);
  assert.match(await page.locator('.answers .answer.latest').innerText(), /INSERT 0 1 .* from leader-c/);
  await node(page, 'leader-b').click();
  const actions = await page.locator('.node-actions .action-row').first().locator('button').allInnerTexts();
  assert.deepEqual(actions.map((a) => a.split(':')[0].trim()), ['Crash']);
  await page.locator('.node-actions button', { hasText: 'Crash' }).click();
  await page.locator('.node-actions button', { hasText: 'Restart' }).waitFor({ timeout: 2_000 });
  // A new lab when the session has actions asks first; cancelling keeps everything.
  await page.getByLabel('Leaders', { exact: true }).selectOption('2');
  await page.locator('.prompt').waitFor({ timeout: 2_000 });
  assert.match(await page.locator('.prompt').innerText(), /multi-leader replication \(2 leaders/);
  await page.keyboard.press('Escape');
  assert.equal(await page.getByLabel('Leaders', { exact: true }).inputValue(), '3');
  assert.equal(await page.locator('svg.cluster g.node').count(), 6);
  // Back to single-leader: the page of today.
  await page.getByLabel('Replication', { exact: true }).selectOption('single-leader');
  await page.locator('.prompt-button').first().click();
  await node(page, 'follower-1').waitFor({ timeout: 5_000 });
  assert.equal(await page.locator('#method-picker').count(), 1);
  assert.equal(await page.locator('section.conflicts').count(), 0);
  assert.equal(await page.locator('.link-arrow, .datacenter').count(), 0);
  assert.deepEqual(problems, []);
});

test('a multi-leader lab\'s copied link reopens as multi-leader', async () => {
  const { page, problems } = await lab.openApp();
  await multiLeader(page);
  await page.getByLabel('Topology', { exact: true }).selectOption('star');
  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.waitForFunction(() => document.querySelector('.share-field') || document.querySelector('.share-status')?.textContent);
  const copied = await page.locator('.share-field').inputValue();
  const reopened = await lab.open(copied);
  await node(reopened.page, 'leader-c').waitFor({ timeout: 20_000 });
  assert.equal(await reopened.page.getByLabel('Replication', { exact: true }).inputValue(), 'multi-leader');
  assert.equal(await reopened.page.getByLabel('Topology', { exact: true }).inputValue(), 'star');
  assert.deepEqual(problems, []);
  assert.deepEqual(reopened.problems, []);
});

test('a multi-leader lesson opened by a link shows the multi-leader page at its step', async () => {
  const { page, problems } = await lab.open(`${lab.server.base}${APP_PATH}?lesson=multi-leader-conflict&step=5`);
  await node(page, 'leader-b').waitFor({ timeout: 20_000 });
  assert.equal(await page.getByLabel('Replication', { exact: true }).inputValue(), 'multi-leader');
  // The lesson's last step: both leaders kept 'paid', the later cancel was lost.
  await page.locator('.conflict', { hasText: 'update_origin_differs' }).first().waitFor({ timeout: 10_000 });
  const checks = await page.locator('.checks').innerText();
  assert.match(checks, /writes lost to conflict resolution\s*1/);
  const conflicts = await page.locator('.conflicts').innerText();
  assert.match(conflicts, /lost: leader-b #1/, 'the cancel, written last by a clock 2 s behind, was lost');
  await page.screenshot({ path: `${SHOTS}/multi-leader-lesson-1280x800.png` });
  assert.deepEqual(problems, []);
});
