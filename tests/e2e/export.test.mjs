// End-to-end: saving the diagram for a slide, and the dark theme an embed asks for.
// "Save diagram" → SVG: the file parses, has the SVG namespace, names every node, carries the
// caption as its title line and the diagram's looks as attributes (rendered alone, in a page
// with no stylesheet, it still has the theme's colours: screenshot). → PNG: twice the
// diagram's size and not blank (the file itself is kept as a screenshot). Under a
// Content-Security-Policy without `img-src data:` the PNG fails with a message, not a panic.
// data-theme="dark" at 1280x800 and 480x320: axe finds nothing serious; screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { useLab, APP_PATH, SHOTS, button } from './harness.mjs';
import { seriousFindings } from './axe.mjs';

const lab = useLab();

/** Opens the app at `width` x `height`, under `csp` (a Content-Security-Policy header) if given. */
async function openWith(width, height, csp) {
  const opened = await lab.open('about:blank');
  await opened.page.setViewportSize({ width, height });
  if (csp) {
    await opened.page.route(`${lab.server.base}${APP_PATH}`, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': csp } });
    });
  }
  await opened.page.goto(lab.server.base + APP_PATH);
  await opened.page.locator('svg.cluster g.node').first().waitFor({ timeout: 15_000 });
  return opened;
}

/** A write on its way: the INSERT preset run and stepped until a labelled message is on a link. */
async function busy(page) {
  await page.getByRole('button', { name: /^Preset INSERT/ }).click();
  await button(page, 'Run').click();
  for (let i = 0; i < 20 && (await page.locator('svg.cluster .msg-label').count()) === 0; i += 1) {
    await button(page, 'Step').click();
  }
  assert.ok((await page.locator('svg.cluster .msg-label').count()) > 0, 'a labelled message is in flight');
}

/** Saves the diagram as `format` ('SVG' or 'PNG'); resolves to the downloaded file's path and name. */
async function save(page, format) {
  const menu = page.locator('details.export');
  if ((await menu.getAttribute('open')) === null) await menu.locator('summary').click();
  const [download] = await Promise.all([page.waitForEvent('download'), button(page, format).click()]);
  return { path: await download.path(), name: download.suggestedFilename() };
}

/** What the page shows: node names, the caption, the diagram's size on screen. */
function onScreen(page) {
  return page.evaluate(() => {
    const box = document.querySelector('svg.cluster').getBoundingClientRect();
    return {
      names: [...document.querySelectorAll('svg.cluster g.node')].map((g) => g.getAttribute('aria-label').split(',')[0]),
      caption: document.querySelector('.caption').textContent.trim().replace(/\s+/g, ' '),
      width: Math.round(box.width),
      height: Math.round(box.height),
      leaderFill: getComputedStyle(document.querySelector('svg.cluster .node-writable .shape')).fill,
      background: getComputedStyle(document.body).backgroundColor,
    };
  });
}

/** The SVG text parsed in `page`: parse errors, its root, texts, title line, a leader shape's fill attribute. */
function parsed(page, text) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const root = doc.documentElement;
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      root: root.localName,
      namespace: root.namespaceURI,
      width: Number(root.getAttribute('width')),
      height: Number(root.getAttribute('height')),
      texts: [...doc.querySelectorAll('text')].map((t) => t.textContent),
      title: [...doc.querySelectorAll('.export-caption')].map((t) => t.textContent).join(' '),
      background: doc.querySelector('rect')?.getAttribute('fill'),
      leaderFill: doc.querySelector('.node-writable .shape')?.getAttribute('fill'),
      labelSize: doc.querySelector('.msg-label')?.getAttribute('font-size') ?? null,
    };
  }, text);
}

/** PNG width and height from its IHDR chunk. */
function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG file');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test('SVG: the diagram as on screen, with its caption, its nodes and its looks, standalone', async () => {
  const { page, problems } = await openWith(1280, 800);
  await busy(page);
  const shown = await onScreen(page);
  const { path, name } = await save(page, 'SVG');
  assert.equal(name, 'replication-lab.svg');
  const text = readFileSync(path, 'utf8');
  assert.match(text, /^<\?xml [^>]*\?>\s*<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, 'a standalone SVG document');
  const svg = await parsed(page, text);
  assert.equal(svg.error, null, 'it parses as XML');
  assert.equal(svg.root, 'svg');
  assert.equal(svg.namespace, 'http://www.w3.org/2000/svg');
  for (const node of shown.names) assert.ok(svg.texts.includes(node), `${node} is named in the picture`);
  assert.ok(shown.caption.length > 0, 'the page has a caption to carry');
  assert.equal(svg.title, shown.caption, 'the caption is the title line');
  assert.equal(svg.width, shown.width, 'as wide as the diagram on screen');
  assert.ok(svg.height > shown.height, 'as tall as the diagram, plus the title line');
  assert.equal(svg.leaderFill, shown.leaderFill, "the leader's colour is written into the file");
  assert.equal(svg.background, shown.background, "on the page's background");
  assert.ok(svg.labelSize, 'message labels in flight keep their font size');
  await page.screenshot({ path: `${SHOTS}/export-page.png` });
  assert.match(await page.locator('.export-status').textContent(), /^Saved replication-lab\.svg\.$/);

  // Alone, with no stylesheet at all, it still looks like the diagram.
  copyFileSync(path, `${SHOTS}/export-diagram.svg`);
  const alone = await lab.context.newPage();
  await alone.setViewportSize({ width: svg.width, height: svg.height });
  await alone.goto(pathToFileURL(`${SHOTS}/export-diagram.svg`).href);
  const looks = await alone.evaluate(() => ({
    sheets: document.styleSheets.length,
    leader: getComputedStyle(document.querySelector('.node-writable .shape')).fill,
    nodeText: getComputedStyle(document.querySelector('.node text')).fontSize,
  }));
  assert.equal(looks.sheets, 0, 'the file needs no stylesheet');
  assert.equal(looks.leader, shown.leaderFill, 'alone, the leader keeps its colour');
  assert.notEqual(looks.nodeText, '16px', "alone, node text keeps the stylesheet's size, not the default");
  await alone.screenshot({ path: `${SHOTS}/export-svg-rendered.png` });
  await alone.close();
  assert.deepEqual(problems, []);
});

test('PNG: twice the size of the diagram on screen, and not blank', async () => {
  const { page, problems } = await openWith(1280, 800, "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
  await busy(page);
  const shown = await onScreen(page);
  const svg = await parsed(page, readFileSync((await save(page, 'SVG')).path, 'utf8'));
  const { path, name } = await save(page, 'PNG');
  assert.equal(name, 'replication-lab.png');
  const bytes = readFileSync(path);
  copyFileSync(path, `${SHOTS}/export-diagram.png`);
  const size = pngSize(bytes);
  assert.equal(size.width, 2 * shown.width, 'twice as wide as the diagram');
  assert.equal(size.height, 2 * svg.height, 'twice as tall as the SVG (diagram and title line)');

  // Decoded in a page of its own: how many pixels differ from the background, and how many colours.
  const viewer = await lab.context.newPage();
  const counts = await viewer.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const [r, g, b] = data;
    let other = 0;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) > 30) other += 1;
      if (i % 64 === 0) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    }
    return { corner: [r, g, b], share: other / (data.length / 4), colours: colours.size, opaque: data[3] };
  }, bytes.toString('base64'));
  await viewer.close();
  assert.equal(counts.opaque, 255, 'the background is painted, not transparent');
  assert.deepEqual(`rgb(${counts.corner.join(', ')})`, shown.background, "its corner is the page's background");
  assert.ok(counts.share > 0.02, `not blank: ${(counts.share * 100).toFixed(1)} % of pixels are drawn`);
  assert.ok(counts.colours > 8, `the nodes' colours are there (${counts.colours} colours sampled)`);
  assert.match(await page.locator('.export-status').textContent(), /^Saved replication-lab\.png\.$/);
  assert.deepEqual(problems, []);
});

test('PNG under a policy without img-src data: a message, not a panic; SVG still saves', async () => {
  const { page, problems } = await openWith(1280, 800, "img-src 'self' blob:");
  await page.locator('details.export summary').click();
  await button(page, 'PNG').click();
  const status = page.locator('.export-status');
  await status.filter({ hasText: 'Could not' }).waitFor({ timeout: 5_000 });
  assert.match(await status.textContent(), /Could not save the PNG: .*img-src data:/);
  const { name } = await save(page, 'SVG');
  assert.equal(name, 'replication-lab.svg', 'the lab keeps working');
  // The browser's own report of the refused image is expected; nothing else.
  assert.deepEqual(problems.filter((p) => !/(Loading|Refused to load) the image 'data:.*violates.*img-src/.test(p)), []);
});

test('dark theme: readable at 1280x800 and 480x320 (axe), and the saved picture is dark too', async () => {
  for (const [width, height] of [[1280, 800], [480, 320]]) {
    const { page, problems } = await openWith(width, height);
    await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
    await busy(page);
    const shown = await onScreen(page);
    assert.equal(shown.background, 'rgb(21, 22, 26)', 'the page is dark');
    if (width > 800) {
      // A crashed follower and an open menu: the dark theme's other states.
      await page.locator('svg.cluster g.node[aria-label^="follower-1,"]').click();
      await page.locator('.node-actions button', { hasText: 'Crash' }).click();
      await page.locator('details.export summary').click();
      await page.locator('details.export button').first().focus();
    }
    assert.deepEqual(await seriousFindings(page), [], `axe at ${width}x${height}, dark`);
    await page.evaluate(() => scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}/dark-theme-${width}x${height}.png` });
    if (width > 800) {
      const svg = await parsed(page, readFileSync((await save(page, 'SVG')).path, 'utf8'));
      assert.equal(svg.background, 'rgb(21, 22, 26)', 'the saved picture keeps the dark background');
    }
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('data-theme="light" keeps the light theme on a system that prefers dark', async () => {
  const { page, problems } = await lab.open('about:blank');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(lab.server.base + APP_PATH);
  await page.locator('svg.cluster g.node').first().waitFor({ timeout: 15_000 });
  assert.equal((await onScreen(page)).background, 'rgb(21, 22, 26)', 'the system preference is honoured');
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'light'));
  assert.equal((await onScreen(page)).background, 'rgb(251, 250, 247)', 'the explicit theme wins');
  assert.deepEqual(problems, []);
});

test('on a phone the control fits beside the Legend and saves', async () => {
  const { page, problems } = await openWith(390, 844);
  const menu = page.locator('details.export summary');
  const legend = page.locator('details.legend summary');
  const [a, b] = [await menu.boundingBox(), await legend.boundingBox()];
  await page.screenshot({ path: `${SHOTS}/export-390x844.png` });
  assert.ok(a.x >= 0 && a.x + a.width <= b.x, `left of the Legend toggle, on screen (${JSON.stringify([a, b])})`);
  assert.ok(Math.abs(a.y - b.y) < 2, 'on its line');
  const { name } = await save(page, 'PNG');
  assert.equal(name, 'replication-lab.png');
  await page.screenshot({ path: `${SHOTS}/export-390x844.png` });
  assert.deepEqual(problems, []);
});
