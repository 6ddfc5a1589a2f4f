// End-to-end: a client's read routing. Pick where client-1's reads go from its actions (by
// keyboard), cut follower-1 off so it lags, write, and read: from any follower the read comes
// back empty from follower-1 (the anomaly), the event log says where it went; with "follower
// at my last write's position" follower-1 holds the read until the link heals, then answers
// with the row. Screenshots at 1280x800 and 390x844.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useLab, SHOTS, button, node } from './harness.mjs';

const lab = useLab();

/** Presses Step until `done()` holds (at most `max` times). */
async function stepUntil(page, done, max = 80) {
  for (let i = 0; i < max; i += 1) {
    if (await done()) return i;
    await button(page, 'Step').click();
  }
  assert.fail(`not reached after ${max} steps`);
}

async function run(page, sql) {
  await page.getByLabel('Statement', { exact: true }).fill(sql);
  await button(page, 'Run').click();
}

const answers = (page) => page.locator('.answers .answer');
const event = (page, text) => page.locator('.events .event', { hasText: text });

/** client-1's routing select, reached by Tab from its Crash button. */
async function routingByKeyboard(page) {
  await node(page, 'client-1').click();
  await page.locator('.node-actions .action-row button', { hasText: 'Crash' }).focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'read-routing', 'the routing select follows the actions in Tab order');
  const select = page.getByLabel('Reads go to');
  assert.equal(await select.inputValue(), '0', 'reads go to the leader by default');
  return select;
}

async function cutLeaderFromFollower1(page, cut) {
  await node(page, 'leader').click();
  const details = page.locator('.link-actions');
  if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
  await page.getByRole('button', { name: `${cut ? 'Cut' : 'Heal'} link to follower-1`, exact: true }).click();
}

for (const [width, height] of [[1280, 800], [390, 844]]) {
  test(`reads from any follower miss your write; waiting for its position sees it (${width}x${height})`, async () => {
    const { page, problems } = await lab.openAt(width, height);
    const select = await routingByKeyboard(page);
    await select.selectOption({ label: 'any follower' });
    await assert.doesNotReject(page.locator('#read-routing-hint', { hasText: 'a lagging one misses your write' }).waitFor({ timeout: 2_000 }));
    await page.screenshot({ path: `${SHOTS}/routing-select-${width}x${height}.png` });

    await cutLeaderFromFollower1(page, true);
    await run(page, "INSERT INTO orders (status, note) VALUES ('new', 'mine')");
    await stepUntil(page, async () => (await answers(page).count()) >= 1);
    await run(page, 'SELECT note FROM orders');
    await stepUntil(page, async () => (await answers(page).count()) >= 2);
    const latest = await page.locator('.answers .answer.latest').textContent();
    assert.match(latest, /SELECT 0/, 'the lagging follower does not have the write');
    assert.match(latest, /from follower-1/);
    assert.equal(await event(page, 'client-1 reads from follower-1 (reads: any follower)').count(), 1);
    await page.screenshot({ path: `${SHOTS}/routing-anomaly-${width}x${height}.png` });

    // The fix: the follower waits until it has replayed the client's last commit.
    await node(page, 'client-1').click();
    await page.getByLabel('Reads go to').selectOption({ label: "follower at my last write's position" });
    await run(page, 'SELECT note FROM orders');
    await stepUntil(page, async () => (await event(page, "follower-1 holds client-1's read until it has replayed position 1").count()) > 0);
    assert.equal(await answers(page).count(), 2, 'no answer while follower-1 lags');
    await cutLeaderFromFollower1(page, false);
    await stepUntil(page, async () => (await answers(page).count()) >= 3, 200);
    const fixed = await page.locator('.answers .answer.latest').textContent();
    assert.match(fixed, /SELECT 1/);
    assert.match(fixed, /mine/);
    assert.match(fixed, /from follower-1/);
    await page.screenshot({ path: `${SHOTS}/routing-fixed-${width}x${height}.png` });
    assert.deepEqual(problems, []);
  });
}
