// End-to-end: small screens, embeds, long sessions and accessibility. Nothing is wider than
// the viewport from 360 px up and the transport sits right under the diagram; the diagram's
// text never renders below 12 px (at 1280 x 800, on a phone, in a 480 x 320 iframe) and every
// node stays inside it; the DOM stays the same size however long writes go on; axe-core finds
// nothing serious or critical. Screenshots at 1280x800, 390x844 and 480x320.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useLab, APP_PATH, SHOTS, button, node } from './harness.mjs';
import { seriousFindings } from './axe.mjs';

const lab = useLab();
const openAt = (width, height) => lab.openAt(width, height);

/** What the diagram looks like on screen, measured in `target` (a page or a frame). */
function diagram(target) {
  return target.evaluate(() => {
    const svg = document.querySelector('svg.cluster');
    const box = svg.getBoundingClientRect();
    const scale = svg.getScreenCTM().a; // CSS pixels per unit of the viewBox
    const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() !== '');
    const px = texts.map((t) => ({ text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale }));
    const smallest = px.reduce((a, b) => (b.px < a.px ? b : a));
    const outside = [...svg.querySelectorAll('g.node')]
      .filter((g) => {
        const b = g.getBoundingClientRect();
        return b.left < box.left - 1 || b.right > box.right + 1 || b.top < box.top - 1 || b.bottom > box.bottom + 1;
      })
      .map((g) => g.getAttribute('aria-label'));
    const play = document.querySelector('.transport .play-pause').getBoundingClientRect();
    return {
      width: box.width,
      height: box.height,
      bottom: box.bottom,
      smallest,
      outside,
      playTop: play.top,
      playBottom: play.bottom,
      scrollWidth: document.scrollingElement.scrollWidth,
      innerWidth,
    };
  });
}

for (const [width, height] of [[360, 740], [390, 844], [480, 320]]) {
  test(`at ${width} x ${height} nothing is wider than the viewport and Play is right under the diagram`, async () => {
    const { page, problems } = await openAt(width, height);
    let d = await diagram(page);
    assert.ok(d.scrollWidth <= d.innerWidth, `page ${d.scrollWidth} px wide in a ${d.innerWidth} px viewport`);
    assert.deepEqual(d.outside, [], 'every node inside the diagram');
    assert.ok(d.width >= width - 40, `the diagram takes the width: ${d.width} px`);
    assert.ok(d.playTop - d.bottom >= 0 && d.playTop - d.bottom < 60, `Play ${d.playTop - d.bottom} px under the diagram`);
    if (height >= 700) assert.ok(d.playBottom <= height, `Play on the first screen (bottom at ${d.playBottom} px)`);
    // Content that grows: answers, a SELECT's rows, the event log, a follower's rows.
    await button(page, 'Run').click();
    await page.getByRole('radio', { name: '1/20×', exact: true }).check();
    await button(page, 'Play').click();
    await page.waitForTimeout(600);
    await button(page, 'Pause').click();
    await page.getByLabel('Statement', { exact: true }).fill('SELECT * FROM orders');
    await button(page, 'Run').click();
    await button(page, 'Play').click();
    await page.locator('.answer-rows').first().waitFor({ timeout: 5_000 });
    await button(page, 'Pause').click();
    await node(page, 'follower-3').click();
    d = await diagram(page);
    assert.ok(d.scrollWidth <= d.innerWidth, `after a session: page ${d.scrollWidth} px wide in ${d.innerWidth} px`);
    assert.deepEqual(problems, []);
  });
}

test('the diagram text renders at 12 px or more: 1280 x 800, 390 x 844, and a 480 x 320 iframe', async () => {
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    const { page, problems } = await openAt(width, height);
    const d = await diagram(page);
    assert.ok(d.smallest.px >= 11.95, `at ${width} x ${height}: "${d.smallest.text}" at ${d.smallest.px.toFixed(1)} px`);
    assert.deepEqual(d.outside, [], `at ${width} x ${height}: every node inside the diagram`);
    await page.screenshot({ path: `${SHOTS}/${width}x${height}.png` });
    assert.deepEqual(problems, []);
    await page.close();
  }
  const { page, problems } = await lab.open(`${lab.server.base}/embed.html?w=480&h=320`);
  await page.frameLocator('#lab').locator('svg.cluster g.node').first().waitFor({ timeout: 15_000 });
  const frame = page.frames().find((f) => f.url().includes(APP_PATH));
  const d = await diagram(frame);
  assert.ok(d.smallest.px >= 11.95, `in the iframe: "${d.smallest.text}" at ${d.smallest.px.toFixed(1)} px`);
  assert.ok(d.width >= 440 && d.height >= 300, `in the iframe the diagram is ${d.width} x ${d.height} px`);
  assert.deepEqual(d.outside, [], 'in the iframe: every node inside the diagram');
  assert.ok(d.scrollWidth <= d.innerWidth, `in the iframe: ${d.scrollWidth} px wide in ${d.innerWidth} px`);
  // What a reader of the embedding page sees once the frame is scrolled to the diagram.
  await frame.locator('svg.cluster').evaluate((svg) => svg.scrollIntoView());
  await page.locator('#lab').screenshot({ path: `${SHOTS}/480x320.png` });
  assert.deepEqual(problems, []);
});

test('the DOM stays the same size however long writes go on (Rows and answers page)', async () => {
  const { page, problems } = await lab.openApp();
  await node(page, 'follower-1').click();
  await page.getByRole('tab', { name: 'Rows' }).click();
  await page.getByRole('radio', { name: '1×', exact: true }).check();
  const count = () => page.evaluate(() => document.getElementsByTagName('*').length);
  const writes = async (n) => {
    for (let i = 0; i < n; i += 1) {
      await button(page, 'Run').click();
      await button(page, 'Play').click();
      await page.waitForTimeout(40);
      await button(page, 'Pause').click();
    }
    await button(page, 'Play').click();
    await page.waitForTimeout(2_000); // the last rows reach the follower (1×: slowed while they travel)
    await button(page, 'Pause').click();
  };
  const before = await count();
  await writes(30);
  const mid = await count();
  await writes(60);
  const late = await count();
  const where = await page.locator('.pager-where').first().textContent();
  const total = Number(where.match(/of (\d+)/)[1]);
  assert.ok(total >= 85, `the follower has the rows: ${where}`);
  assert.ok((await page.locator('.rows-table tbody tr').count()) <= 20, 'one page of rows');
  assert.ok((await page.locator('.answers .answer').count()) <= 8, 'the newest answers');
  console.log(`DOM elements: ${before} at the start, ${mid} after 30 writes, ${late} after 90 (${total} rows)`);
  assert.ok(late - mid <= 40, `after 30 more writes the DOM grew by ${late - mid} elements (${mid} -> ${late})`);
  // Turning back a page shows earlier rows, and the pager says which.
  await page.getByRole('button', { name: '◀ Earlier' }).first().click();
  assert.match(await page.locator('.pager-where').first().textContent(), new RegExp(`^rows \\d+–\\d+ of ${total}$`));
  assert.deepEqual(problems, []);
});

test('axe-core finds nothing serious or critical: fresh, after a session with a crash, and on a phone', async () => {
  const { page, problems } = await lab.openApp();
  assert.deepEqual(await seriousFindings(page), [], 'fresh page');
  // A session: a write, a follower crashed, the event log filled, a refusal, a check opened.
  await button(page, 'Run').click();
  await page.getByRole('radio', { name: '1/20×', exact: true }).check();
  await button(page, 'Play').click();
  await page.waitForTimeout(800);
  await button(page, 'Pause').click();
  await node(page, 'follower-1').click();
  await page.locator('.node-actions button', { hasText: 'Crash' }).click();
  await node(page, 'client-1').click();
  await page.locator('.node-actions button', { hasText: 'Crash' }).click();
  await button(page, 'Run').click();
  await page.locator('.console .refusal').waitFor({ timeout: 2_000 });
  await page.locator('.check').first().click();
  assert.deepEqual(await seriousFindings(page), [], 'after a session');
  await page.screenshot({ path: `${SHOTS}/axe-session.png` });
  const phone = await openAt(390, 844);
  assert.deepEqual(await seriousFindings(phone.page), [], 'on a phone');
  assert.deepEqual(problems, []);
  assert.deepEqual(phone.problems, []);
});
