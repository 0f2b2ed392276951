// Tunnels side by side and how they end: a reader that stops on one tunnel while another
// moves a megabyte each way, many tunnels at once, the friend connection dropping under
// them, and close() on either side — it frees the port and resets every tunnel, once.
import test from 'ava';
import type { Socket } from 'node:net';
import { PortForward, type TunnelClosed } from '../../src/mux/index.ts';
import { LOCAL, bytes, readAll, sha256, within, writeAll, type Received } from './helpers.ts';
import { forwardSetup } from './setup.ts';

const FLOOD_LIMIT = 64 * 1024 * 1024;

/** Writes up to FLOOD_LIMIT bytes with backpressure; counts what write() took. */
function flood(socket: Socket, counter: { written: number }): void {
  const chunk = Buffer.alloc(64 * 1024, 7);
  const pump = (): void => {
    while (counter.written < FLOOD_LIMIT && !socket.destroyed) {
      counter.written += chunk.length;
      if (!socket.write(chunk)) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

test('a reader that stops on tunnel A does not stall tunnel B: 1 MB each way goes through B, and A stays bounded', async (t) => {
  const flooded = { written: 0 };
  const up = bytes(1 << 20);
  const down = bytes(1 << 20);
  const atService: Array<Promise<Received>> = [];
  const s = await forwardSetup(t, {
    service: 'flood',
    services: async (h) => {
      const a = await h.server((socket) => flood(socket, flooded));
      const b = await h.server((socket) => {
        atService.push(readAll(socket));
        writeAll(socket, down).catch(() => {});
      });
      return [{ name: 'flood', target: `127.0.0.1:${a.port}` }, { name: 'blob', target: `127.0.0.1:${b.port}` }];
    },
  });
  const blob = new PortForward({ manager: s.alice.manager, friendKey: s.bob.key, service: 'blob', clock: s.alice.clock });
  t.teardown(() => blob.close());
  const blobPort = (await blob.listen()).port;

  // Tunnel A: the client never reads.
  const stalled = await s.handles.client(s.port);
  stalled.pause();
  const fromFriendA = (): number => s.forward.tunnels().find((x) => x.service === 'flood')?.bytesFromFriend ?? 0;
  for (let i = 0; i < 400 && fromFriendA() < 100_000; i++) await realSleep(50);
  t.true(fromFriendA() >= 100_000, 'tunnel A carried bytes before its reader stopped');

  // Tunnel B: a megabyte each way, byte-exact, while A's reader stays stopped.
  const started = performance.now();
  const client = await s.handles.client(blobPort);
  const got = readAll(client);
  await writeAll(client, up);
  const received = await within(got, 60_000, 'tunnel B to finish while A is stalled');
  const seconds = (performance.now() - started) / 1000;
  t.is(received.how, 'end');
  t.is(received.sha256, sha256(down));
  const sent = await within(atService[0]!, 30_000, "tunnel B's upload at the service");
  t.is(sent.sha256, sha256(up));

  // A comes to a stop (the kernel's socket buffers on loopback take a while to fill), and
  // its source could hand over only what the windows and socket buffers hold.
  const sample = () => ({ written: flooded.written, fromFriend: fromFriendA() });
  let before = sample();
  let after = before;
  for (let i = 0; i < 50; i++) {
    await realSleep(200);
    after = sample();
    if (after.written === before.written && after.fromFriend === before.fromFriend) break;
    before = after;
  }
  t.log(`B: 2 MB in ${seconds.toFixed(2)} s; A stalled at ${(after.fromFriend / 1e6).toFixed(2)} MB delivered, ` +
    `${(after.written / 1e6).toFixed(2)} MB taken from its source (of ${FLOOD_LIMIT / 1e6})`);
  t.deepEqual(after, before, 'the stalled tunnel comes to a stop');
  t.true(after.written < FLOOD_LIMIT / 2, `the stalled tunnel's source was held back (${after.written} bytes written)`);
  t.is(s.forward.tunnels().length, 1, 'tunnel A is still open');

  stalled.resetAndDestroy();
  const closedA = await s.forwardClosed.until();
  t.is(closedA.reason.code, 'local-reset');
});

test('16 tunnels at once each echo 64 KB byte-exact', async (t) => {
  const s = await forwardSetup(t, {
    service: 'echo',
    services: async (h) => [{ name: 'echo', target: `127.0.0.1:${(await h.echo()).port}` }],
  });
  const payloads = Array.from({ length: 16 }, () => bytes(64 * 1024));
  const results = await within(Promise.all(payloads.map(async (p) => {
    const client = await s.handles.client(s.port);
    const got = readAll(client);
    await writeAll(client, p);
    return got;
  })), 60_000, '16 echoes');
  results.forEach((r, i) => {
    t.is(r.how, 'end');
    t.is(r.sha256, sha256(payloads[i]!));
  });
  for (let i = 1; i <= 16; i++) t.is((await s.forwardClosed.until((c) => c.tunnel.id === i)).reason.code, 'end');
  t.is(new Set(s.exposerClosed.items.map((c) => c.tunnel.id)).size, 16);
});

test('the friend connection dropping resets every tunnel on it, both sides', async (t) => {
  const serviceGot: Array<Promise<Received>> = [];
  const s = await forwardSetup(t, {
    service: 'hold',
    services: async (h) => {
      const { port } = await h.server((socket) => {
        serviceGot.push(readAll(socket));
        socket.write('hi');
      });
      return [{ name: 'hold', target: `127.0.0.1:${port}` }];
    },
  });
  const client = await s.handles.client(s.port);
  const got = readAll(client);
  await s.exposerOpened.until();
  await within(new Promise((resolve) => client.once('data', resolve)), 20_000, 'the greeting');
  s.alice.node.connection(s.bob.key)!.close();
  t.is((await within(got, 20_000, 'the client to be reset')).how, 'ECONNRESET');
  t.is((await within(serviceGot[0]!, 20_000, 'the service side to be reset')).how, 'ECONNRESET');
  t.is((await s.forwardClosed.until()).reason.code, 'connection-closed');
  t.is((await s.exposerClosed.until()).reason.code, 'connection-closed');
});

test('close() resets every tunnel once, frees the port at once, and a second close() is the same promise', async (t) => {
  const s = await forwardSetup(t, {
    service: 'echo',
    services: async (h) => [{ name: 'echo', target: `127.0.0.1:${(await h.echo()).port}` }],
  });
  const clients = [await s.handles.client(s.port), await s.handles.client(s.port)];
  const results = clients.map((c) => readAll(c));
  for (const c of clients) c.write('ping');
  for (let id = 1; id <= 2; id++) await s.exposerOpened.until((x) => x.id === id);
  const closing = s.forward.close();
  t.is(s.forward.close(), closing);
  // The port is free before the tunnels have even finished closing.
  const refused = await readAll(s.handles.dial(s.port));
  t.is(refused.how, 'ECONNREFUSED');
  await within(closing, 20_000, 'close() to finish');
  for (const r of results) t.is((await r).how, 'ECONNRESET');
  t.deepEqual(s.forward.tunnels(), []);
  const codes = s.forwardClosed.items.map((c) => c.reason.code);
  t.deepEqual(codes, ['closed', 'closed'], 'one tunnel-closed per tunnel');
  for (let id = 1; id <= 2; id++) {
    const there = await s.exposerClosed.until((c) => c.tunnel.id === id);
    t.is(there.reason.code, 'remote-reset');
    t.is(there.reason.remoteCode, 'closed');
  }
  // The same port can be listened on again.
  const again = new PortForward({ manager: s.alice.manager, friendKey: s.bob.key, service: 'echo', host: LOCAL, port: s.port });
  t.teardown(() => again.close());
  t.is((await again.listen()).port, s.port);
  t.true(s.forward.closed);
});

test("the exposer's close() resets its tunnels (remote-reset: closed) and later requests are declined", async (t) => {
  const s = await forwardSetup(t, {
    service: 'echo',
    services: async (h) => [{ name: 'echo', target: `127.0.0.1:${(await h.echo()).port}` }],
  });
  const client = await s.handles.client(s.port);
  const got = readAll(client);
  client.write('ping');
  await s.exposerOpened.until();
  await within(s.exposer.close(), 20_000, "the exposer's close()");
  t.deepEqual(s.exposer.tunnels(), []);
  t.is((await s.exposerClosed.until()).reason.code, 'closed');
  t.is((await within(got, 20_000, 'the client to be reset')).how, 'ECONNRESET');
  const here: TunnelClosed = await s.forwardClosed.until();
  t.is(here.reason.code, 'remote-reset');
  t.is(here.reason.remoteCode, 'closed');
  const later = await s.handles.client(s.port);
  t.is((await within(readAll(later), 20_000, 'the later client to be reset')).how, 'ECONNRESET');
  const declined = await s.forwardClosed.until((c) => c.tunnel.id === 2);
  t.is(declined.reason.code, 'declined');
});
