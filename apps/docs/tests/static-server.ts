/**
 * A static file server for the built site (.vitepress/dist) on 127.0.0.1,
 * resolving clean URLs as VitePress's hosting does (`/guide/x` → `guide/x.html`)
 * and answering 404 for anything else, so the crawl sees real misses.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.gz': 'application/gzip',
  '.wasm': 'application/wasm',
};

function resolveFile(root: string, pathname: string): string | null {
  const clean = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, '');
  const candidates = [join(root, clean), join(root, `${clean}.html`), join(root, clean, 'index.html')];
  return candidates.find((candidate) => candidate.startsWith(root) && existsSync(candidate) && statSync(candidate).isFile()) ?? null;
}

/** Serves `root`; resolves with the server and its base URL once listening. */
export function serveStatic(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1');
    const file = resolveFile(root, pathname);
    if (file === null) {
      const notFound = join(root, '404.html');
      response.writeHead(404, { 'content-type': TYPES['.html']! });
      response.end(existsSync(notFound) ? readFileSync(notFound) : 'not found');
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}
