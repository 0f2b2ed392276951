// The end-to-end check: a real HTTP server reached through two toxlink peers by a
// real HTTP client — many concurrent requests on kept-alive tunnels, byte-exact bodies,
// request bodies too, and a large download.
import test from 'ava';
import { createHash } from 'node:crypto';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { within } from './helpers.ts';
import { forwardSetup } from './setup.ts';

/** `n` bytes that depend on `n` only, so both ends can hash them. */
function body(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = (n * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** GET /N answers N bytes of body(N); POST answers the sha256 of what it was sent. */
async function httpServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method === 'POST') {
      const h = createHash('sha256');
      req.on('data', (c: Buffer) => h.update(c));
      req.on('end', () => res.end(h.digest('hex')));
      return;
    }
    const n = Number(req.url?.slice(1));
    const data = body(n);
    res.writeHead(200, { 'content-length': data.length });
    res.end(data);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function fetchVia(port: number, agent: Agent, method: string, path: string, payload?: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

test('an HTTP client and server through a tunnel: 48 concurrent requests on 8 kept-alive tunnels, then a 4 MB download', async (t) => {
  let http: Server | undefined;
  const s = await forwardSetup(t, {
    service: 'http',
    services: async () => {
      const h = await httpServer();
      http = h.server;
      return [{ name: 'http', target: `127.0.0.1:${h.port}` }];
    },
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  t.teardown(async () => {
    agent.destroy();
    http!.closeAllConnections();
    await new Promise<void>((resolve) => http!.close(() => resolve()));
  });

  const sizes = Array.from({ length: 40 }, (_, i) => 1 + ((i * 7919) % 100_000));
  const uploads = Array.from({ length: 8 }, (_, i) => body(50_000 + i));
  const results = await within(Promise.all([
    ...sizes.map((n) => fetchVia(s.port, agent, 'GET', `/${n}`)),
    ...uploads.map((u) => fetchVia(s.port, agent, 'POST', '/', u)),
  ]), 90_000, '48 requests');
  sizes.forEach((n, i) => {
    t.is(results[i]!.status, 200);
    t.is(sha(results[i]!.body), sha(body(n)), `GET /${n}`);
  });
  uploads.forEach((u, i) => t.is(results[sizes.length + i]!.body.toString(), sha(u)));
  const opened = s.forwardOpened.items.length;
  t.true(opened >= 1 && opened <= 8, `kept-alive connections are reused: ${opened} tunnels for 48 requests`);

  const big = await within(fetchVia(s.port, agent, 'GET', `/${4_000_000}`), 90_000, 'the 4 MB download');
  t.is(big.body.length, 4_000_000);
  t.is(sha(big.body), sha(body(4_000_000)));

  agent.destroy();
  for (let id = 1; id <= opened; id++) await s.forwardClosed.until((c) => c.tunnel.id === id);
  t.deepEqual(s.forward.tunnels(), []);
});
