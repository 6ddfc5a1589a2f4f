// What every end-to-end test file shares: before its tests, the release build in dist/ is
// served on loopback (under a sub-path, as a project page would be) and Debian's Chromium is
// launched; after them, both stop. `lab.openApp()` opens the page and waits until the core
// has drawn the cluster.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { serve, APP_PATH } from './serve.mjs';
import { launch, open } from './browser.mjs';

export { APP_PATH };
export const SHOTS = 'target/screenshots';
const DIST = 'dist';

/** The button named `name` (exactly). */
export const button = (page, name) => page.getByRole('button', { name, exact: true });
/** The diagram's node named `name`. */
export const node = (page, name) => page.locator(`svg.cluster g.node[aria-label^="${name},"]`);

/** Registers the before/after hooks of one test file; returns its handles. */
export function useLab() {
  const lab = {
    server: null,
    context: null,
    /** Opens `url` (default: the app) and collects console errors and page errors. */
    open(url) {
      return open(lab.context, url ?? lab.server.base + APP_PATH);
    },
    /** Opens the app in a `width` x `height` viewport. */
    async openAt(width, height) {
      const opened = await lab.open('about:blank');
      await opened.page.setViewportSize({ width, height });
      await opened.page.goto(lab.server.base + APP_PATH);
      await opened.page.locator('svg.cluster g.node').first().waitFor({ timeout: 15_000 });
      return opened;
    },
    async openApp() {
      const opened = await lab.open();
      await opened.page.locator('svg.cluster g.node').first().waitFor({ timeout: 15_000 });
      return opened;
    },
  };
  before(async () => {
    assert.ok(existsSync(`${DIST}/index.html`), 'dist/ is missing: run scripts/build-release.sh first');
    mkdirSync(SHOTS, { recursive: true });
    lab.server = await serve(DIST);
    lab.context = await launch();
  });
  after(async () => {
    await lab.context?.close();
    lab.server?.close();
  });
  return lab;
}
