// End-to-end: lessons. Pick a built-in lesson, step it forward with the Next button, `.` and
// Space, and back with B: every step going back shows exactly what it showed going forward
// (nodes' text, the clock, the caption, what is pointed at). A "predict, then reveal"
// question holds Next until it is answered, then says whether the answer was right and why.
// Keys do nothing while typing in the SQL console. A bad lesson file says what is wrong and
// where (the field path) and the lesson stays; an exported lesson imports again; "Save as
// lesson" downloads the session's actions with captions to fill in. Presenter mode. Zero
// console errors. Screenshots of a lesson step and presenter mode at 1280x800, 390x844 and
// 480x320.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useLab, SHOTS, button } from './harness.mjs';

const lab = useLab();
const LESSON = 'leaders-and-followers';

async function openLesson(page) {
  await page.selectOption('#lesson-picker', LESSON);
  await page.locator('.lesson-panel').waitFor({ timeout: 5_000 });
}

/** What the page shows of the lab and the lesson now. */
function look(page) {
  return page.evaluate(() => ({
    step: document.querySelector('.lesson-where')?.textContent,
    caption: document.querySelector('.lesson-caption')?.textContent,
    time: document.querySelector('.clock-time')?.textContent,
    nodes: [...document.querySelectorAll('svg.cluster g.node')].map((g) => g.getAttribute('aria-label')),
    pointed: [...document.querySelectorAll('.highlighted')].map((e) => e.getAttribute('aria-label') ?? e.textContent),
  }));
}

/** Waits until the lesson says it is at step `n` (from 1). */
async function atStep(page, n) {
  await page.locator('.lesson-where', { hasText: new RegExp(`^step ${n} of`) }).waitFor({ timeout: 5_000 });
}

/** Presses `key` with the focus on the page itself (not a control). */
async function press(page, key) {
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press(key);
}

const badLesson = (mutate) => {
  const lesson = {
    version: 1,
    id: 'broken',
    title: 'Broken',
    summary: 'A file with one thing wrong.',
    settings: { seed: 1, method: 'wal' },
    actions: [],
    steps: [{ at_ms: 0, caption: 'first' }, { at_ms: 10, caption: 'second', highlight: { nodes: ['leader'] } }],
  };
  mutate(lesson);
  return { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(lesson)) };
};

test('a lesson steps forward with Next, "." and Space, and back with B to exactly what it showed', async () => {
  const { page, problems } = await lab.openApp();
  await openLesson(page);
  await atStep(page, 1);
  const seen = [await look(page)];
  assert.match(seen[0].caption, /One leader takes every write/);
  assert.ok(seen[0].pointed.some((p) => /^leader,/.test(p)), `the leader is pointed at: ${seen[0].pointed}`);
  assert.equal(await button(page, '◀ Back').isDisabled(), true, 'no step before the first');

  await button(page, 'Next ▶').click();
  await atStep(page, 2);
  seen.push(await look(page));
  await press(page, '.');
  await atStep(page, 3);
  seen.push(await look(page));
  await press(page, ' ');
  await atStep(page, 4);
  seen.push(await look(page));
  assert.equal(await page.locator('.play-pause').textContent(), 'Play', 'Space stepped the lesson, it did not play');
  // Each step shows its own moment.
  assert.deepEqual(seen.map((s) => s.time), ['0.000 s', '0.502 s', '1.000 s', '1.500 s']);
  assert.notDeepEqual(seen[1].nodes, seen[0].nodes);

  // Back with B: every earlier step exactly as it was.
  for (let n = 3; n >= 1; n -= 1) {
    await press(page, 'b');
    await atStep(page, n);
    assert.deepEqual(await look(page), seen[n - 1], `step ${n} going back`);
  }
  // A click on a step in the list goes there, exactly too.
  await page.getByRole('button', { name: /^Step 3:/ }).click();
  await atStep(page, 3);
  assert.deepEqual(await look(page), seen[2]);
  assert.deepEqual(problems, []);
});

test('predict, then reveal: Next waits for the answer, which is revealed right or not, and the lab plays on', async () => {
  const { page, problems } = await lab.openApp();
  await openLesson(page);
  await page.getByRole('button', { name: /^Step 4:/ }).click();
  await atStep(page, 4);
  const question = page.locator('.lesson-question');
  assert.match(await question.textContent(), /Where does follower-2 get the new status from\?/);
  assert.equal(await button(page, 'Next ▶').isDisabled(), true, 'Next waits for an answer');
  await press(page, '.');
  await press(page, ' ');
  await atStep(page, 4); // still there
  assert.match(await page.locator('.lesson-where').textContent(), /^step 4 of/);
  await page.screenshot({ path: `${SHOTS}/lesson-question-1280x800.png` });

  await button(page, 'From client-1 directly').click();
  const reveal = page.locator('.lesson-reveal');
  await reveal.waitFor({ timeout: 2_000 });
  assert.match(await reveal.textContent(), /^✗ Not quite\. Clients only talk to the leader/);
  assert.equal(await button(page, 'From the leader\'s log').isDisabled(), true, 'one answer');
  // The lab plays on from the step.
  await page.locator('.play-pause', { hasText: 'Pause' }).waitFor({ timeout: 2_000 });
  assert.equal(await button(page, 'Next ▶').isDisabled(), false);
  await button(page, 'Next ▶').click();
  await atStep(page, 5);
  // The teacher's quiet check of the step's outcomes, and the cell the step points at.
  const outcomes = await page.locator('.lesson-outcomes li').allTextContents();
  assert.ok(outcomes.length >= 3, `${outcomes}`);
  assert.ok(outcomes.every((o) => o.startsWith('✓')), `${outcomes}`);
  assert.ok(outcomes.some((o) => o.includes('follower-2: orders row 1 has status = paid')), `${outcomes}`);
  const cell = page.locator('.rows-table td.highlighted');
  await cell.waitFor({ timeout: 2_000 });
  assert.match(await cell.textContent(), /^paid/);
  await page.screenshot({ path: `${SHOTS}/lesson-step-1280x800.png` });
  assert.deepEqual(problems, []);
});

test('a right answer says so; keys do nothing while typing in the SQL console', async () => {
  const { page, problems } = await lab.openApp();
  await openLesson(page);
  const console = page.getByLabel('Statement', { exact: true });
  await console.fill('');
  await console.pressSequentially('b. p');
  assert.equal(await console.inputValue(), 'b. p');
  await atStep(page, 1);
  assert.equal(await page.locator('.app.presenter').count(), 0);
  await page.getByRole('button', { name: /^Step 4:/ }).click();
  await button(page, 'From the leader\'s log').click();
  assert.match(await page.locator('.lesson-reveal').textContent(), /^✓ Right\./);
  assert.deepEqual(problems, []);
});

test('a bad lesson file names the field path, and the open lesson stays', async () => {
  const { page, problems } = await lab.openApp();
  await openLesson(page);
  await button(page, 'Next ▶').click();
  await atStep(page, 2);
  const before = await look(page);
  const file = page.locator('input[type=file]');
  await file.setInputFiles(badLesson((l) => { l.steps[1].highlight.nodes[0] = 'leadr'; }));
  const error = page.locator('.lesson-error');
  await error.waitFor({ timeout: 2_000 });
  assert.match(await error.textContent(), /steps\[1\]\.highlight\.nodes\[0\]: unknown node "leadr"/);
  assert.match(await error.textContent(), /The lab keeps what it had/);
  assert.deepEqual(await look(page), before, 'the lesson and the lab are as they were');
  await page.screenshot({ path: `${SHOTS}/lesson-bad-file-1280x800.png` });
  // A newer version says so.
  await file.setInputFiles(badLesson((l) => { l.version = 99; }));
  await page.locator('.lesson-error', { hasText: 'version: this file is version 99' }).waitFor({ timeout: 2_000 });
  // Not JSON at all.
  await file.setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{"version": 1, "steps": [') });
  await page.locator('.lesson-error', { hasText: 'did not open' }).waitFor({ timeout: 2_000 });
  assert.deepEqual(await look(page), before);
  assert.deepEqual(problems, []);
});

test('export a lesson and import it again; save a session as a lesson', async () => {
  const { page, problems } = await lab.openApp();
  await openLesson(page);
  await page.locator('.lesson-more summary').click();
  const [exported] = await Promise.all([page.waitForEvent('download'), button(page, 'Export lesson (.json)').click()]);
  assert.equal(exported.suggestedFilename(), `${LESSON}.json`);
  const text = readFileSync(await exported.path(), 'utf8');
  const lesson = JSON.parse(text);
  assert.equal(lesson.id, LESSON);
  assert.equal(lesson.steps.length, 5);
  // Leave, then import the exported file: the same lesson opens at its first step.
  await button(page, 'Leave the lesson and play freely from here').click();
  await page.locator('.lesson-panel').waitFor({ state: 'detached', timeout: 2_000 });
  // The picker's "Import a lesson file…" opens the file chooser.
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.selectOption('#lesson-picker', ':import')]);
  assert.equal(chooser.isMultiple(), false);
  await page.locator('input[type=file]').setInputFiles({ name: 'l.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await atStep(page, 1);
  assert.equal(await page.locator('.lesson-title').textContent(), 'Leaders and followers');
  assert.deepEqual(problems, []);
  await page.close();

  // A session: one write (the W key), then Save as lesson.
  const fresh = await lab.openApp();
  await saveSession(fresh.page);
  assert.deepEqual(fresh.problems, []);
});

async function saveSession(page) {
  await press(page, 'w');
  await page.locator('.timeline-track .mark-action').first().waitFor({ timeout: 2_000 });
  const [saved] = await Promise.all([page.waitForEvent('download'), page.selectOption('#lesson-picker', ':save')]);
  const session = JSON.parse(readFileSync(await saved.path(), 'utf8'));
  assert.equal(session.version, 1);
  assert.equal(session.actions.length, 1);
  assert.match(JSON.stringify(session.actions[0]), /INSERT INTO orders/);
  assert.ok(session.steps.length >= 1 && session.steps.every((s) => s.caption === ''), 'captions to fill in');
}

test('presenter mode and a lesson step at 1280x800, 390x844 and 480x320', async () => {
  for (const [width, height] of [[1280, 800], [390, 844], [480, 320]]) {
    const { page, problems } = await lab.openAt(1280, 800);
    await openLesson(page);
    await button(page, 'Next ▶').click();
    await atStep(page, 2);
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${SHOTS}/lesson-${width}x${height}.png` });
    const captionSize = await page.locator('.lesson-caption').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    await press(page, 'p');
    await page.locator('.app.presenter').waitFor({ timeout: 2_000 });
    assert.equal(await page.locator('.side-pane').isVisible(), false, 'panels hidden');
    if (width > 800) assert.equal(await page.locator('.presenter-keys').isVisible(), true, 'the keys are listed');
    const larger = await page.locator('.lesson-caption').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    assert.ok(larger > captionSize, `presenter caption ${larger} px > ${captionSize} px`);
    const scroll = await page.evaluate(() => document.scrollingElement.scrollWidth - innerWidth);
    assert.ok(scroll <= 0, `${scroll} px wider than the viewport at ${width}x${height}`);
    await page.screenshot({ path: `${SHOTS}/lesson-presenter-${width}x${height}.png` });
    // Keys work in presenter mode; Escape leaves it.
    await press(page, '.');
    await atStep(page, 3);
    await press(page, 'Escape');
    await page.locator('.app.presenter').waitFor({ state: 'detached', timeout: 2_000 });
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('one-key actions outside a lesson: C crashes the selected node, U restarts it; P shows presenter mode with its keys', async () => {
  const { page, problems } = await lab.openApp();
  await page.locator('svg.cluster g.node[aria-label^="follower-1,"]').click();
  await press(page, 'c');
  await page.locator('svg.cluster g.node[aria-label^="follower-1,"] .node-role', { hasText: 'crashed' }).waitFor({ timeout: 2_000 });
  await press(page, 'u');
  await page.locator('svg.cluster g.node[aria-label^="follower-1,"] .node-role', { hasText: 'follower' }).waitFor({ timeout: 2_000 });
  // B and "." mean nothing outside a lesson; Space still plays.
  await press(page, 'b');
  await press(page, ' ');
  await page.locator('.play-pause', { hasText: 'Pause' }).waitFor({ timeout: 2_000 });
  await press(page, ' ');
  await press(page, 'p');
  const bar = page.locator('.presenter-leave');
  await bar.waitFor({ timeout: 2_000 });
  assert.match(await bar.textContent(), /C crash the selected node/);
  assert.equal(await page.locator('.header').isVisible(), false);
  await page.screenshot({ path: `${SHOTS}/presenter-no-lesson-1280x800.png` });
  await button(page, 'Leave presenter mode (Esc)').click();
  await page.locator('.header').waitFor({ timeout: 2_000 });
  assert.deepEqual(problems, []);
});
