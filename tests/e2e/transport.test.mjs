// End-to-end: the transport bar drives virtual time. Step, step back, play/pause from the
// button and from the keyboard, the slider, the speed ladder, reduced motion; and screenshots
// of the bar for a human to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useLab, APP_PATH, SHOTS, button } from './harness.mjs';

const lab = useLab();

const openApp = () => lab.openApp();

/** The readout's virtual time in seconds. */
async function readout(page) {
  const text = await page.locator('.transport .clock-time').textContent();
  const match = /^(\d+)\.(\d{3}) s$/.exec(text.trim());
  assert.ok(match, `readout looks like "10.450 s": ${JSON.stringify(text)}`);
  return Number(match[1]) + Number(match[2]) / 1000;
}

test('Step advances the time readout and Step back returns it', async () => {
  const { page, problems } = await openApp();
  assert.equal(await readout(page), 0);
  await button(page, 'Step').click();
  const after = await readout(page);
  assert.ok(after > 0, `Step moves time on (now ${after})`);
  await button(page, 'Step back').click();
  assert.equal(await readout(page), 0);
  await button(page, 'Step').click();
  await button(page, 'Step').click();
  await button(page, 'Start').click();
  assert.equal(await readout(page), 0, 'Start goes back to zero');
  assert.deepEqual(problems, []);
});

test('Space toggles play, the button says what it will do, and time runs meanwhile', async () => {
  const { page, problems } = await openApp();
  const playPause = page.locator('.transport .play-pause');
  assert.equal((await playPause.textContent()).trim().endsWith('Play'), true);
  // The fastest speed, so a short wait shows movement whatever the lab holds.
  await page.getByRole('radio', { name: '10×' }).check();
  await page.locator('body').click({ position: { x: 5, y: 5 } }); // focus on no control
  await page.keyboard.press('Space');
  await assert.doesNotReject(page.locator('.transport .play-pause', { hasText: 'Pause' }).waitFor({ timeout: 2_000 }));
  await page.waitForTimeout(400);
  const played = await readout(page);
  assert.ok(played > 0, `time runs while playing (now ${played})`);
  await page.keyboard.press('Space');
  await assert.doesNotReject(page.locator('.transport .play-pause', { hasText: 'Play' }).waitFor({ timeout: 2_000 }));
  const paused = await readout(page);
  await page.waitForTimeout(300);
  assert.equal(await readout(page), paused, 'time stands still while paused');
  assert.deepEqual(problems, []);
});

test('arrow keys step, Home goes to the start, and keys inside controls keep their own meaning', async () => {
  const { page, problems } = await openApp();
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  const twice = await readout(page);
  assert.ok(twice > 0);
  await page.keyboard.press('ArrowLeft');
  const once = await readout(page);
  assert.ok(once < twice && once > 0, `${once} between 0 and ${twice}`);
  await page.keyboard.press('Home');
  assert.equal(await readout(page), 0);
  // Space on a focused button presses that button, not play/pause.
  await button(page, 'Step').focus();
  await page.keyboard.press('Space');
  assert.ok((await readout(page)) > 0, 'Space pressed the focused Step button');
  assert.equal((await page.locator('.transport .play-pause').textContent()).trim().endsWith('Play'), true);
  assert.deepEqual(problems, []);
});

test('the slider seeks, and follows the time', async () => {
  const { page, problems } = await openApp();
  const slider = page.getByRole('slider', { name: 'Timeline' });
  const max = Number(await slider.getAttribute('max'));
  assert.ok(max > 0, 'the slider reaches past zero');
  const target = Math.round(max / 2);
  // Playwright cannot fill a range input; set it as a drag would, with an input event.
  await slider.evaluate((el, value) => {
    el.value = String(value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, target);
  const seconds = await readout(page);
  assert.equal(seconds, Math.floor(target / 1000) / 1000, `seeked to ${target} µs`);
  await button(page, 'Start').click();
  assert.equal(Number(await slider.inputValue()), 0, 'the slider follows the time');
  assert.deepEqual(problems, []);
});

test('every transport control is reachable by Tab and shows a focus ring', async () => {
  const { page, problems } = await openApp();
  await button(page, 'Start').focus();
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.equal(ring, 'solid', 'a visible focus ring');
  const reached = [];
  for (let i = 0; i < 6; i += 1) {
    reached.push(await page.evaluate(() => document.activeElement.textContent.trim() || document.activeElement.getAttribute('aria-label') || document.activeElement.id || document.activeElement.value));
    await page.keyboard.press('Tab');
  }
  assert.deepEqual(reached.slice(0, 4).map((t) => t.replace(/[^\w ]/g, '').trim()), ['Start', 'Step back', 'Play', 'Step']);
  assert.ok(reached.includes('1/200×'), `the chosen speed is next: ${JSON.stringify(reached)}`);
  assert.ok(reached.includes('timeline-slider'), `then the slider: ${JSON.stringify(reached)}`);
  await button(page, 'Step back').focus();
  await page.locator('.transport').screenshot({ path: `${SHOTS}/transport-focus.png` });
  assert.deepEqual(problems, []);
});

test('the speed ladder is labelled and explained', async () => {
  const { page, problems } = await openApp();
  const labels = await page.locator('.speed-picker .speed-choice').allTextContents();
  assert.deepEqual(labels.map((l) => l.trim()), ['1/1000×', '1/200×', '1/20×', '1×', '10×']);
  assert.equal(await page.getByRole('radio', { name: '1/200×' }).isChecked(), true, 'slow motion by default');
  assert.match(await page.locator('.speed-explanation').textContent(), /1 s shows 5 ms/);
  await page.getByRole('radio', { name: '1×' }).check();
  assert.match(await page.locator('.speed-explanation').textContent(), /1 s shows 1 s/);
  await page.locator('.transport').screenshot({ path: `${SHOTS}/transport.png` });
  await page.screenshot({ path: `${SHOTS}/app-with-transport.png` });
  assert.deepEqual(problems, []);
});

test('with reduced motion, playing jumps once a second instead of gliding', async () => {
  const { page, problems } = await lab.open('about:blank');
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(lab.server.base + APP_PATH);
  await page.locator('svg.cluster g.node').first().waitFor({ timeout: 15_000 });
  await assert.doesNotReject(page.locator('.reduced-motion-note').waitFor({ timeout: 2_000 }));
  await page.getByRole('radio', { name: '1×' }).check();
  await button(page, 'Play').click();
  const seen = new Set();
  const until = Date.now() + 2_600;
  while (Date.now() < until) {
    seen.add(await readout(page));
    await page.waitForTimeout(50);
  }
  await button(page, 'Pause').click();
  const times = [...seen].sort((a, b) => a - b);
  assert.ok(times.length >= 2 && times.length <= 4, `a few jumps, not a glide: ${JSON.stringify(times)}`);
  assert.ok(times.at(-1) >= 1.9, `about a second per second at 1×: ${JSON.stringify(times)}`);
  await page.locator('.transport').screenshot({ path: `${SHOTS}/transport-reduced-motion.png` });
  assert.deepEqual(problems, []);
});

test('a hidden tab stops the clock, and coming back does not jump by the time away', async () => {
  const { page, problems } = await openApp();
  // Headless pages are always visible: pretend, the way a browser reports a background tab.
  const setHidden = (hidden) =>
    page.evaluate((h) => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
  await page.getByRole('radio', { name: '1×' }).check();
  await button(page, 'Play').click();
  await page.waitForTimeout(300);
  await setHidden(true);
  await page.waitForTimeout(100); // a frame already requested may still land
  const hiddenAt = await readout(page);
  await page.waitForTimeout(1_500);
  assert.equal(await readout(page), hiddenAt, 'nothing runs while hidden');
  await setHidden(false);
  await page.waitForTimeout(300);
  const back = await readout(page);
  assert.ok(back > hiddenAt, `it plays on when visible again (${hiddenAt} -> ${back})`);
  assert.ok(back - hiddenAt < 0.8, `no jump by the 1.5 s away (${hiddenAt} -> ${back})`);
  await button(page, 'Pause').click();
  assert.deepEqual(problems, []);
});
