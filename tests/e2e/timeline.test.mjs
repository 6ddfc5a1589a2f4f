// End-to-end: the honest timeline. Marks on the slider for what you did and what followed;
// acting after a step back asks whether to discard or keep what you did later, and both
// choices do what they say; changing the method asks first, Cancel keeps the session, and a
// restart can be undone. Screenshots at 1280x800, 390x844 and 480x320.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useLab, SHOTS, button, node } from './harness.mjs';

const lab = useLab();

const marks = (page, kind) => page.locator(`.timeline-track .mark-${kind}`);
const dialog = (page) => page.getByRole('alertdialog');

async function insert(page, status = 'marked') {
  await page.getByLabel('Statement', { exact: true }).fill(`INSERT INTO orders (status) VALUES ('${status}')`);
  await button(page, 'Run').click();
}

async function steps(page, n) {
  for (let i = 0; i < n; i += 1) await button(page, 'Step').click();
}

async function seek(page, micros) {
  await page.getByRole('slider', { name: 'Timeline' }).evaluate((el, value) => {
    el.value = String(value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, micros);
}

/** Crashes follower-1 after a few steps, then goes back to the start. */
async function crashThenBack(page) {
  // Four single events (Shift+→): a few milliseconds in, not a visible Step's 2 s of quiet.
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  for (let i = 0; i < 4; i += 1) await page.keyboard.press('Shift+ArrowRight');
  await node(page, 'follower-1').click();
  await page.locator('.node-actions button', { hasText: 'Crash' }).click();
  await node(page, 'follower-1').locator('.node-role', { hasText: 'crashed' }).waitFor({ timeout: 2_000 });
  const title = await marks(page, 'action').first().getAttribute('title');
  await button(page, 'Start').click();
  return title;
}

test('an action and what follows it are marked on the slider', async () => {
  const { page, problems } = await lab.openApp();
  assert.equal(await page.locator('.timeline-track .mark').count(), 0, 'nothing marked yet');
  await insert(page);
  await marks(page, 'action').first().waitFor({ timeout: 2_000 });
  assert.match(await marks(page, 'action').first().getAttribute('title'), /^0\.000 s you did: client-1: INSERT INTO orders/);
  await steps(page, 12);
  assert.ok((await marks(page, 'commit').count()) >= 1, 'the commit is marked');
  assert.match(await marks(page, 'commit').first().getAttribute('title'), /commit: leader committed entry 1/);
  // Above the track for what you did, below it for commits.
  const track = await page.getByRole('slider', { name: 'Timeline' }).boundingBox();
  const action = await marks(page, 'action').first().boundingBox();
  const commit = await marks(page, 'commit').first().boundingBox();
  assert.ok(action.y + action.height <= track.y + 1, `action mark above the track: ${JSON.stringify({ action, track })}`);
  assert.ok(commit.y >= track.y + track.height - 1, `commit mark below the track: ${JSON.stringify({ commit, track })}`);
  await page.screenshot({ path: `${SHOTS}/timeline-marks-1280x800.png` });
  assert.deepEqual(problems, []);
});

test('acting after a step back asks; Keep replays the later crash at its time', async () => {
  const { page, problems } = await lab.openApp();
  const crashTitle = await crashThenBack(page);
  assert.match(crashTitle, /you did: crash follower-1/);
  assert.equal(await marks(page, 'queued').count(), 1, 'the crash is still to come');
  await insert(page, 'earlier');
  const asked = dialog(page);
  await asked.waitFor({ timeout: 2_000 });
  assert.match(await asked.textContent(), /Discard what you did later \(1 action: crash follower-1 at 0\.\d{3} s\)/);
  assert.match(await asked.textContent(), /Keep them \(they happen again at their times\)/);
  assert.match(await page.evaluate(() => document.activeElement.textContent), /^Discard/, 'focus moves to the question');
  await page.screenshot({ path: `${SHOTS}/timeline-ask-1280x800.png` });
  await button(page, 'Keep them (they happen again at their times)').click();
  await asked.waitFor({ state: 'detached', timeout: 2_000 });
  assert.match(await page.locator('.prompt-notice').textContent(), /Kept what you did later \(1 action: crash follower-1/);
  assert.equal(await marks(page, 'queued').count(), 1, 'the kept crash is still to come');
  // The new statement (at 0 s) and the kept crash (10 ms later) share a stretch of the
  // slider: one mark, showing what is still to come, counting both.
  assert.match(await marks(page, 'queued').getAttribute('title'), /still to come: crash follower-1 \(and 1 more\)$/);
  assert.equal(await node(page, 'follower-1').locator('.node-role', { hasText: 'crashed' }).count(), 0);
  // Clicking the kept crash's mark seeks to it: it happens there again.
  await marks(page, 'queued').click();
  await node(page, 'follower-1').locator('.node-role', { hasText: 'crashed' }).waitFor({ timeout: 2_000 });
  assert.equal(await marks(page, 'queued').count(), 0, 'no longer to come');
  // The statement and the crash, 10 ms apart, share a stretch of the slider: one mark.
  assert.match(await marks(page, 'action').getAttribute('title'), /you did: client-1: INSERT .* \(and 1 more\)$/);
  await page.screenshot({ path: `${SHOTS}/timeline-kept-1280x800.png` });
  assert.deepEqual(problems, []);
});

test('Discard drops the later crash; Escape cancels and gives the focus back', async () => {
  const { page, problems } = await lab.openApp();
  const crashTitle = await crashThenBack(page);
  const crashedAt = Number(/^(\d+)\.(\d{3}) s/.exec(crashTitle).slice(1).join(''));
  // Escape: nothing is done, the focus goes back to Run.
  await insert(page, 'not sent');
  await dialog(page).waitFor({ timeout: 2_000 });
  await page.keyboard.press('Escape');
  await dialog(page).waitFor({ state: 'detached', timeout: 2_000 });
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Run');
  assert.equal(await marks(page, 'action').count(), 0, 'nothing was done');
  assert.equal(await marks(page, 'queued').count(), 1);
  // Discard.
  await insert(page, 'earlier');
  await dialog(page).waitFor({ timeout: 2_000 });
  await page.getByRole('button', { name: /^Discard what you did later/ }).click();
  assert.match(await page.locator('.prompt-notice').textContent(), /Discarded what you did later \(1 action: crash follower-1/);
  assert.equal(await marks(page, 'queued').count(), 0, 'nothing is still to come');
  await seek(page, (crashedAt + 200) * 1000);
  assert.equal(await node(page, 'follower-1').locator('.node-role', { hasText: 'crashed' }).count(), 0, 'the crash is gone');
  assert.deepEqual(problems, []);
});

test('changing the method asks first; Cancel keeps the session; Restart can be undone', async () => {
  const { page, problems } = await lab.openApp();
  await insert(page);
  await marks(page, 'action').first().waitFor({ timeout: 2_000 });
  await steps(page, 3);
  const picker = page.locator('#method-picker');
  await picker.selectOption('logical-full');
  await dialog(page).waitFor({ timeout: 2_000 });
  assert.match(await dialog(page).textContent(), /Restart the lab with Logical FULL replication\? Your 1 action will be gone\./);
  assert.equal(await picker.inputValue(), 'wal', 'the picker shows the lab it is');
  await page.screenshot({ path: `${SHOTS}/timeline-restart-ask-1280x800.png` });
  await button(page, 'Cancel').click();
  await dialog(page).waitFor({ state: 'detached', timeout: 2_000 });
  assert.equal(await picker.inputValue(), 'wal');
  assert.equal(await marks(page, 'action').count(), 1, 'the session is kept');
  assert.notEqual(await page.locator('.clock-time').textContent(), '0.000 s');

  await picker.selectOption('logical-full');
  await button(page, 'Restart').click();
  await dialog(page).waitFor({ state: 'detached', timeout: 2_000 });
  assert.equal(await picker.inputValue(), 'logical-full');
  assert.equal(await marks(page, 'action').count(), 0, 'a new lab');
  const undo = button(page, 'Undo: back to WAL with your 1 action');
  await undo.waitFor({ timeout: 2_000 });
  await page.screenshot({ path: `${SHOTS}/timeline-undo-1280x800.png` });
  await undo.click();
  assert.equal(await picker.inputValue(), 'wal');
  assert.equal(await marks(page, 'action').count(), 1, 'the actions are back');
  assert.match(await page.locator('.prompt-notice').textContent(), /Back to WAL replication with your 1 action\./);
  assert.deepEqual(problems, []);
});

for (const [width, height] of [[390, 844], [480, 320]]) {
  test(`at ${width} x ${height} the marks and the question fit`, async () => {
    const { page, problems } = await lab.openApp();
    await page.setViewportSize({ width, height });
    await crashThenBack(page);
    await page.getByRole('slider', { name: 'Timeline' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/timeline-marks-${width}x${height}.png` });
    await insert(page, 'small');
    await dialog(page).waitFor({ timeout: 2_000 });
    const box = await page.locator('.prompt').boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= width, `the question fits across: ${JSON.stringify(box)}`);
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= width, `page ${scroll} px wide`);
    await page.screenshot({ path: `${SHOTS}/timeline-ask-${width}x${height}.png` });
    await page.keyboard.press('Escape');
    assert.deepEqual(problems, []);
  });
}
