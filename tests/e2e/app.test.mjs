// End-to-end: the release build in dist/, served on loopback under a sub-path, in headless
// Chromium. Run by scripts/test.sh after the release build (`node --test tests/e2e/`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useLab, APP_PATH, SHOTS } from './harness.mjs';

const lab = useLab();

test('the page renders the leader, two followers, a spare, two clients and etcd from the core', async () => {
  const { page, problems } = await lab.open();
  const nodes = page.locator('svg.cluster g.node');
  await nodes.first().waitFor({ timeout: 15_000 });
  const labels = await nodes.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')));
  assert.equal(labels.length, 7, `seven nodes, got ${JSON.stringify(labels)}`);
  assert.match(labels[0], /^leader, leader\b/);
  assert.match(labels[1], /^follower-1, follower\b/);
  assert.match(labels[2], /^follower-2, follower\b/);
  assert.match(labels[3], /^follower-3, follower\b.*empty spare/);
  assert.match(labels[4], /^client-1, client\b/);
  assert.match(labels[5], /^client-2, client\b/);
  assert.match(labels[6], /^etcd, coordinator, key: leader\b/);
  // The role is written on the node, not only coloured.
  const roles = await page.locator('svg.cluster .node-role').allTextContents();
  assert.deepEqual(roles, ['leader', 'follower', 'follower', 'follower', 'client', 'client', 'coordinator']);
  assert.equal(await page.title(), 'Replication Lab');
  await page.screenshot({ path: `${SHOTS}/app.png` });
  assert.deepEqual(problems, [], 'the console stays clean');
});

test('a node is selected from the keyboard and shown in the inspector', async () => {
  const { page, problems } = await lab.open();
  await page.locator('svg.cluster g.node').first().waitFor({ timeout: 15_000 });
  await page.locator('svg.cluster g.node').nth(2).focus();
  await page.keyboard.press('Enter');
  await assert.doesNotReject(
    page.locator('.inspector h2', { hasText: 'follower-2' }).waitFor({ timeout: 5_000 }),
  );
  assert.equal(await page.locator('svg.cluster g.node').nth(2).getAttribute('aria-pressed'), 'true');
  await page.screenshot({ path: `${SHOTS}/keyboard-select.png` });
  assert.deepEqual(problems, []);
});

test('the page works inside an iframe on another page', async () => {
  const { page, problems } = await lab.open(`${lab.server.base}/embed.html`);
  const frame = page.frameLocator('#lab');
  await frame.locator('svg.cluster g.node').first().waitFor({ timeout: 15_000 });
  assert.equal(await frame.locator('svg.cluster g.node').count(), 7);
  await page.screenshot({ path: `${SHOTS}/embedded.png` });
  assert.deepEqual(problems, []);
});
