// End-to-end: what a person DOES with the lab. Type SQL and run it, let time carry the answer
// and the row to a follower; crash a follower from its action button; make statement-based
// replication diverge with UUID(); read the event log; reach the console by keyboard alone;
// move between inspector tabs with the arrow keys; and measure what a frame costs while playing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useLab, APP_PATH, SHOTS, button, node } from './harness.mjs';

const lab = useLab();

const openApp = () => lab.openApp();

/** Plays at `speed` for `ms` real milliseconds, then pauses. */
async function playFor(page, ms, speed = '1×') {
  await page.getByRole('radio', { name: speed, exact: true }).check();
  await button(page, 'Play').click();
  await page.waitForTimeout(ms);
  await button(page, 'Pause').click();
}

/** Presses Step until `done()` holds (at most `max` times); returns how many steps it took. */
async function stepUntil(page, done, max = 80) {
  for (let i = 0; i < max; i += 1) {
    if (await done()) return i;
    await button(page, 'Step').click();
  }
  assert.fail(`not reached after ${max} steps`);
}

test('typed SQL runs, its answer arrives as time moves, and the row reaches a follower', async () => {
  const { page, problems } = await openApp();
  const input = page.getByLabel('Statement', { exact: true });
  await input.fill("INSERT INTO orders (status, note) VALUES ('typed', 'by hand')");
  await button(page, 'Run').click();
  await assert.doesNotReject(page.locator('.pending', { hasText: 'On its way' }).waitFor({ timeout: 2_000 }));
  assert.match(await page.locator('.pending').textContent(), /sent to the leader at 0\.000 s.*Play.*Step/);
  assert.equal(await input.inputValue(), "INSERT INTO orders (status, note) VALUES ('typed', 'by hand')", 'the text is kept');
  await page.screenshot({ path: `${SHOTS}/console-sent.png` });
  const steps = await stepUntil(page, async () => (await page.locator('.answers .answer').count()) > 0);
  assert.ok(steps > 0, 'the answer needs time to arrive');
  const latest = await page.locator('.answers .answer.latest').textContent();
  assert.match(latest, /INSERT 0 1/);
  assert.match(latest, /waited for nothing \(asynchronous\)/);
  assert.equal(await page.locator('.pending').count(), 0, 'no longer on its way');
  // The follower's Rows tab shows the row once it has replayed it.
  await node(page, 'follower-1').click();
  await page.getByRole('tab', { name: 'Rows' }).click();
  await stepUntil(page, async () => (await page.locator('.rows-table td', { hasText: 'typed' }).count()) > 0);
  await page.screenshot({ path: `${SHOTS}/console-answered.png` });
  assert.deepEqual(problems, []);
});

test('a SELECT on a follower shows its rows; an unsafe statement shows MySQL\'s note', async () => {
  const { page, problems } = await openApp();
  await page.locator('#method-picker').selectOption({ label: 'Statement + context' });
  const input = page.getByLabel('Statement', { exact: true });
  await input.fill("INSERT INTO orders (status, note) VALUES ('new', UUID())");
  await button(page, 'Run').click();
  await stepUntil(page, async () => (await page.locator('.answers .answer').count()) > 0);
  assert.match(await page.locator('.answers .answer.latest .answer-warning').textContent(), /Code 1592/);
  await playFor(page, 300);
  await input.fill('SELECT id, status FROM orders');
  await page.getByLabel('Send to').selectOption({ label: 'follower-1 (read)' });
  await button(page, 'Run').click();
  await stepUntil(page, async () => (await page.locator('.answers .answer').count()) > 1);
  const latest = page.locator('.answers .answer.latest');
  assert.match(await latest.textContent(), /SELECT 1 .* from follower-1/);
  assert.deepEqual(await latest.locator('.answer-rows th').allTextContents(), ['id', 'status']);
  assert.deepEqual(await latest.locator('.answer-rows td').allTextContents(), ['1', 'new']);
  await page.screenshot({ path: `${SHOTS}/console-select.png` });
  assert.deepEqual(problems, []);
});

test('an engine error is shown next to the console, and the typed text is kept', async () => {
  const { page, problems } = await openApp();
  const input = page.getByLabel('Statement', { exact: true });
  await input.fill("UPDATE orders SET stauts = 'x' WHERE id = 1");
  await input.press('Control+Enter');
  await playFor(page, 300, '1/20×');
  await assert.doesNotReject(page.locator('.answers .answer.error').first().waitFor({ timeout: 5_000 }));
  assert.match(await page.locator('.answers .answer.error').first().textContent(), /Error: unknown column "stauts" at 1:19/);
  assert.equal(await input.inputValue(), "UPDATE orders SET stauts = 'x' WHERE id = 1");
  await page.screenshot({ path: `${SHOTS}/console-error.png` });
  assert.deepEqual(problems, []);
});

test('a follower crashes from its action button, and a crashed client is refused in words', async () => {
  const { page, problems } = await openApp();
  await node(page, 'follower-1').click();
  await page.locator('.node-actions button', { hasText: 'Crash' }).click();
  await assert.doesNotReject(node(page, 'follower-1').locator('.node-role', { hasText: 'crashed' }).waitFor({ timeout: 2_000 }));
  assert.match(await page.locator('.inspector-sub').textContent(), /crashed/);
  assert.equal(await page.locator('.node-actions button', { hasText: 'Restart' }).count(), 1, 'Restart is offered');
  assert.equal(await page.locator('.node-actions button', { hasText: 'Crash' }).count(), 0, 'Crash is not');
  await page.screenshot({ path: `${SHOTS}/crashed-follower.png` });
  // A crashed client cannot send: the lab's sentence appears next to Run.
  await node(page, 'client-1').click();
  await page.locator('.node-actions button', { hasText: 'Crash' }).click();
  await button(page, 'Run').click();
  await assert.doesNotReject(page.locator('.console .refusal', { hasText: 'client-1 is crashed: restart it first' }).waitFor({ timeout: 2_000 }));
  assert.deepEqual(problems, []);
});

test('UUID() under statement-based replication diverges: the check warns and the cell is marked', async () => {
  const { page, problems } = await openApp();
  await page.getByLabel('Method', { exact: true }).selectOption('statement-naive');
  await assert.doesNotReject(page.locator('svg.cluster g.node').first().waitFor({ timeout: 2_000 }));
  await page.getByRole('button', { name: /^Preset UUID\(\)/ }).click();
  assert.match(await page.getByLabel('Statement', { exact: true }).inputValue(), /UUID\(\)/);
  await button(page, 'Run').click();
  await playFor(page, 2_000); // at 1×, playing slows down while the statement's messages travel
  const diverged = page.locator('.check', { hasText: 'diverged rows' });
  await assert.doesNotReject(page.locator('.check.warn', { hasText: 'diverged rows' }).waitFor({ timeout: 5_000 }));
  const count = Number(await diverged.locator('.check-count').textContent());
  assert.ok(count > 0, `diverged rows ${count}`);
  assert.match(await diverged.textContent(), /warning/, 'said in words, not only in colour');
  await diverged.click();
  assert.equal(await diverged.getAttribute('aria-expanded'), 'true');
  assert.match(await page.locator('#check-details').textContent(), /follower-1 · orders id 1: note: leader \S+ ≠ \S+/);
  await node(page, 'follower-1').click();
  await page.getByRole('tab', { name: 'Rows' }).click();
  const cell = page.locator('.rows-table td.diverged').first();
  await assert.doesNotReject(cell.waitFor({ timeout: 2_000 }));
  assert.match(await cell.getAttribute('title'), /^leader has /);
  assert.match(await cell.textContent(), /≠/);
  await page.screenshot({ path: `${SHOTS}/diverged.png` });
  assert.deepEqual(problems, []);
});

test('the event log narrates the commit, emphasises the crash, and announces when stepping', async () => {
  const { page, problems } = await openApp();
  await button(page, 'Run').click();
  await playFor(page, 1_500); // at 1×, playing slows down while the statement travels
  await assert.doesNotReject(page.locator('.events .event', { hasText: 'leader committed entry 1' }).waitFor({ timeout: 2_000 }));
  await node(page, 'follower-2').click();
  await page.locator('.node-actions button', { hasText: 'Crash' }).click();
  await assert.doesNotReject(page.locator('.events .event.important', { hasText: 'follower-2 crashed' }).waitFor({ timeout: 2_000 }));
  assert.equal(await page.locator('.events .event.important strong').count() > 0, true, 'important events are bold, not only coloured');
  await button(page, 'Step').click();
  const live = page.locator('.event-log [aria-live="polite"]');
  assert.match(await live.textContent(), /^t = \d+\.\d{3} s\./);
  await page.screenshot({ path: `${SHOTS}/event-log.png` });
  assert.deepEqual(problems, []);
});

test('keyboard only: Tab to the console, type, Ctrl+Enter, then step with the keyboard', async () => {
  const { page, problems } = await openApp();
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  let reached = false;
  for (let i = 0; i < 60 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.id === 'sql-input');
  }
  assert.ok(reached, 'the statement box is reachable by Tab');
  await page.keyboard.press('Control+A');
  await page.keyboard.type("INSERT INTO orders (status) VALUES ('keys')");
  await page.keyboard.press('Control+Enter');
  await assert.doesNotReject(page.locator('.pending', { hasText: 'On its way' }).waitFor({ timeout: 2_000 }));
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'sql-input', 'focus stays in the box');
  // On to the Step button by Tab, then Enter until the answer is in.
  reached = false;
  for (let i = 0; i < 40 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.textContent?.trim() === 'Step');
  }
  assert.ok(reached, 'Step is reachable by Tab');
  for (let i = 0; i < 60 && (await page.locator('.answers .answer').count()) === 0; i += 1) {
    await page.keyboard.press('Enter');
  }
  assert.match(await page.locator('.answers .answer.latest').textContent(), /INSERT 0 1/);
  assert.deepEqual(problems, []);
});

test('inspector tabs: arrow keys move between Log, Rows and Status without moving time', async () => {
  const { page, problems } = await openApp();
  await button(page, 'Run').click();
  await playFor(page, 1_500); // at 1×, playing slows down while the statement travels
  const time = await page.locator('.clock-time').textContent();
  await page.getByRole('tab', { name: 'Rows' }).click();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByRole('tab', { name: 'Status' }).getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-status');
  assert.match(await page.getByRole('tabpanel').textContent(), /pg_stat_replication|application_name|follower-1/);
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByRole('tab', { name: 'Log' }).getAttribute('aria-selected'), 'true');
  assert.match(await page.getByRole('tabpanel').textContent(), /pg_waldump[\s\S]*rmgr: Heap/);
  assert.equal(await page.locator('.clock-time').textContent(), time, 'arrows on tabs do not step time');
  await page.screenshot({ path: `${SHOTS}/log-tab.png` });
  assert.deepEqual(problems, []);
});

test('changing the ack level is live; changing the method restarts the lab', async () => {
  const { page, problems } = await openApp();
  await button(page, 'Step').click();
  await page.getByLabel('Ack', { exact: true }).selectOption('on');
  await page.getByRole('tab', { name: 'Status' }).click();
  await assert.doesNotReject(page.getByRole('tabpanel', { hasText: "synchronous_commit = on" }).waitFor({ timeout: 2_000 }));
  assert.notEqual(await page.locator('.clock-time').textContent(), '0.000 s', 'the ack change keeps the time');
  // Back to the start: the level in force then was async, and the picker says so.
  await button(page, 'Start').click();
  assert.equal(await page.getByLabel('Ack', { exact: true }).inputValue(), 'async');
  await page.getByLabel('Method', { exact: true }).selectOption('trigger');
  // The session has an action (the ack change): the page asks first.
  await page.getByRole('alertdialog').getByRole('button', { name: 'Restart', exact: true }).click();
  assert.equal(await page.locator('.clock-time').textContent(), '0.000 s', 'a new lab starts at zero');
  await assert.doesNotReject(node(page, 'applier').waitFor({ timeout: 2_000 }));
  assert.deepEqual(problems, []);
});

test('a frame stays cheap while playing fast with data in the tables', async () => {
  const { page, problems } = await openApp();
  for (const preset of ['INSERT', 'NOW()', 'UUID()', 'UPDATE']) {
    await page.getByRole('button', { name: new RegExp(`^Preset ${preset.replace(/[()]/g, '\\$&')}`) }).click();
    await button(page, 'Run').click();
    await playFor(page, 150, '1×');
  }
  await page.getByRole('radio', { name: '10×', exact: true }).check();
  await button(page, 'Play').click();
  const frames = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const gaps = [];
        let last = performance.now();
        const until = last + 2_000;
        const frame = (now) => {
          gaps.push(now - last);
          last = now;
          if (now < until) requestAnimationFrame(frame);
          else resolve(gaps);
        };
        requestAnimationFrame(frame);
      }),
  );
  await button(page, 'Pause').click();
  const sorted = [...frames].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const p95 = sorted[Math.floor(sorted.length * 0.95)];
  const worst = sorted.at(-1);
  console.log(`frames while playing at 10x: ${frames.length} in 2 s, median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, worst ${worst.toFixed(1)} ms`);
  assert.ok(median < 50, `median frame ${median} ms`);
  // A step always recomputes the details (checks, events, two inspections) and re-renders:
  // the dearest thing a frame can do. Time 100 of them, each let through to its render.
  const clockBefore = await page.locator('.clock-time').textContent();
  const perStep = await page.evaluate(async () => {
    const yieldOnce = () => new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(null);
    });
    document.body.focus();
    const t0 = performance.now();
    for (let i = 0; i < 100; i += 1) {
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
      await yieldOnce();
    }
    return (performance.now() - t0) / 100;
  });
  console.log(`one step (details recomputed, DOM updated): ${perStep.toFixed(2)} ms on average`);
  assert.notEqual(await page.locator('.clock-time').textContent(), clockBefore, 'the steps moved time');
  assert.ok(perStep < 16, `a step fits in a frame (${perStep} ms)`);
  assert.deepEqual(problems, []);
});

test('dark scheme and a narrow screen: everything stays readable and nothing overflows sideways', async () => {
  const { page, problems } = await lab.open('about:blank');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(lab.server.base + APP_PATH);
  await page.locator('svg.cluster g.node').first().waitFor({ timeout: 15_000 });
  await page.getByLabel('Method', { exact: true }).selectOption('statement-naive');
  await page.getByRole('button', { name: /^Preset UUID\(\)/ }).click();
  await button(page, 'Run').click();
  await playFor(page, 500);
  await node(page, 'follower-2').click();
  await page.getByRole('tab', { name: 'Rows' }).click();
  await page.locator('.check', { hasText: 'diverged rows' }).click();
  await page.screenshot({ path: `${SHOTS}/dark.png` });
  await page.getByRole('tab', { name: 'Status' }).click();
  await page.screenshot({ path: `${SHOTS}/dark-status.png` });
  await page.setViewportSize({ width: 700, height: 900 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling at 700 px (${overflow} px too wide)`);
  await page.screenshot({ path: `${SHOTS}/narrow.png`, fullPage: true });
  assert.deepEqual(problems, []);
});

test('a failover loses an acknowledged write: cut the links, write, crash the leader, and the check says which', async () => {
  const { page, problems } = await openApp();
  await node(page, 'leader').click();
  await page.locator('.link-actions summary').click();
  await button(page, 'Cut link to follower-1').click();
  await button(page, 'Cut link to follower-2').click();
  assert.match(await page.locator('.link-actions summary').textContent(), /some cut/);
  await button(page, 'Step').click();
  await page.getByRole('button', { name: /^Preset INSERT/ }).click();
  await button(page, 'Run').click();
  await playFor(page, 1_500); // at 1×, playing slows down while the statement and its answer travel
  assert.match(await page.locator('.answers .answer.latest').textContent(), /INSERT 0 1/, 'the client was told: committed');
  await node(page, 'leader').click();
  await page.locator('.node-actions button', { hasText: 'Crash' }).click();
  await playFor(page, 1_500, '10×');
  await assert.doesNotReject(page.locator('.events .event.important', { hasText: 'promoted to leader' }).waitFor({ timeout: 2_000 }));
  const lost = page.locator('.check', { hasText: 'lost acked writes' });
  await assert.doesNotReject(page.locator('.check.warn', { hasText: 'lost acked writes' }).waitFor({ timeout: 2_000 }));
  await lost.click();
  assert.match(await page.locator('#check-details').textContent(), /client-1: INSERT INTO orders .* in no serving leader's history/);
  await page.screenshot({ path: `${SHOTS}/lost-write.png` });
  assert.deepEqual(problems, []);
});

test('a link on the diagram is cut and healed by clicking it or from the keyboard', async () => {
  const { page, problems } = await openApp();
  const link = page.locator('g.link-control[aria-label^="link leader – follower-1"]');
  assert.match(await link.getAttribute('aria-label'), /connected: press to cut it/);
  await link.locator('.link-hit').click();
  await assert.doesNotReject(
    page.locator('g.link-control[aria-label^="link leader – follower-1, cut"]').waitFor({ timeout: 2_000 }),
  );
  assert.equal(await page.locator('g.link-control .link.cut').count(), 1, 'drawn dashed and marked ✕');
  await page.screenshot({ path: `${SHOTS}/link-cut.png` });
  const cutLink = page.locator('g.link-control[aria-label^="link leader – follower-1"]');
  await cutLink.focus();
  await page.keyboard.press('Enter');
  await assert.doesNotReject(
    page.locator('g.link-control[aria-label^="link leader – follower-1, connected"]').waitFor({ timeout: 2_000 }),
  );
  assert.deepEqual(problems, []);
});

test('cutting a leader off from the other servers keeps its clients; the clients are a separate choice', async () => {
  const { page, problems } = await openApp();
  await node(page, 'leader').click();
  await page.locator('.link-actions summary').click();
  const state = async (other) =>
    (await page.locator('.link-list li', { hasText: `leader – ${other}` }).locator('.link-state').textContent()).trim();
  await button(page, 'Cut leader off from the other servers').click();
  for (const other of ['follower-1', 'follower-2', 'follower-3', 'etcd']) {
    assert.equal(await state(other), '✕ cut', `leader – ${other} is cut`);
  }
  for (const other of ['client-1', 'client-2']) {
    assert.equal(await state(other), 'connected', `leader – ${other} stays connected`);
  }
  await button(page, 'Cut its clients off').click();
  assert.equal(await state('client-1'), '✕ cut', 'the clients are cut on request');
  await button(page, 'Heal all its links').click();
  assert.equal(await state('etcd'), 'connected');
  assert.equal(await state('client-2'), 'connected');
  assert.deepEqual(problems, []);
});

test('the spare joins from a base backup while writes go on, then streams', async () => {
  const { page, problems } = await openApp();
  const input = page.getByLabel('Statement', { exact: true });
  await input.fill("INSERT INTO orders (status, note) VALUES ('new', 'a'), ('new', 'b'), ('new', 'c')");
  await button(page, 'Run').click();
  await playFor(page, 300, '1/20×');
  await node(page, 'follower-3').click();
  await page.locator('.node-actions button', { hasText: 'Join' }).click();
  await assert.doesNotReject(
    page.locator('svg.cluster g.node[aria-label^="follower-3,"]', { hasText: 'base backup' }).waitFor({ timeout: 3_000 }),
  );
  await page.screenshot({ path: `${SHOTS}/join-backup.png` });
  await playFor(page, 1_500, '1/20×');
  assert.match(await node(page, 'follower-3').getAttribute('aria-label'), /streaming/);
  await page.getByRole('tab', { name: 'Rows' }).click();
  assert.equal(await page.locator('.rows-table tbody tr').count(), 3, 'the rows arrived with the backup');
  await page.screenshot({ path: `${SHOTS}/join-streaming.png` });
  assert.deepEqual(problems, []);
});

test('a commit held for a crashed synchronous standby waits, and a cancel returns it with the warning', async () => {
  const { page, problems } = await openApp();
  await page.getByLabel('Ack', { exact: true }).selectOption('on');
  await node(page, 'follower-1').click();
  await page.locator('.node-actions button', { hasText: 'Crash' }).click();
  await page.getByLabel('Statement', { exact: true }).fill("INSERT INTO orders (status, note) VALUES ('new', 'held')");
  await button(page, 'Run').click();
  await playFor(page, 500, '1/20×');
  assert.equal(await page.locator('.answers .answer').count(), 0, 'held (SyncRep)');
  assert.match(await page.locator('.checks').textContent(), /blocked commits\s*1/);
  await page.locator('button.cancel-wait').click();
  await stepUntil(page, async () => (await page.locator('.answers .answer').count()) > 0);
  assert.match(
    await page.locator('.answers .answer.latest .answer-warning').textContent(),
    /canceling wait for synchronous replication/,
  );
  await page.screenshot({ path: `${SHOTS}/cancel-wait.png` });
  assert.deepEqual(problems, []);
});
