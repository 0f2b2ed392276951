import test from 'ava';
import {
  ConnectError,
  SimNetwork,
  StreamClosedError,
  StreamResetError,
  type SimHost,
  type SimNetworkOptions,
  type StreamConnection,
} from '../../src/io/index.ts';
import { ANY } from './sim-helpers.ts';

const PORT = 33445;

/** Two hosts, a listener on the server, and an established connection (advanced past the handshake). */
async function connected(options: SimNetworkOptions = {}, serverSetup?: (conn: StreamConnection) => void) {
  const sim = new SimNetwork({ link: { latencyMs: 10 }, ...options });
  const client = sim.addHost();
  const server = sim.addHost();
  const accepted: StreamConnection[] = [];
  await server.listenTcp({ host: ANY, port: PORT }, (conn) => {
    accepted.push(conn);
    serverSetup?.(conn);
  });
  const pending = client.connectTcp({ host: server.ip, port: PORT });
  sim.clock.runUntilIdle();
  const conn = await pending;
  return { sim, client, server, conn, serverConn: accepted[0]! };
}

/** Collects everything a connection receives, and how it closed. */
function sink(conn: StreamConnection) {
  const chunks: Uint8Array[] = [];
  const state = { closed: false, error: undefined as Error | undefined };
  conn.onData((data) => chunks.push(data));
  conn.onClose((error) => {
    state.closed = true;
    state.error = error;
  });
  return {
    state,
    bytes: (): number[] => chunks.flatMap((c) => [...c]),
  };
}

test('the handshake takes one round trip and reports addresses', async (t) => {
  const { sim, client, server, conn, serverConn } = await connected();
  t.is(sim.clock.now(), 20);
  t.deepEqual(conn.remote, { host: server.ip, port: PORT });
  t.is(conn.local.host, client.ip);
  t.deepEqual(serverConn.remote, conn.local);
  t.is(sim.stats.tcp.connected, 1);
});

test('bytes arrive in order despite jitter and loss', async (t) => {
  const { sim, conn, serverConn } = await connected({ seed: 3, link: { latencyMs: 10, jitterMs: 40, lossRate: 0.3 } });
  const received = sink(serverConn);
  const sent: number[] = [];
  for (let i = 0; i < 300; i++) {
    const chunk = Uint8Array.from({ length: 1 + (i % 37) }, (_, k) => (i + k) & 255);
    sent.push(...chunk);
    conn.write(chunk);
    sim.clock.advance(1);
  }
  sim.clock.runUntilIdle();
  t.deepEqual(received.bytes(), sent);
  t.is(sim.stats.tcp.bytes, sent.length);
});

test('connect to a port with no listener is refused after a round trip', async (t) => {
  const sim = new SimNetwork({ link: { latencyMs: 10 } });
  const client = sim.addHost();
  const server = sim.addHost();
  let settledAt = -1;
  const attempt = client.connectTcp({ host: server.ip, port: 1 }).finally(() => (settledAt = sim.clock.now()));
  await sim.clock.advanceAsync(100);
  const error = await t.throwsAsync(attempt, { instanceOf: ConnectError });
  t.is(error?.reason, 'refused');
  t.is(settledAt, 20);
  t.is(sim.stats.tcp.refused, 1);
  const nowhere = client.connectTcp({ host: '203.0.113.99', port: 1 });
  sim.clock.advance(100);
  t.is((await t.throwsAsync(nowhere, { instanceOf: ConnectError }))?.reason, 'unreachable');
});

test('end: the peer gets the data, then both ends close cleanly', async (t) => {
  const { sim, conn, serverConn } = await connected();
  const atServer = sink(serverConn);
  const atClient = sink(conn);
  conn.write(new Uint8Array([1, 2, 3]));
  conn.end();
  conn.end();
  t.throws(() => conn.write(new Uint8Array([4])), { instanceOf: StreamClosedError });
  sim.clock.advance(10);
  t.deepEqual(atServer.bytes(), [1, 2, 3]);
  t.false(atServer.state.closed);
  sim.clock.advance(10);
  t.true(atServer.state.closed);
  t.true(atClient.state.closed);
  t.is(atServer.state.error, undefined);
  t.is(atClient.state.error, undefined);
  t.throws(() => serverConn.write(new Uint8Array([5])), { instanceOf: StreamClosedError });
});

test('the side that ends still receives what the peer sent before its own end', async (t) => {
  const { sim, conn, serverConn } = await connected();
  const atClient = sink(conn);
  serverConn.onData(() => undefined);
  serverConn.write(new Uint8Array([9, 9]));
  conn.end();
  sim.clock.runUntilIdle();
  t.deepEqual(atClient.bytes(), [9, 9]);
  t.true(atClient.state.closed);
});

test('destroy: this end closes at once, the peer one latency later; queued bytes are dropped', async (t) => {
  const { sim, conn, serverConn } = await connected({ link: { latencyMs: 10 } });
  const atServer = sink(serverConn);
  const atClient = sink(conn);
  conn.write(new Uint8Array(100));
  conn.destroy(new Error('bye'));
  conn.destroy();
  sim.clock.advance(0);
  t.true(atClient.state.closed);
  t.is(atClient.state.error?.message, 'bye');
  t.false(atServer.state.closed);
  sim.clock.advance(10);
  t.true(atServer.state.closed);
  t.is(atServer.state.error, undefined);
  t.deepEqual(atServer.bytes(), []);
});

test('a close handler set after the close still runs, once', async (t) => {
  const { sim, conn } = await connected();
  conn.destroy();
  let calls = 0;
  conn.onClose(() => calls++);
  sim.clock.runUntilIdle();
  t.is(calls, 1);
});

test('backpressure: write() turns false above the high-water mark and drain follows', async (t) => {
  const { sim, conn, serverConn } = await connected({
    link: { latencyMs: 50 },
    tcp: { highWaterMark: 64 * 1024, lowWaterMark: 16 * 1024, segmentSize: 8 * 1024 },
  });
  const atServer = sink(serverConn);
  let drains = 0;
  conn.onDrain(() => drains++);
  const chunk = new Uint8Array(16 * 1024);
  const results = [conn.write(chunk), conn.write(chunk), conn.write(chunk), conn.write(chunk)];
  t.deepEqual(results, [true, true, true, false]);
  sim.clock.advance(49);
  t.is(drains, 0);
  sim.clock.advance(1);
  t.is(drains, 1);
  t.is(atServer.bytes().length, 64 * 1024);
  t.true(conn.write(chunk));
});

test('a receiver with no data handler holds bytes up to its window, then the sender waits', async (t) => {
  const { sim, conn, serverConn } = await connected({ tcp: { receiveWindow: 32 * 1024, segmentSize: 8 * 1024 } });
  let drained = false;
  conn.onDrain(() => (drained = true));
  t.false(conn.write(new Uint8Array(128 * 1024)));
  sim.clock.advance(1000);
  t.false(drained);
  const atServer = sink(serverConn);
  sim.clock.runUntilIdle();
  t.true(drained);
  t.is(atServer.bytes().length, 128 * 1024);
});

test('bandwidth: a 100 kB write at 50 kB/s arrives after 2 s plus latency', async (t) => {
  const sim = new SimNetwork({ link: { latencyMs: 10 } });
  const client = sim.addHost({ uplink: { bytesPerSecond: 50_000 } });
  const server: SimHost = sim.addHost();
  let lastAt = 0;
  let total = 0;
  await server.listenTcp({ host: ANY, port: 1 }, (conn) =>
    conn.onData((data) => {
      total += data.length;
      lastAt = sim.clock.now();
    }),
  );
  const pending = client.connectTcp({ host: server.ip, port: 1 });
  sim.clock.advance(20);
  const conn = await pending;
  conn.write(new Uint8Array(100_000));
  sim.clock.runUntilIdle();
  t.is(total, 100_000);
  t.true(Math.abs(lastAt - (20 + 2000 + 10)) < 1e-6, `last byte at ${lastAt}`);
});

test('a partition delays TCP; a long one resets it', async (t) => {
  const { sim, client, server, conn, serverConn } = await connected({ tcp: { userTimeoutMs: 5000 } });
  const atServer = sink(serverConn);
  const atClient = sink(conn);
  const cut = sim.partition([client], [server]);
  conn.write(new Uint8Array([1]));
  sim.clock.advance(2000);
  t.deepEqual(atServer.bytes(), []);
  cut.heal();
  sim.clock.advance(1000);
  t.deepEqual(atServer.bytes(), [1]);
  sim.partition([client], [server]);
  conn.write(new Uint8Array([2]));
  sim.clock.advance(10_000);
  t.true(atClient.state.closed);
  t.true(atClient.state.error instanceof StreamResetError);
  t.is((atServer.state.error as StreamResetError | undefined)?.reason, 'timeout');
  const late = client.connectTcp({ host: server.ip, port: PORT });
  sim.clock.advance(20_000);
  t.is((await t.throwsAsync(late, { instanceOf: ConnectError }))?.reason, 'timeout');
});
