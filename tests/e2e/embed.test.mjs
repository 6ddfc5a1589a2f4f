// End-to-end: embedding. The example host page (www/embed-example.html) drives two sandboxed
// embeds independently through postMessage — replies carry the request's id, updates come
// back from the lab that moved and only from it; messages from an origin the lab does not
// accept are not answered; the host page's keys stay the host's; the page loads under a
// strict Content Security Policy with no console error and no violation. Screenshots: the
// embed at 480x320 (full and compact controls) and the example page at 1280x800.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useLab, APP_PATH, SHOTS, node } from './harness.mjs';

const lab = useLab();
const EXAMPLE = () => `${lab.server.base}${APP_PATH}embed-example.html`;

/** Sends `type` to the frame `#id` of the host page; resolves with the reply, or `null` after `wait` ms. */
function ask(page, id, type, fields = {}, wait = 5_000) {
  return page.evaluate(
    ({ id, type, fields, wait }) =>
      new Promise((resolve) => {
        const frame = document.getElementById(id);
        const request = `test-${Math.random()}`;
        const timer = setTimeout(() => resolve(null), wait);
        addEventListener('message', function on(event) {
          if (event.source === frame.contentWindow && event.data?.id === request) {
            removeEventListener('message', on);
            clearTimeout(timer);
            resolve(event.data);
          }
        });
        frame.contentWindow.postMessage({ api: 'replication-lab', v: 1, id: request, type, ...fields }, '*');
      }),
    { id, type, fields, wait },
  );
}

/** Records CSP violations in every frame of the page from its first script on. */
async function watchViolations(page) {
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
}

async function openExample() {
  const opened = await lab.open('about:blank');
  await opened.page.setViewportSize({ width: 1280, height: 800 });
  await opened.page.goto(EXAMPLE());
  for (const id of ['lab-async', 'lab-sync']) {
    await opened.page.frameLocator(`#${id}`).locator('svg.cluster g.node').first().waitFor({ timeout: 20_000 });
  }
  return opened;
}

test('two sandboxed embeds on one page are driven independently through postMessage', async () => {
  const { page, problems } = await openExample();
  for (const id of ['lab-async', 'lab-sync']) {
    assert.equal(await page.locator(`#${id}`).getAttribute('sandbox'), 'allow-scripts');
  }
  // Replies carry the request's id, with the lab's nodes.
  const state = await ask(page, 'lab-async', 'get_state');
  assert.equal(state.ok, true);
  assert.match(state.id, /^test-/);
  const leader = state.nodes.find((n) => n.name === 'leader');
  assert.equal(leader.role, 'leader');
  assert.equal(state.time, 0);

  // The prose's buttons: write a row, crash the leader, play — in the first lab only.
  await page.getByRole('button', { name: 'Write a row' }).first().click();
  await page.getByRole('button', { name: 'now crash the leader' }).click();
  await page.getByRole('button', { name: 'play' }).first().click();
  const async = page.frameLocator('#lab-async');
  await async.locator('svg.cluster g.node[aria-label^="leader,"]').filter({ hasText: 'crashed' }).first()
    .waitFor({ timeout: 5_000 }).catch(() => {});
  await page.waitForFunction(() => window.labMessages.some((m) => m.lab === 'async' && m.type === 'update' && m.events.length > 0), null, { timeout: 10_000 });
  await page.getByRole('button', { name: 'Pause' }).first().click();
  const after = await ask(page, 'lab-async', 'get_state');
  assert.ok(after.time > 0, `the first lab played: ${after.time}`);
  assert.match(after.nodes.find((n) => n.name === 'leader').state, /crashed|down/i, JSON.stringify(after.nodes[0]));
  // The second lab did not move, heard nothing, and sent no update of the first's events.
  const other = await ask(page, 'lab-sync', 'get_state');
  assert.equal(other.time, 0, 'the second lab stays at 0');
  assert.ok(other.nodes.every((n) => !/crashed/.test(n.state)), JSON.stringify(other.nodes));
  const syncUpdates = await page.evaluate(() => window.labMessages.filter((m) => m.lab === 'sync' && m.type === 'update' && m.events.length > 0));
  assert.deepEqual(syncUpdates, []);
  // Events came back from the first lab, with their sentences.
  const events = await page.evaluate(() => window.labMessages.filter((m) => m.lab === 'async' && m.type === 'update').flatMap((m) => m.events.map((e) => e.text)));
  assert.ok(events.some((e) => /leader/.test(e)), JSON.stringify(events.slice(0, 5)));
  assert.match(await page.locator('#log-async').textContent(), /s {2}\S/);

  // Now the second lab steps on its own; the first keeps its time.
  const stepped = await ask(page, 'lab-sync', 'step');
  assert.equal(stepped.ok, true);
  assert.ok(stepped.time > 0, `the second lab stepped: ${stepped.time}`);
  assert.equal((await ask(page, 'lab-async', 'get_state')).time, after.time);

  await page.screenshot({ path: `${SHOTS}/embed-example-1280x800.png` });
  assert.deepEqual(problems, [], 'no console errors');
});

test('bad requests get an error naming what was wrong, with their id', async () => {
  const { page, problems } = await openExample();
  const unknown = await ask(page, 'lab-async', 'dance');
  assert.equal(unknown.ok, false);
  assert.match(unknown.error, /unknown type `dance`/);
  assert.match(unknown.id, /^test-/);
  const refused = await ask(page, 'lab-async', 'action', { action: { promote: 0 } });
  assert.equal(refused.ok, false);
  assert.match(refused.error, /^refused: /);
  const link = await ask(page, 'lab-async', 'load_state', { state: 'not a link!' });
  assert.equal(link.ok, false);
  assert.match(link.error, /not base64url/);
  const lesson = await ask(page, 'lab-async', 'load_lesson', { lesson: 'failover' });
  assert.equal(lesson.ok, false);
  assert.match(lesson.error, /no built-in lesson "failover" \(the lessons are: leaders-and-followers, /);
  const noLesson = await ask(page, 'lab-async', 'go_to_step', { step: 2 });
  assert.equal(noLesson.ok, false);
  assert.match(noLesson.error, /no lesson is open/);
  const seek = await ask(page, 'lab-async', 'seek', { time: 1_500_000 });
  assert.equal(seek.time, 1_500_000);
  assert.deepEqual(problems, []);
});

test('a host page opens a lesson at a step and moves between steps; a link names one too', async () => {
  const { page, problems } = await openExample();
  const frame = page.frameLocator('#lab-async');
  const opened = await ask(page, 'lab-async', 'load_lesson', { lesson: 'leaders-and-followers', step: 2 });
  assert.equal(opened.ok, true, JSON.stringify(opened));
  await frame.locator('.lesson-where').filter({ hasText: 'step 2 of' }).waitFor({ timeout: 5_000 });
  const updated = () => page.evaluate(() => window.labMessages.filter((m) => m.lab === 'async' && m.type === 'update').map((m) => m.step));
  await page.waitForFunction(() => window.labMessages.some((m) => m.lab === 'async' && m.type === 'update' && m.step === 2), null, { timeout: 5_000 });
  // Past the lesson's last step: an error naming the range; the lab stays where it was.
  const tooFar = await ask(page, 'lab-async', 'go_to_step', { step: 99 });
  assert.equal(tooFar.ok, false);
  assert.match(tooFar.error, /the lesson's steps are 1 to \d+, not 99/);
  // Forward past a question a student has not answered: a host page may, as a teacher does.
  const moved = await ask(page, 'lab-async', 'go_to_step', { step: 4 });
  assert.equal(moved.ok, true, JSON.stringify(moved));
  await frame.locator('.lesson-where').filter({ hasText: 'step 4 of' }).waitFor({ timeout: 5_000 });
  assert.ok((await updated()).includes(4), JSON.stringify(await updated()));
  // Back is exact: step 2 again shows what it showed.
  await ask(page, 'lab-async', 'go_to_step', { step: 2 });
  await frame.locator('.lesson-where').filter({ hasText: 'step 2 of' }).waitFor({ timeout: 5_000 });
  // The other lab has no lesson.
  assert.equal(await page.frameLocator('#lab-sync').locator('.lesson-panel').count(), 0);
  assert.deepEqual(problems, []);

  // A link naming a lesson and a step opens there; an unknown lesson says so and the lab stays.
  const linked = await lab.open(`${lab.server.base}${APP_PATH}?lesson=failover-lost-write&step=3`);
  await linked.page.locator('.lesson-where').filter({ hasText: 'step 3 of' }).waitFor({ timeout: 15_000 });
  // Inside a lesson, "Copy link" shares the lesson at its step; the link reopens there.
  await linked.page.getByRole('button', { name: 'Next', exact: false }).first().click();
  await linked.page.locator('.lesson-where').filter({ hasText: 'step 4 of' }).waitFor({ timeout: 5_000 });
  await linked.page.getByRole('button', { name: 'Copy link' }).click();
  const shared = await linked.page.locator('.share-field').inputValue();
  assert.match(shared, /#lesson=failover-lost-write&step=4$/);
  assert.deepEqual(linked.problems, []);
  const reopened = await lab.open(shared);
  await reopened.page.locator('.lesson-where').filter({ hasText: 'step 4 of' }).waitFor({ timeout: 15_000 });
  assert.deepEqual(reopened.problems, []);
  const unknown = await lab.open(`${lab.server.base}${APP_PATH}?lesson=nope`);
  await unknown.page.getByText(/The link's lesson did not open: no built-in lesson "nope"/).first().waitFor({ timeout: 15_000 });
  assert.ok(await unknown.page.locator('svg.cluster g.node').count() > 0, 'the default lab is there');
  assert.deepEqual(unknown.problems, []);
});

test('a lab answers only the origins it accepts', async () => {
  const { page, problems } = await openExample();
  await page.evaluate((src) => {
    for (const [id, query] of [['elsewhere', '&origin=https://docs.example'], ['given', `&origin=${location.origin}`]]) {
      const frame = document.createElement('iframe');
      frame.id = id;
      frame.sandbox = 'allow-scripts';
      frame.title = id;
      frame.src = `${src}?embed=1${query}`;
      document.body.append(frame);
    }
  }, `${lab.server.base}${APP_PATH}`);
  for (const id of ['elsewhere', 'given']) {
    await page.frameLocator(`#${id}`).locator('svg.cluster g.node').first().waitFor({ timeout: 20_000 });
  }
  assert.equal(await ask(page, 'elsewhere', 'get_state', {}, 1_500), null, 'another origin is not answered');
  assert.equal((await ask(page, 'given', 'get_state')).ok, true, 'the origin given is answered');
  assert.deepEqual(problems, []);
});

test("the host page's keys stay the host's until the lab has focus", async () => {
  const { page, problems } = await openExample();
  await page.locator('h1').click();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowRight');
  const still = await ask(page, 'lab-async', 'get_state');
  assert.equal(still.playing, false);
  assert.equal(still.time, 0, 'a key on the host page does not move the lab');
  // Focus in the lab: its keys work.
  await page.frameLocator('#lab-async').locator('svg.cluster g.node').first().focus();
  await page.keyboard.press('ArrowRight');
  assert.ok((await ask(page, 'lab-async', 'get_state')).time > 0, 'with focus, → steps the lab');
  assert.deepEqual(problems, []);
});

test('under a strict Content Security Policy the lab loads and works with no error and no violation', async () => {
  const opened = await lab.open('about:blank');
  const { page, problems } = opened;
  await watchViolations(page);
  await page.goto(`${lab.server.base}${APP_PATH}?csp=strict`);
  const response = await page.request.get(`${lab.server.base}${APP_PATH}?csp=strict`);
  assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
  await page.locator('svg.cluster g.node').first().waitFor({ timeout: 20_000 });
  // Act, so that the slider's marks (placed by a style) and the event log draw too.
  await node(page, 'follower-1').click();
  await page.locator('.node-actions button', { hasText: 'Crash' }).click();
  await page.locator('.timeline-track .mark').first().waitFor({ timeout: 5_000 });
  const left = await page.locator('.timeline-track .mark').first().evaluate((el) => getComputedStyle(el).left);
  assert.notEqual(left, 'auto', 'a mark is placed along the slider');
  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.locator('.share-field').waitFor();
  assert.deepEqual(await page.evaluate(() => window.__violations), [], 'no CSP violation');
  assert.deepEqual(problems, [], 'no console error');

  // The same in a sandboxed embed under the same policy.
  const host = await lab.open('about:blank');
  await watchViolations(host.page);
  await host.page.goto(EXAMPLE());
  await host.page.evaluate((src) => {
    const frame = document.createElement('iframe');
    frame.id = 'strict';
    frame.sandbox = 'allow-scripts';
    frame.title = 'strict';
    frame.src = src;
    document.body.append(frame);
  }, `${lab.server.base}${APP_PATH}?embed=1&csp=strict`);
  await host.page.frameLocator('#strict').locator('svg.cluster g.node').first().waitFor({ timeout: 20_000 });
  assert.equal((await ask(host.page, 'strict', 'step')).ok, true);
  assert.deepEqual(host.problems, []);
});

test('the embed is readable at 480 x 320, with full and compact controls', async () => {
  for (const [query, name] of [['?embed=1', 'embed-480x320'], ['?embed=1&controls=min', 'embed-min-480x320'], ['?embed=1&theme=dark&controls=min', 'embed-dark-480x320']]) {
    const { page, problems } = await lab.open('about:blank');
    await page.setViewportSize({ width: 480, height: 320 });
    await page.goto(`${lab.server.base}${APP_PATH}${query}`);
    await page.locator('svg.cluster g.node').first().waitFor({ timeout: 20_000 });
    const open = page.getByRole('link', { name: 'Open full lab ↗' });
    assert.equal(await open.getAttribute('target'), '_blank');
    const cluster = await page.locator('svg.cluster').boundingBox();
    assert.ok(cluster.height >= 150, `${name}: the diagram keeps the room (${cluster.height} px)`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 480, `${name}: nothing wider than the frame (${wide})`);
    if (query.includes('controls=min')) {
      assert.equal(await page.locator('.header').isVisible(), false, 'compact: no pickers');
      assert.equal(await page.getByRole('button', { name: 'Step', exact: true }).isVisible(), true);
    }
    if (query.includes('dark')) {
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    }
    await page.screenshot({ path: `${SHOTS}/${name}.png` });
    assert.deepEqual(problems, []);
  }
});
