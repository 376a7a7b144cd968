// A small static server for build/web/ (make serve); also used by the browser tests.
//   node web/serve.mjs [DIR] [--port N] [--cdn]   (default build/web, port 8000; 0 picks a free one)
// It serves Preact and htm from node_modules, the very files the import map pins
// (same SRI hashes), so the page needs no network; --cdn keeps the CDN URLs.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withCsp } from './csp.mjs';
import { ROOT, cdnToLocal } from './vendor.mjs';

const CDN_PREFIX = 'https://cdn.jsdelivr.net/npm/';
const LOCAL_PREFIX = '_npm/';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Serve dir on 127.0.0.1; resolves to {server, url}. */
export function startServer({ dir = join(ROOT, 'build', 'web'), port = 8000, host = '127.0.0.1', localVendor = false } = {}) {
  const base = resolve(dir);
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (localVendor && path.startsWith(`/${LOCAL_PREFIX}`)) {
      const loc = cdnToLocal(CDN_PREFIX + path.slice(LOCAL_PREFIX.length + 1));
      const modules = join(ROOT, 'node_modules') + sep;
      if (!loc || !resolve(loc.file).startsWith(modules) || extname(loc.file) !== '.js' || !existsSync(loc.file)) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': TYPES['.js'], 'cache-control': 'no-cache' }).end(readFileSync(loc.file));
      return;
    }
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      const st = statSync(file);
      if (localVendor && extname(file) === '.html' && file.endsWith('index.html')) {
        const page = withCsp(readFileSync(file, 'utf8').split(CDN_PREFIX).join(`/${LOCAL_PREFIX}`), { offline: false });
        res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-cache' }).end(req.method === 'HEAD' ? undefined : page);
        return;
      }
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] || 'application/octet-stream',
        'content-length': st.size,
        'cache-control': 'no-cache',
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok({ server, url: `http://${host}:${server.address().port}/` }));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const pi = args.indexOf('--port');
  const port = pi >= 0 ? Number(args.splice(pi, 2)[1]) : Number(process.env.PORT || 8000);
  const ci = args.indexOf('--cdn');
  const localVendor = ci < 0;
  if (ci >= 0) args.splice(ci, 1);
  const dir = args[0] ? resolve(args[0]) : undefined;
  startServer({ dir, port, localVendor }).then(({ url }) => {
    console.log(`Serving ${dir || 'build/web'} at ${url}  (Ctrl-C stops)`);
    console.log(localVendor ? 'Preact and htm come from node_modules: no network needed.' : 'The page loads Preact from cdn.jsdelivr.net; build/gpu-mem-calc.html works with no network.');
  }, (e) => {
    console.error(`serve: ${e.message}`);
    process.exit(1);
  });
}
