// End-to-end: a stable diagram. Node centres do not move when a follower is promoted (the
// role changes its shape, not its place); the diagram keeps its size and place when a check's
// details open and the event log fills; in a 480 x 320 embed the header is one short line.
// Screenshots at 1280x800 (before and after a failover, trigger-based), 390x844 and 480x320.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useLab, APP_PATH, SHOTS, button, node } from './harness.mjs';

const lab = useLab();
const openAt = (width, height) => lab.openAt(width, height);

/** Each node's centre on screen (CSS pixels), by name, and its shape's kind. */
function centres(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('svg.cluster g.node')].map((g) => {
        const m = g.getScreenCTM();
        const name = g.getAttribute('aria-label').split(',')[0];
        return [name, { x: Math.round(m.e * 10) / 10, y: Math.round(m.f * 10) / 10, shape: g.querySelector('.shape').tagName }];
      }),
    ),
  );
}

/** The diagram's box on screen. */
function box(page) {
  return page.evaluate(() => {
    // In the document's coordinates: scrolling the page to a panel is no shift.
    const b = document.querySelector('svg.cluster').getBoundingClientRect();
    return { x: b.x + scrollX, y: b.y + scrollY, width: b.width, height: b.height };
  });
}

/** Plays at `speed` until `done()` holds (polling every 100 ms, at most `ms`), then pauses. */
async function playUntil(page, done, speed = '10×', ms = 15_000) {
  await page.getByRole('radio', { name: speed, exact: true }).check();
  await button(page, 'Play').click();
  const start = Date.now();
  let reached = false;
  while (Date.now() - start < ms) {
    if (await done()) {
      reached = true;
      break;
    }
    await page.waitForTimeout(100);
  }
  await button(page, 'Pause').click();
  return reached;
}

test('a failover changes shapes, not places: every node centre stays where it was', async () => {
  const { page, problems } = await openAt(1280, 800);
  // Fencing is on by default: the crashed leader's key expires, a follower is promoted.
  await button(page, 'Run').click();
  await playUntil(page, async () => (await page.locator('.answers .answer').count()) > 0, '1×', 3_000);
  const before = await centres(page);
  assert.equal(before.leader.shape, 'polygon', 'the leader a hexagon');
  assert.equal(before['follower-1'].shape, 'circle');
  await page.screenshot({ path: `${SHOTS}/layout-before-failover.png` });
  await node(page, 'leader').click();
  await page.locator('.node-actions button', { hasText: 'Crash' }).click();
  const promoted = async () =>
    (await page.locator('svg.cluster g.node.node-writable:not(.crashed)').count()) > 0;
  assert.ok(await playUntil(page, promoted), 'a follower is promoted');
  const after = await centres(page);
  const leader = Object.keys(after).find((n) => n.startsWith('follower') && after[n].shape === 'polygon');
  assert.ok(leader, `a follower drawn as the writable shape: ${JSON.stringify(after)}`);
  for (const name of Object.keys(before)) {
    assert.deepEqual([after[name].x, after[name].y], [before[name].x, before[name].y], `${name} stayed in place`);
  }
  assert.equal(after[leader].y, after['follower-3'].y, `${leader} is drawn in the replicas' row`);
  // Every message on screen sits on a drawn link (the messages group is drawn along paths).
  await page.screenshot({ path: `${SHOTS}/layout-after-failover.png` });
  assert.deepEqual(problems, []);
});

test('the diagram keeps its size and place when a check opens and the event log fills', async () => {
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    const { page, problems } = await openAt(width, height);
    const first = await box(page);
    await page.screenshot({ path: `${SHOTS}/layout-${width}x${height}.png` });
    await page.locator('.checks .check').first().click();
    await page.locator('#check-details').waitFor();
    assert.deepEqual(await box(page), first, `${width}: a check's details open`);
    for (let i = 0; i < 4; i += 1) {
      await button(page, 'Run').click();
      // At 1× playing slows while a statement's messages travel: about 1.3 s a statement.
      await playUntil(page, async () => false, '1×', 1_500);
    }
    assert.ok((await page.locator('.events .event').count()) >= 6, 'the event log filled');
    assert.deepEqual(await box(page), first, `${width}: the event log filled`);
    await page.locator('.event-log summary').click();
    assert.deepEqual(await box(page), first, `${width}: the event log closed`);
    await page.locator('.event-log summary').click();
    await page.locator('.checks .check').nth(1).click();
    assert.deepEqual(await box(page), first, `${width}: another check open`);
    await page.screenshot({ path: `${SHOTS}/layout-panels-${width}x${height}.png` });
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('trigger-based replication: the applier is a hub between the leader and its subscribers', async () => {
  const { page, problems } = await openAt(1280, 800);
  await page.locator('#method-picker').selectOption({ label: 'Trigger' });
  await node(page, 'applier').waitFor();
  const at = await centres(page);
  assert.equal(at.applier.y, at.leader.y, 'the applier in the leader\'s row');
  for (const f of ['follower-1', 'follower-2']) assert.ok(at[f].y > at.applier.y, `${f} below it`);
  await button(page, 'Run').click();
  await playUntil(page, async () => (await page.locator('svg.cluster .messages .message').count()) >= 2, '1/20×', 5_000);
  await page.screenshot({ path: `${SHOTS}/layout-trigger.png` });
  assert.deepEqual(problems, []);
});

test('in a 480 x 320 embed the header is one line and the diagram gets the room', async () => {
  const { page, problems } = await lab.open(`${lab.server.base}/embed.html?w=480&h=320`);
  await page.frameLocator('#lab').locator('svg.cluster g.node').first().waitFor({ timeout: 15_000 });
  const frame = page.frames().find((f) => f.url().includes(APP_PATH));
  const sizes = await frame.evaluate(() => {
    const header = document.querySelector('.header').getBoundingClientRect();
    const svg = document.querySelector('svg.cluster').getBoundingClientRect();
    return { header: header.height, svg: svg.height, scrollWidth: document.scrollingElement.scrollWidth, innerWidth };
  });
  assert.ok(sizes.header <= 48, `the header is ${sizes.header} px tall`);
  assert.ok(sizes.svg >= 300, `the diagram is ${sizes.svg} px tall`);
  assert.ok(sizes.scrollWidth <= sizes.innerWidth, `${sizes.scrollWidth} px wide in ${sizes.innerWidth}`);
  // The pickers are still there, on that line.
  assert.ok(await frame.locator('#method-picker').isVisible(), 'the method picker is shown');
  await page.locator('#lab').screenshot({ path: `${SHOTS}/layout-480x320.png` });
  assert.deepEqual(problems, []);
});
