/**
 * A tiny static file server (Node's http module) for the built page, on localhost only.
 *
 *   npm run page            # builds docs/demo/dist/ and serves it on http://127.0.0.1:8080/
 *   PORT=9000 npm run page
 */
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { buildPage, DEFAULT_OUT } from './build';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  // WebAssembly.instantiateStreaming requires this type.
  '.wasm': 'application/wasm',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `root` on 127.0.0.1 (`port` 0: any free port). GET and HEAD only; nothing outside root. */
export function serveStatic(root: string, port = 0): Promise<StaticServer> {
  const base = path.resolve(root);
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = path.join(base, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
    const inside = file === base || file.startsWith(base + path.sep);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !inside || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(inside ? 404 : 403, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'content-length': fs.statSync(file).size, 'cache-control': 'no-store' });
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${actual}/`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

async function main(): Promise<void> {
  const page = await buildPage();
  const server = await serveStatic(DEFAULT_OUT, Number(process.env.PORT ?? 8080));
  console.log(`tfjs-subspace demo${page.mnist ? ' (with MNIST)' : ''}: ${server.url}  (Ctrl-C to stop)`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
