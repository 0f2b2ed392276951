/**
 * `toxlink expose` and `toxlink forward` as a user runs them, on loopback: a bootstrap node
 * (`toxlink node`), Bob exposing a real HTTP server of this test as "web" to Alice only, and
 * Alice forwarding a local port to it. A real HTTP client then makes many concurrent
 * requests and a large download through the forward port, byte-exact. SIGTERM stops both
 * (exit 0), and Bob's profile keeps Alice as a friend. With a short idle timeout the forward
 * lets the friend connection go and the next request brings it back. User mistakes are one
 * line, exit 1.
 * Every process is stopped by its PID; every wait is bounded.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type IncomingMessage, type Server, createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { newProfile, profileKeyPair, readProfileFile, writeProfileFile } from '../../src/messenger/index.ts';
import { formatToxId, toHex } from '../../src/wire/index.ts';
import { json, toxlink } from './toxlink-child.ts';

/** Finding the friend on loopback takes 2–10 s; the bound leaves room for a loaded machine. */
const FIRST_REQUEST_MS = 60_000;
const BIG = 4 * 1024 * 1024;

const isEvent = (name: string) => (line: string): boolean => {
  try {
    return json(line)['event'] === name;
  } catch {
    return false;
  }
};

/** The body the test server sends for `/n/SIZE` (same bytes every time) and `/big`. */
function body(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return out;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** GET through the forward: status and the body's hash and length, within `ms`. */
function fetchVia(port: number, path: string, ms: number): Promise<{ status: number; bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: ms }, (res: IncomingMessage) => {
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        hash.update(c);
        bytes += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, sha256: hash.digest('hex') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} took longer than ${ms} ms`)));
    req.on('error', reject);
  });
}

test('a real HTTP server reached through expose and forward: concurrent requests and a 4 MiB download, byte-exact; SIGTERM stops both cleanly', async (t) => {
  t.timeout(280_000, 'every wait in it is bounded; their sum on a loaded machine is above ava\'s default');
  const dir = mkdtempSync(join(tmpdir(), 'toxlink-forward-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  // The service: a plain HTTP server on loopback.
  const big = randomBytes(BIG);
  const server: Server = createServer((req, res) => {
    const m = /^\/n\/(\d+)$/.exec(req.url ?? '');
    const payload = req.url === '/big' ? big : m !== null ? body(Number(m[1]), Number(m[1]) % 251) : undefined;
    if (payload === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': payload.length }).end(payload);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const httpPort = (server.address() as AddressInfo).port;

  // Two profiles made beforehand, so each side can name the other.
  const bobProfile = newProfile(generateKeyPair().secretKey, 0x0b0b0b0b);
  const aliceProfile = newProfile(generateKeyPair().secretKey, 0x0a11ce00);
  await writeProfileFile(join(dir, 'bob.json'), bobProfile);
  await writeProfileFile(join(dir, 'alice.json'), aliceProfile);
  const bobId = formatToxId({ publicKey: profileKeyPair(bobProfile).publicKey, nospam: bobProfile.nospam });
  const aliceKey = toHex(profileKeyPair(aliceProfile).publicKey).toUpperCase();

  const local = ['--host', '127.0.0.1', '--udp-port', '0'];
  const boot = toxlink(t, ['node', '--json', '--profile', join(dir, 'boot.json'), ...local, '--tcp-port', '0']);
  const ready = json(await boot.waitLine(isEvent('ready')));
  const via = ['--bootstrap', `127.0.0.1:${ready['udpPort']}:${ready['dhtKey']}`, '--tcp-relay', `127.0.0.1:${ready['tcpPort']}:${ready['dhtKey']}`];

  const bob = toxlink(t, ['--log-level', 'debug', 'expose', 'web', `127.0.0.1:${httpPort}`, '--friend', aliceKey, '--profile', join(dir, 'bob.json'), ...local, ...via, '--json']);
  const exposed = json(await bob.waitLine(isEvent('ready')));
  t.is(exposed['toxId'], bobId);
  t.deepEqual(exposed['friends'], [aliceKey]);
  t.is(exposed['target'], `127.0.0.1:${httpPort}`);

  const alice = toxlink(t, ['forward', bobId, 'web', '--listen', '127.0.0.1:0', '--profile', join(dir, 'alice.json'), ...local, ...via, '--json']);
  const listening = json(await alice.waitLine(isEvent('ready')));
  const port = listening['port'] as number;
  t.true(port > 0, 'port 0 asked: the bound port is printed');
  t.is(listening['host'], '127.0.0.1');

  // The first request waits for the friend to be found.
  const started = Date.now();
  const first = await fetchVia(port, '/n/1000', FIRST_REQUEST_MS);
  t.log(`first response through the forward ${Date.now() - started} ms after it started`);
  t.deepEqual(first, { status: 200, bytes: 1000, sha256: sha(body(1000, 1000 % 251)) });

  t.log(`${Date.now() - started} ms: many at once`);
  // Many at once, of many sizes.
  const sizes = Array.from({ length: 24 }, (_, i) => 1 + i * 7919);
  const results = await Promise.all(sizes.map((n) => fetchVia(port, `/n/${n}`, 30_000)));
  results.forEach((r, i) => {
    const n = sizes[i]!;
    t.deepEqual(r, { status: 200, bytes: n, sha256: sha(body(n, n % 251)) }, `GET /n/${n}`);
  });
  const missing = await fetchVia(port, '/nope', 30_000);
  t.is(missing.status, 404, 'the service\'s own answers come through as they are');

  t.log(`${Date.now() - started} ms: the download`);
  const downloadStart = Date.now();
  const download = await fetchVia(port, '/big', 60_000);
  const seconds = (Date.now() - downloadStart) / 1000;
  t.is(download.bytes, BIG);
  t.is(download.sha256, sha(big));
  t.log(`4 MiB download through the forward in ${seconds.toFixed(2)} s (${(BIG / 1048576 / seconds).toFixed(2)} MiB/s, shared machine)`);

  // Every tunnel ended well, on both sides.
  const requests = 1 + sizes.length + 2;
  const closedWell = (lines: string[]) => lines.filter((l) => isEvent('tunnel-closed')(l) && json(l)['code'] === 'end').length;
  const deadline = Date.now() + 10_000;
  while ((closedWell(alice.lines) < requests || closedWell(bob.lines) < requests) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.is(closedWell(alice.lines), requests, 'each request one tunnel, ended with FIN both ways (forward side)');
  t.is(closedWell(bob.lines), requests, 'and on the expose side');

  t.log(`${Date.now() - started} ms: stopping alice`);
  t.is(await alice.stop('SIGTERM'), 0);

  // The same forward with a 2 s idle timeout: quiet, it lets the friend connection go; the
  // next request brings it back. (The timer itself is tested in simulated time in
  // test/forward/idle.test.ts; this checks that letting go and coming back work end to end.)
  const again = toxlink(t, ['--log-level', 'debug', 'forward', bobId, 'web', '--listen', '127.0.0.1:0', '--idle-timeout', '2', '--profile', join(dir, 'alice.json'), ...local, ...via, '--json']);
  const port2 = json(await again.waitLine(isEvent('ready')))['port'] as number;
  t.is((await fetchVia(port2, '/n/10', FIRST_REQUEST_MS)).status, 200);
  const idle = json(await again.waitLine(isEvent('idle'), 20_000));
  t.true((idle['quietMs'] as number) >= 2000);
  // Bob sees Alice go: the session really ended (Alice's side only stopped holding it).
  const bobFrom = bob.lines.length;
  const aliceIs = (online: boolean) => (l: string) => isEvent('friend')(l) && json(l)['online'] === online && json(l)['publicKey'] === aliceKey;
  t.log(`${Date.now() - started} ms: idle; waiting for bob to see alice go`);
  await bob.waitLine(aliceIs(false), 60_000, bobFrom);
  t.log(`${Date.now() - started} ms: the request after idle`);
  const afterIdle = again.lines.length;
  t.deepEqual(await fetchVia(port2, '/n/5000', FIRST_REQUEST_MS), { status: 200, bytes: 5000, sha256: sha(body(5000, 5000 % 251)) }, 'the next request brings the connection back');
  await again.waitLine(isEvent('wake'), 5_000, afterIdle);
  await again.waitLine((l) => isEvent('friend')(l) && json(l)['online'] === true, 5_000, afterIdle);
  await bob.waitLine(aliceIs(true), 5_000, bobFrom);
  // Its tunnel ended by itself, FIN both ways, before any stop.
  const endedWell = json(await again.waitLine((l) => isEvent('tunnel-closed')(l) && json(l)['code'] === 'end', 10_000, afterIdle));
  t.true((endedWell['bytesFromFriend'] as number) > 5000, 'the whole answer came through that tunnel');
  try {
    t.is(await again.stop('SIGTERM'), 0);
  } catch (error) {
    t.log(`bob's stderr: ${bob.stderr().slice(-3000)}`);
    throw error;
  }
  t.is(await bob.stop('SIGTERM'), 0);
  t.true(bob.lines.some(isEvent('stopped')));
  const saved = await readProfileFile(join(dir, 'bob.json'));
  t.deepEqual(saved.friends.map((f) => toHex(f.publicKey).toUpperCase()), [aliceKey], '--friend added Alice to Bob\'s profile');
  t.is(await boot.stop('SIGTERM'), 0);
});

test('mistakes are one line on stderr and exit 1: a bad service name, a bad target, a bad --listen, a bad friend', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['expose', 'not a name', '127.0.0.1:80'], /service name/],
    [['expose', 'web', '127.0.0.1'], /HOST:PORT/],
    [['forward', '0', 'web', '--listen', 'nowhere'], /expected HOST:PORT/],
    [['forward', 'cafe', 'web', '--listen', '127.0.0.1:0'], /not a friend/],
  ];
  await Promise.all(cases.map(async ([args, message]) => {
    const child = toxlink(t, args, { limitMs: 60_000 });
    const code = await child.exited;
    t.is(code, 1, args.join(' '));
    t.regex(child.stderr(), message, args.join(' '));
    t.notRegex(child.stderr(), /\n\s+at /, 'no stack trace');
  }));
});
