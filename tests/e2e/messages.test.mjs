// End-to-end: messages in flight a class can read from the back row. At 1280 x 800, with
// INSERTs on their way, paused at many moments: every message label is 16 px or more on
// screen, no two labels overlap, no label covers a node's shape or text, and the labels speak
// the method's words (every message's words are tested on the host, tests/view_messages.rs;
// here, those that find room); the legend opens from the keyboard without resizing the diagram; on a
// phone and in a 480 x 320 embed the labels stay 12 px or more and never overlap. Screenshots
// go to target/screenshots/ (messages-*.png); with README_SHOT=1 the 1280 x 800 one also
// replaces the README's (static/screenshot.png). The cost of a frame with 7 nodes and ~200
// messages in flight is written to target/frame-report.txt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { useLab, APP_PATH, SHOTS, button } from './harness.mjs';

const lab = useLab();
const openAt = (width, height) => lab.openAt(width, height);

/** The diagram's messages, labels and nodes' boxes on screen, in CSS pixels. */
async function measure(page) {
  // What a person sees: the frame after the step has been drawn and the layout has settled.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  return page.evaluate(() => {
    const svg = document.querySelector('svg.cluster');
    const scale = svg.getScreenCTM().a;
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    };
    const labels = [...svg.querySelectorAll('.messages .msg-label')].map((t) => ({
      text: t.textContent,
      px: parseFloat(getComputedStyle(t).fontSize) * scale,
      box: box(t),
    }));
    const nodes = [...svg.querySelectorAll('g.node')].flatMap((g) =>
      [...g.querySelectorAll('.shape, text')]
        .filter((el) => el.textContent.trim() !== '' || el.classList.contains('shape'))
        .map((el) => ({ what: `${g.getAttribute('aria-label').split(',')[0]}: ${el.textContent || 'shape'}`, box: box(el) })),
    );
    // The glyphs of a kind are one path, a subpath (`M`) each.
    const glyphs = [...svg.querySelectorAll('.messages .msg')].reduce((n, p) => n + (p.getAttribute('d').match(/M/g) ?? []).length, 0);
    return { labels, nodes, glyphs, svg: box(svg) };
  });
}

// Half a pixel of anti-aliasing is not an overlap.
const overlap = (a, b) =>
  a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;

/** Every promise about the labels on screen now; returns the measurement. */
async function assertReadable(page, minPx, moment) {
  const m = await measure(page);
  for (const l of m.labels) {
    assert.ok(l.px >= minPx, `${moment}: label "${l.text}" is ${l.px.toFixed(1)} px (diagram ${m.svg.right - m.svg.left} px wide)`);
    assert.ok(
      l.box.left >= m.svg.left - 1 && l.box.right <= m.svg.right + 1 && l.box.top >= m.svg.top - 1 && l.box.bottom <= m.svg.bottom + 1,
      `${moment}: label "${l.text}" leaves the diagram`,
    );
  }
  m.labels.forEach((a, i) =>
    m.labels.slice(i + 1).forEach((b) => assert.ok(!overlap(a.box, b.box), `${moment}: labels "${a.text}" and "${b.text}" overlap`)),
  );
  for (const l of m.labels) {
    for (const n of m.nodes) {
      assert.ok(!overlap(l.box, n.box), `${moment}: label "${l.text}" covers ${n.what}`);
    }
  }
  return m;
}

/** Runs the INSERT preset from the console. */
async function insert(page) {
  await page.getByRole('button', { name: /^Preset INSERT/ }).click();
  await button(page, 'Run').click();
}

test('at 1280 x 800 the labels of messages in flight are 16 px or more, never overlap, and speak the method', async () => {
  const { page, problems } = await openAt(1280, 800);
  await insert(page);
  let most = { labels: [], glyphs: 0 };
  const seen = new Set();
  for (let step = 0; step < 60; step += 1) {
    // A second and a third INSERT on their way while the first is still travelling.
    if (step === 6 || step === 12) await insert(page);
    await button(page, 'Step').click();
    const m = await assertReadable(page, 16, `step ${step}`);
    m.labels.forEach((l) => seen.add(l.text));
    if (m.labels.length > most.labels.length) {
      most = m;
      await page.screenshot({ path: `${SHOTS}/messages-1280.png` });
    }
  }
  console.log(`most labels at once: ${most.labels.length} (of ${most.glyphs} messages): ${most.labels.map((l) => l.text).join(' | ')}`);
  assert.ok(most.labels.length >= 3, `several labels at once (${most.labels.length})`);
  const words = [...seen];
  assert.ok(words.some((w) => /^WAL 0\/[0-9A-F]{8}$/.test(w)), `WAL and its LSN: ${words}`);
  assert.ok(words.some((w) => /^ack: flushed 0\/[0-9A-F]{8}$/.test(w)), `an ack says what it reports: ${words}`);
  assert.ok(!words.some((w) => /^(entry|ack w)/.test(w)), `no shorthand left: ${words}`);
  if (process.env.README_SHOT) copyFileSync(`${SHOTS}/messages-1280.png`, 'static/screenshot.png');
  assert.deepEqual(problems, []);
});

test('the legend opens from the keyboard over the diagram, which keeps its size', async () => {
  const { page, problems } = await openAt(1280, 800);
  const svg = page.locator('svg.cluster');
  const before = await svg.boundingBox();
  const summary = page.locator('.legend summary');
  assert.equal(await summary.textContent(), 'Legend', 'a visible name');
  // Reached with Tab like any control: from the control just before it in the page.
  await page.locator('#method-picker').focus();
  for (let i = 0; i < 20 && !(await summary.evaluate((s) => s === document.activeElement)); i += 1) {
    await page.keyboard.press('Tab');
  }
  assert.ok(await summary.evaluate((s) => s === document.activeElement), 'Tab reaches the legend');
  await page.keyboard.press('Enter');
  const legend = page.locator('.legend');
  assert.equal(await legend.getAttribute('open'), '');
  const text = await legend.textContent();
  for (const term of ['filled', 'hollow', 'dot', 'square', 'written', 'flushed', 'applied', 'LSN', 'binlog position', 'storage v16']) {
    assert.ok(text.includes(term), `the legend explains "${term}"`);
  }
  assert.deepEqual(await svg.boundingBox(), before, 'the diagram keeps its size and place');
  await page.screenshot({ path: `${SHOTS}/messages-legend-1280.png` });
  await page.keyboard.press('Enter');
  assert.equal(await legend.getAttribute('open'), null, 'Enter closes it again');
  assert.deepEqual(problems, []);
});

for (const [width, height] of [[390, 844], [480, 320]]) {
  test(`at ${width} x ${height} message labels stay 12 px or more and never overlap`, async () => {
    const { page, problems } = await openAt(width, height);
    await insert(page);
    let most = -1;
    for (let step = 0; step < 30; step += 1) {
      if (step === 5) await insert(page);
      await button(page, 'Step').click();
      const m = await assertReadable(page, 12, `${width}x${height} step ${step}`);
      if (m.labels.length > most) {
        most = m.labels.length;
        await page.locator('svg.cluster').scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${SHOTS}/messages-${width}x${height}.png` });
      }
    }
    assert.ok(most >= 1, 'a label at some moment');
    assert.deepEqual(problems, []);
  });
}

/** Plays at 1/1000x (messages stay in flight, moving every frame) for 2 s of frames: the gap
 * between frames, and each frame's own work — from its animation callbacks to the first task
 * after it, which runs once the frame's scripts, style, layout and paint are done. */
async function frames(page) {
  await page.getByRole('radio', { name: '1/1000×', exact: true }).check();
  await button(page, 'Play').click();
  const { gaps, work } = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const gaps = [];
        const work = [];
        const channel = new MessageChannel();
        let started = 0;
        channel.port1.onmessage = () => work.push(performance.now() - started);
        let last = performance.now();
        const until = last + 2_000;
        const frame = (now) => {
          gaps.push(now - last);
          last = now;
          started = performance.now();
          channel.port2.postMessage(null);
          if (now < until) requestAnimationFrame(frame);
          else setTimeout(() => resolve({ gaps, work }), 50);
        };
        requestAnimationFrame(frame);
      }),
  );
  await button(page, 'Pause').click();
  const stats = (xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
    return { n: xs.length, median: at(0.5), p95: at(0.95), worst: sorted.at(-1) };
  };
  return { gaps: stats(gaps), work: stats(work) };
}

/** How many message glyphs the diagram draws (the glyphs of a kind are one path, a subpath each). */
const glyphCount = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('svg.cluster .messages .msg')].reduce((n, p) => n + (p.getAttribute('d').match(/M/g) ?? []).length, 0),
  );

test('a frame with 7 nodes and about 200 messages in flight fits in 16.7 ms, reported', async () => {
  const { page, problems } = await openAt(1280, 800);
  const nodes = await page.locator('svg.cluster g.node').count();
  assert.equal(nodes, 7);
  // First the same page with only heartbeats on their way, for comparison.
  const quiet = { before: await glyphCount(page), ...(await frames(page)), after: await glyphCount(page) };
  // Paused, every Run sends at once: 100 INSERTs from each client are in flight together.
  await page.getByRole('button', { name: /^Preset INSERT/ }).click();
  for (const client of ['client-1', 'client-2']) {
    await page.locator('#sql-client').selectOption({ label: client });
    for (let i = 0; i < 100; i += 1) await button(page, 'Run').click();
  }
  const before = await glyphCount(page);
  assert.ok(before >= 190, `${before} messages in flight`);
  const busy = { before, ...(await frames(page)), after: await glyphCount(page) };
  const line = (name, s) =>
    `  ${name.padEnd(20)} n=${String(s.n).padStart(4)}  median ${s.median.toFixed(1).padStart(5)} ms  p95 ${s.p95.toFixed(1).padStart(5)} ms  worst ${s.worst.toFixed(1).padStart(5)} ms`;
  const block = (title, r) => [
    `${title}: ${r.before} messages in flight at the start, ${r.after} at the end`,
    line('work per frame', r.work),
    line('gap between frames', r.gaps),
  ];
  const report = [
    'Replication Lab: the cost of a frame with messages in flight (node --test tests/e2e/messages.test.mjs)',
    `headless Chromium, 1280 x 800, ${nodes} nodes, playing at 1/1000x for 2 s each`,
    ...block('busy', busy),
    ...block('quiet (the same page before the writes)', quiet),
    "work per frame: from the frame's animation callbacks to the first task after it (scripts, style, layout, paint).",
    'target: p95 work per frame <= 16.7 ms (one frame at 60 Hz)',
    `machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (other work on the machine shows in the tail)`,
    '',
  ].join('\n');
  writeFileSync('target/frame-report.txt', report);
  console.log(report);
  assert.ok(busy.after >= 150, `about 200 messages in flight while measured (${busy.before} then ${busy.after})`);
  // A typical frame fits in one at 60 Hz; the tail, which a busy machine stretches, is
  // reported above and asserted loosely (a frame at most now and then drops one).
  assert.ok(busy.work.median <= 16.7, `median work per frame ${busy.work.median.toFixed(1)} ms`);
  assert.ok(busy.work.p95 <= 33.4, `p95 work per frame ${busy.work.p95.toFixed(1)} ms`);
  assert.deepEqual(problems, []);
});
