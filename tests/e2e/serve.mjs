// A tiny static file server on loopback for the end-to-end tests: serves dist/ under a
// sub-path (as a GitHub Pages project page would), plus a host page that embeds the lab in an
// iframe (as a documentation site would). No dependencies beyond Node itself.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

export const APP_PATH = '/docs/replication-lab/';
/** No inline script or style; WebAssembly compiled from the page's own files only. */
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

/** The embedding page; `?w=480&h=320` sizes its iframe (960 x 600 by default). */
const embedPage = (width, height) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Docs page</title></head>
<body><h1>Chapter 5: Replication</h1>
<iframe id="lab" title="Replication Lab" src="${APP_PATH}" width="${width}" height="${height}"></iframe>
</body></html>`;
const size = (value, fallback) => (/^[0-9]{2,4}$/.test(value ?? '') ? value : fallback);

/** Serves `root` at APP_PATH and the embedding page at /embed.html; resolves to the base URL. */
export function serve(root) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/embed.html') {
      res.writeHead(200, { 'content-type': TYPES['.html'] });
      res.end(embedPage(size(url.searchParams.get('w'), '960'), size(url.searchParams.get('h'), '600')));
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end(); // the host page's own icon: not the lab's concern
      return;
    }
    if (!url.pathname.startsWith(APP_PATH)) {
      res.writeHead(404).end('not found');
      return;
    }
    let rel = decodeURIComponent(url.pathname.slice(APP_PATH.length)) || 'index.html';
    rel = normalize(rel).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(root, rel));
      const headers = {
        'content-type': TYPES[extname(rel)] ?? 'application/octet-stream',
        // As GitHub Pages sends it: a sandboxed frame (an opaque origin) fetches the lab's
        // module script and wasm in CORS mode.
        'access-control-allow-origin': '*',
      };
      // `?csp=strict`: the page under the strictest policy the lab runs with.
      if (url.searchParams.get('csp') === 'strict') headers['content-security-policy'] = STRICT_CSP;
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ base: `http://127.0.0.1:${port}`, close: () => server.close() });
    });
  });
}
