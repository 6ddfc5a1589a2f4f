// End-to-end: the lab behaves and speaks like the databases it names. Two clients interleave
// transactions (different rows commit side by side; the same row waits on a lock, shown in
// pg_stat_activity); the status tab speaks MySQL under statement-based replication; a crashed
// server refuses a connection at once; the coordination service (etcd) is on the diagram and
// can be crashed like any node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useLab, SHOTS, button, node } from './harness.mjs';

const lab = useLab();

/** Sends `sql` from `client` (to the leader unless `target` names a read target). */
async function send(page, client, sql, target) {
  await page.getByLabel('Client', { exact: true }).selectOption({ label: client });
  if (target) await page.getByLabel('Send to').selectOption({ label: target });
  await page.getByLabel('Statement', { exact: true }).fill(sql);
  await button(page, 'Run').click();
}

/** Presses Step until `done()` holds (at most `max` times). */
async function stepUntil(page, done, max = 120) {
  for (let i = 0; i < max; i += 1) {
    if (await done()) return i;
    await button(page, 'Step').click();
  }
  assert.fail(`not reached after ${max} steps`);
}

/** Sends `sql` from `client` and steps until its answer is in; returns the answer's text. */
async function run(page, client, sql, target) {
  await page.getByLabel('Client', { exact: true }).selectOption({ label: client });
  const before = await page.locator('.answers .answer').count();
  await send(page, client, sql, target);
  await stepUntil(page, async () => (await page.locator('.answers .answer').count()) > before);
  return page.locator('.answers .answer.latest').textContent();
}

test('two clients interleave transactions on different rows and both commit', async () => {
  const { page, problems } = await lab.openApp();
  assert.equal(await node(page, 'client-2').count(), 1, 'a second client is on the diagram');
  assert.match(await run(page, 'client-1', 'BEGIN'), /BEGIN/);
  assert.match(await run(page, 'client-1', "INSERT INTO orders (status) VALUES ('from one')"), /INSERT 0 1/);
  assert.match(await run(page, 'client-2', 'BEGIN'), /BEGIN/);
  assert.match(await run(page, 'client-2', "INSERT INTO orders (status) VALUES ('from two')"), /INSERT 0 1/);
  assert.match(await run(page, 'client-2', 'COMMIT'), /COMMIT/);
  const last = await run(page, 'client-1', 'COMMIT');
  assert.match(last, /COMMIT/);
  assert.doesNotMatch(last, /could not serialize/);
  await node(page, 'leader').click();
  await page.getByRole('tab', { name: 'Rows' }).click();
  await assert.doesNotReject(page.locator('.rows-table td', { hasText: 'from one' }).waitFor({ timeout: 2_000 }));
  await assert.doesNotReject(page.locator('.rows-table td', { hasText: 'from two' }).waitFor({ timeout: 2_000 }));
  await page.screenshot({ path: `${SHOTS}/two-clients.png` });
  assert.deepEqual(problems, []);
});

test('a second writer of the same row waits on its lock, shown in pg_stat_activity', async () => {
  const { page, problems } = await lab.openApp();
  await run(page, 'client-1', "INSERT INTO orders (status) VALUES ('new')");
  await run(page, 'client-1', 'BEGIN');
  await run(page, 'client-1', "UPDATE orders SET status = 'paid' WHERE id = 1");
  await send(page, 'client-2', "UPDATE orders SET status = 'cancelled' WHERE id = 1");
  for (let i = 0; i < 20; i += 1) await button(page, 'Step').click();
  assert.equal(await page.locator('.answers .answer').count(), 0, 'client-2 has no answer: it waits');
  await node(page, 'leader').click();
  await page.getByRole('tab', { name: 'Status' }).click();
  const panel = page.getByRole('tabpanel');
  await assert.doesNotReject(panel.filter({ hasText: 'pg_stat_activity' }).waitFor({ timeout: 2_000 }));
  assert.match(await panel.textContent(), /Lock\s*\|\s*transactionid/);
  await page.screenshot({ path: `${SHOTS}/lock-wait.png` });
  // client-1 commits: client-2's UPDATE runs, on the committed row.
  await run(page, 'client-1', 'COMMIT');
  await page.getByLabel('Client', { exact: true }).selectOption({ label: 'client-2' });
  await stepUntil(page, async () => (await page.locator('.answers .answer').count()) > 0);
  assert.match(await page.locator('.answers .answer.latest').textContent(), /UPDATE 1/);
  assert.deepEqual(problems, []);
});

test('under statement-based replication the status tab speaks MySQL', async () => {
  const { page, problems } = await lab.openApp();
  await page.getByLabel('Method', { exact: true }).selectOption('statement-naive');
  await node(page, 'follower-1').click();
  await page.getByRole('tab', { name: 'Status' }).click();
  const panel = page.getByRole('tabpanel');
  await assert.doesNotReject(panel.filter({ hasText: 'SHOW REPLICA STATUS' }).waitFor({ timeout: 2_000 }));
  const text = await panel.textContent();
  assert.match(text, /Replica_SQL_Running: Yes/);
  assert.match(text, /Seconds_Behind_Source/);
  assert.doesNotMatch(text, /pg_stat_replication/);
  await node(page, 'leader').click();
  await assert.doesNotReject(panel.filter({ hasText: 'SHOW BINARY LOG STATUS' }).waitFor({ timeout: 2_000 }));
  await page.screenshot({ path: `${SHOTS}/mysql-status.png` });
  assert.deepEqual(problems, []);
});

test('a statement to a crashed follower is refused at once, in psql\'s words', async () => {
  const { page, problems } = await lab.openApp();
  await node(page, 'follower-1').click();
  await page.locator('.node-actions button', { hasText: 'Crash' }).click();
  const answer = await run(page, 'client-1', 'SELECT id FROM orders', 'follower-1 (read)');
  assert.match(answer, /connection to server at "follower-1" \(10\.0\.0\.\d+\), port 5432 failed: Connection refused/);
  assert.deepEqual(problems, []);
});

test('the coordination service is on the diagram and can be crashed like any node', async () => {
  const { page, problems } = await lab.openApp();
  const etcd = node(page, 'etcd');
  assert.equal(await etcd.count(), 1, 'etcd is drawn');
  await etcd.click();
  await assert.doesNotReject(page.locator('.inspector h2', { hasText: 'etcd' }).waitFor({ timeout: 2_000 }));
  await page.locator('.node-actions button', { hasText: 'Crash' }).click();
  await assert.doesNotReject(etcd.locator('.node-role', { hasText: 'crashed' }).waitFor({ timeout: 2_000 }));
  await page.screenshot({ path: `${SHOTS}/etcd-crashed.png` });
  assert.deepEqual(problems, []);
});

test('without fencing a cut-off leader keeps writing beside the new one: the "two leaders" check names both', async () => {
  const { page, problems } = await lab.openApp();
  await page.getByLabel('Fencing', { exact: true }).selectOption('none');
  await assert.doesNotReject(page.locator('#fencing-note', { hasText: 'split brain possible' }).waitFor({ timeout: 2_000 }));
  assert.equal(await node(page, 'etcd').count(), 0, 'no coordination service without fencing');
  await node(page, 'leader').click();
  await page.locator('.link-actions summary').click();
  await button(page, 'Cut link to follower-1').click();
  await button(page, 'Cut link to follower-2').click();
  await page.getByRole('radio', { name: '10×', exact: true }).check();
  await button(page, 'Play').click();
  await page.waitForTimeout(800);
  await button(page, 'Pause').click();
  await assert.doesNotReject(page.locator('.events .event.important', { hasText: 'promoted to leader' }).waitFor({ timeout: 2_000 }));
  const two = page.locator('.check.warn', { hasText: 'two leaders' });
  await assert.doesNotReject(two.waitFor({ timeout: 2_000 }));
  await two.click();
  assert.match(await page.locator('#check-details').textContent(), /leader.*follower-\d|follower-\d.*leader/);
  await page.screenshot({ path: `${SHOTS}/split-brain.png` });
  assert.deepEqual(problems, []);
});
