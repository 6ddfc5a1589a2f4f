// End-to-end: steps that mean something (issue 9). Step goes to the next visible change, so a
// fresh INSERT reaches follower-1's Rows in a few presses, the caption over the diagram says
// what each step did, Shift+→ still steps one event; and while a statement travels at 1× or
// 10×, playing slows down so a message marker is on screen in most frames (and says so).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useLab, SHOTS, button, node } from './harness.mjs';

const lab = useLab();

const caption = async (page) => (await page.locator('.caption').textContent()).trim();
const clock = async (page) => (await page.locator('.transport .clock-time').textContent()).trim();

async function insert(page, status) {
  await page.getByLabel('Statement', { exact: true }).fill(`INSERT INTO orders (status) VALUES ('${status}')`);
  await button(page, 'Run').click();
}

test('Step from a fresh INSERT reaches follower-1\'s row in at most 6 presses, the caption telling each', async () => {
  const { page, problems } = await lab.openApp();
  await node(page, 'follower-1').click();
  await page.getByRole('tab', { name: 'Rows' }).click();
  const hasRow = async () => (await page.locator('.rows-table td', { hasText: 'stepped' }).count()) > 0;
  await insert(page, 'stepped');
  assert.equal(await hasRow(), false);
  const captions = [await caption(page)];
  assert.match(captions[0], /client-1 sent INSERT/);
  let presses = 0;
  while (!(await hasRow())) {
    assert.ok(presses < 6, `follower-1 has no row after ${presses} presses: ${JSON.stringify(captions)}`);
    await button(page, 'Step').click();
    presses += 1;
    const now = await caption(page);
    assert.ok(now.length > 0, 'the caption is never empty');
    assert.notEqual(now, captions.at(-1), `press ${presses} changed the caption`);
    captions.push(now);
    await page.screenshot({ path: `${SHOTS}/steps-${presses}.png` });
  }
  assert.match(captions.join('\n'), /committed entry 1/);
  assert.match(captions.join('\n'), /received WAL up to 0\//);
  assert.match(captions.at(-1), /follower-\d replayed entry 1: its rows show it now/);
  // Step back goes back over the same moments.
  const at = await clock(page);
  await button(page, 'Step back').click();
  assert.notEqual(await clock(page), at);
  assert.equal(await hasRow(), false, 'one step back, the row is not replayed yet');
  assert.deepEqual(problems, []);
});

test('Shift+→ steps one event, → to the next visible change', async () => {
  const { page, problems } = await lab.openApp();
  await insert(page, 'fine');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('ArrowRight');
  const visible = await clock(page);
  await page.keyboard.press('Home');
  await insert(page, 'fine');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  const fine = [];
  for (let i = 0; i < 3; i += 1) {
    await page.keyboard.press('Shift+ArrowRight');
    fine.push(await clock(page));
  }
  assert.ok(fine[0] < visible, `a fine step (${fine[0]}) stops before the next visible change (${visible})`);
  assert.ok(new Set(fine).size >= 2, `fine steps move: ${JSON.stringify(fine)}`);
  await page.keyboard.press('Shift+ArrowLeft');
  assert.equal(await clock(page), fine[1], 'Shift+← steps one event back');
  assert.match(await page.locator('.shortcut-help').textContent(), /Shift\+← → one event/);
  assert.deepEqual(problems, []);
});

/** Plays at `speed` from a fresh INSERT and samples animation frames until the clock passes
 * 25 ms (the row is replayed on the followers by then); the share of frames with a message. */
async function shareWithMessages(page, speed) {
  await page.getByRole('radio', { name: speed, exact: true }).check();
  await insert(page, 'watched');
  await button(page, 'Play').click();
  const frames = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const frames = [];
        const start = performance.now();
        const sample = () => {
          const text = document.querySelector('.transport .clock-time').textContent;
          const seconds = parseFloat(text);
          frames.push({ seconds, messages: [...document.querySelectorAll('svg.cluster .messages .msg:not(.msg-heartbeat)')].reduce((n, p) => n + ((p.getAttribute('d') ?? '').match(/M/g) ?? []).length, 0), slowed: !!document.querySelector('.slowed') });
          if (seconds >= 0.025 || performance.now() - start > 20_000) resolve(frames);
          else requestAnimationFrame(sample);
        };
        requestAnimationFrame(sample);
      }),
  );
  await button(page, 'Pause').click();
  const shown = frames.filter((f) => f.messages > 0).length;
  return { share: shown / frames.length, frames: frames.length, slowed: frames.some((f) => f.slowed) };
}

for (const speed of ['1×', '10×']) {
  test(`at ${speed}, a message is on screen in most frames of a statement's journey`, async () => {
    const { page, problems } = await lab.openApp();
    const { share, frames, slowed } = await shareWithMessages(page, speed);
    console.log(`# ${speed}: a message in ${(share * 100).toFixed(0)}% of ${frames} frames`);
    assert.ok(share > 0.5, `a message in ${(share * 100).toFixed(0)}% of ${frames} frames`);
    assert.ok(frames >= 36, `the journey lasts at least 0.6 s of 60 Hz frames (${frames})`);
    assert.ok(slowed, 'the transport says it slowed down');
    // While playing, a statement slows the lab down: what the page looks like then.
    await button(page, 'Play').click();
    await insert(page, 'seen');
    await page.locator('.slowed').waitFor({ timeout: 2_000 });
    await page.screenshot({ path: `${SHOTS}/steps-slowed-${speed === '1×' ? '1x' : '10x'}.png` });
    await button(page, 'Pause').click();
    assert.deepEqual(problems, []);
  });
}

for (const [width, height] of [[1280, 800], [390, 844], [480, 320]]) {
  test(`the caption at ${width}x${height}: one large line that never moves the diagram`, async () => {
    const { page, problems } = await lab.openApp();
    await page.setViewportSize({ width, height });
    await insert(page, 'on screen');
    // Where the diagram is on the page (a click may scroll the page on a phone).
    const top = () => page.locator('svg.cluster').evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
    const before = await top();
    await button(page, 'Step').click();
    await button(page, 'Step').click();
    assert.equal(await top(), before, 'the diagram did not move');
    const size = await page.locator('.caption').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    if (width >= 1280) assert.ok(size >= 18, `caption text ${size}px`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `nothing wider than the viewport (${overflow}px)`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}/steps-caption-${width}x${height}.png` });
    assert.deepEqual(problems, []);
  });
}
