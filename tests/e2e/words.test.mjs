// End-to-end: one source of truth for each state word, and the cancel warning shown whole.
// On sampled frames while a follower is crashed, restarted and catching up, the node's state
// on the diagram, the live checks' line and the inspector's "Now:" line say the same words;
// "caught up" reaches the event log at the step the node turns to "streaming". Under
// synchronous commit, cancelling a client's wait answers with PostgreSQL's WARNING and DETAIL
// lines: both are on screen whole (inside the viewport and the console, not clipped) and in
// the event log. Screenshots at 1280x800, 390x844 and 480x320.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useLab, APP_PATH, SHOTS, button, node } from './harness.mjs';

const lab = useLab();
const openAt = (width, height) => lab.openAt(width, height);

const WARNING = 'WARNING:  canceling wait for synchronous replication due to user request';
const DETAIL =
  'DETAIL:  The transaction has already committed locally, but might not have been replicated to the standby.';

async function playFor(page, ms, speed = '1×') {
  await page.getByRole('radio', { name: speed, exact: true }).check();
  await button(page, 'Play').click();
  await page.waitForTimeout(ms);
  await button(page, 'Pause').click();
}

async function stepUntil(page, done, max = 80) {
  for (let i = 0; i < max; i += 1) {
    if (await done()) return i;
    await button(page, 'Step').click();
  }
  assert.fail(`not reached after ${max} steps`);
}

/** Does `action` ('Crash', 'Restart') on node `name` from the inspector. */
async function act(page, name, action) {
  await node(page, name).click();
  await page.locator('.node-actions button', { hasText: action }).click();
}

/** Where `el` is drawn, and every box that could clip it: the viewport and each ancestor that
 * hides or scrolls its overflow. */
function clipping(el) {
  return el.evaluate((e) => {
    const r = e.getBoundingClientRect();
    const boxes = [{ what: 'viewport', top: 0, left: 0, bottom: innerHeight, right: innerWidth }];
    for (let a = e.parentElement; a; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (`${style.overflowX}${style.overflowY}` !== 'visiblevisible' && a !== document.documentElement && a !== document.body) {
        const b = a.getBoundingClientRect();
        boxes.push({ what: a.className || a.tagName, top: b.top, left: b.left, bottom: b.bottom, right: b.right });
      }
    }
    const box = { top: r.top, left: r.left, bottom: r.bottom, right: r.right };
    const clippedBy = boxes
      .filter((b) => box.top < b.top - 1 || box.left < b.left - 1 || box.bottom > b.bottom + 1 || box.right > b.right + 1)
      .map((b) => b.what);
    return { box, clippedBy };
  });
}

for (const [width, height] of [[1280, 800], [390, 844], [480, 320]]) {
  test(`at ${width} x ${height} a cancelled synchronous wait shows PostgreSQL's warning whole, and the event log has it`, async () => {
    const { page, problems } = await openAt(width, height);
    await page.getByLabel('Ack', { exact: true }).selectOption('on');
    await act(page, 'follower-1', 'Crash');
    await page.getByLabel('Statement', { exact: true }).fill("INSERT INTO orders (status, note) VALUES ('new', 'held')");
    await button(page, 'Run').click();
    await playFor(page, 500, '1/20×');
    assert.equal(await page.locator('.answers .answer').count(), 0, 'held (SyncRep)');
    await page.locator('button.cancel-wait').click();
    await stepUntil(page, async () => (await page.locator('.answers .answer').count()) > 0);
    const warning = page.locator('.answers .answer.latest .answer-warning');
    const text = await warning.textContent();
    assert.ok(text.includes(WARNING), text);
    assert.ok(text.includes(DETAIL), text);
    if (width < 1000) {
      // On a phone the page scrolls (the console is below the diagram): scroll the page, as a
      // reader does; the console itself must not clip it.
      await page.evaluate(() => {
        const r = document.querySelector('.answers .answer.latest').getBoundingClientRect();
        window.scrollBy(0, r.bottom - innerHeight + 8);
      });
    }
    const { box, clippedBy } = await clipping(warning);
    assert.deepEqual(clippedBy, [], `the warning at ${JSON.stringify(box)} is cut off`);
    assert.ok(box.bottom - box.top > 30, 'both lines are drawn');
    await page.screenshot({ path: `${SHOTS}/words-cancel-warning-${width}x${height}.png` });
    const events = await page.locator('.events').textContent();
    assert.ok(events.includes(`client-1: ${WARNING}`), events);
    assert.ok(events.includes(DETAIL), events);
    assert.deepEqual(problems, []);
  });
}

/** What a replica's node, the checks' line and the inspector say of it on this frame. */
async function words(page, name) {
  await node(page, name).click();
  const state = (await node(page, name).locator('text.node-state').allTextContents()).join(' ');
  const line = (await page.locator('.lagging').count()) > 0 ? await page.locator('.lagging').textContent() : '';
  const checks = line.replace(/^replicas: /, '').split('; ').find((item) => item.startsWith(`${name} `)) ?? null;
  await page.getByRole('tab', { name: 'Status' }).click();
  const now = await page.locator('.replica-progress-line').textContent();
  return { state, checks, now };
}

function assertAgree(name, { state, checks, now }, at) {
  const where = `${name} at ${at}`;
  if (checks === null) {
    assert.ok(state === 'streaming' || state.startsWith('empty spare'), `${where}: "${state}" missing from the checks' line`);
  } else {
    assert.equal(checks, `${name} ${state}`, `${where}: the checks' line`);
  }
  assert.ok(now.startsWith(`Now: ${state}`), `${where}: the inspector says "${now}", the node "${state}"`);
  assert.ok(!/catching up/.test(state) || !/crashed/.test(checks ?? ''), where);
}

for (const [width, height] of [[1280, 800], [390, 844], [480, 320]]) test(`at ${width} x ${height} on sampled frames the node, the checks line and the inspector say the same words; caught up is said when it happens`, async () => {
  const { page, problems } = await openAt(width, height);
  await act(page, 'follower-1', 'Crash');
  const input = page.getByLabel('Statement', { exact: true });
  for (let i = 0; i < 6; i += 1) {
    await input.fill(`INSERT INTO orders (status, note) VALUES ('new', 'w${i}')`);
    await button(page, 'Run').click();
    await playFor(page, 150, '1/20×');
  }
  const seen = new Set();
  const sample = async () => {
    const at = (await page.locator('.clock-time').textContent()).trim();
    for (const name of ['follower-1', 'follower-2']) {
      const w = await words(page, name);
      assertAgree(name, w, at);
      seen.add(w.state.replace(/, \d+ behind/, ''));
    }
    return words(page, 'follower-1');
  };
  const crashed = await sample();
  assert.equal(crashed.state, 'crashed');
  assert.equal(crashed.checks, 'follower-1 crashed', 'listed as crashed, not catching up');
  await page.screenshot({ path: `${SHOTS}/words-crashed-${width}x${height}.png` });
  await act(page, 'follower-1', 'Restart');
  let before = crashed.state;
  let turned = false;
  for (let i = 0; i < 60 && !turned; i += 1) {
    await button(page, 'Step').click();
    const now = await sample();
    if (/catching up/.test(now.state)) {
      await page.screenshot({ path: `${SHOTS}/words-catching-up-${width}x${height}.png` });
      const log = await page.locator('.events').textContent();
      assert.ok(!log.includes('follower-1 caught up'), `"caught up" said while it still catches up: ${log}`);
    }
    if (/catching up/.test(before) && /^streaming/.test(now.state)) {
      turned = true;
      const newest = await page.locator('.events li').first().textContent();
      const log = await page.locator('.events').textContent();
      assert.ok(log.includes('follower-1 caught up'), `the event log says it caught up: ${newest}`);
    }
    before = now.state;
  }
  assert.ok(seen.has('catching up'), `the follower was seen catching up: ${[...seen]}`);
  assert.ok(turned, `the follower turned from catching up to streaming: ${[...seen]}`);
  assert.deepEqual(problems, []);
});
