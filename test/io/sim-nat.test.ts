import test from 'ava';
import { ConnectError, SimNetwork, type NatType, type StreamConnection } from '../../src/io/index.ts';
import { ANY, collect, numbered, numberOf } from './sim-helpers.ts';

const PUBLIC_IP = '198.51.100.1';

/** One host behind a NAT, and outside it X (two ports) and Y (another IP). */
async function natScene(type: NatType, options: { mappingTimeoutMs?: number; portAllocation?: 'sequential' | 'random' } = {}) {
  const sim = new SimNetwork({ seed: 9, link: { latencyMs: 10 } });
  const inside = sim.addHost({ nat: { type, publicIp: PUBLIC_IP, ...options } });
  const x = sim.addHost({ ip: '203.0.113.10' });
  const y = sim.addHost({ ip: '203.0.113.20' });
  const sockets = {
    inside: await inside.bindUdp({ host: ANY, port: 5000 }),
    x1: await x.bindUdp({ host: ANY, port: 1000 }),
    x2: await x.bindUdp({ host: ANY, port: 2000 }),
    y1: await y.bindUdp({ host: ANY, port: 1000 }),
  };
  const received = {
    inside: collect(sockets.inside, sim.clock),
    x1: collect(sockets.x1, sim.clock),
    x2: collect(sockets.x2, sim.clock),
    y1: collect(sockets.y1, sim.clock),
  };
  return { sim, inside, x, y, sockets, received };
}

/** Who may answer after the inside host sent one datagram to X:1000. */
const filtering: Array<{ type: NatType; x1: boolean; x2: boolean; y1: boolean; oneMapping: boolean }> = [
  { type: 'full-cone', x1: true, x2: true, y1: true, oneMapping: true },
  { type: 'address-restricted', x1: true, x2: true, y1: false, oneMapping: true },
  { type: 'port-restricted', x1: true, x2: false, y1: false, oneMapping: true },
  { type: 'symmetric', x1: true, x2: false, y1: false, oneMapping: false },
];

for (const row of filtering) {
  test(`${row.type}: who can reach the inside host after it sent to X:1000`, async (t) => {
    const { sim, inside, sockets, received } = await natScene(row.type);
    t.is(inside.publicIp, PUBLIC_IP);
    t.not(inside.ip, PUBLIC_IP);
    // Before any outgoing packet nothing gets in.
    sockets.x1.send({ host: PUBLIC_IP, port: 20_000 }, numbered(0));
    sim.clock.runUntilIdle();
    t.is(received.inside.length, 0);
    t.is(sim.stats.dropped['nat-filtered'], 1);

    sockets.inside.send(sockets.x1.local, numbered(1));
    sim.clock.runUntilIdle();
    const mapped = received.x1[0]?.from;
    t.is(mapped?.host, PUBLIC_IP);
    const answers = { x1: sockets.x1, x2: sockets.x2, y1: sockets.y1 };
    for (const [name, socket] of Object.entries(answers)) socket.send(mapped!, numbered(name === 'x1' ? 11 : name === 'x2' ? 12 : 13));
    sim.clock.runUntilIdle();
    const got = new Set(received.inside.map((r) => numberOf(r.data)));
    t.deepEqual({ x1: got.has(11), x2: got.has(12), y1: got.has(13) }, { x1: row.x1, x2: row.x2, y1: row.y1 });
    t.deepEqual(received.inside.find((r) => numberOf(r.data) === 11)?.from, sockets.x1.local);

    // A second destination: the same public port, except behind a symmetric NAT.
    sockets.inside.send(sockets.y1.local, numbered(2));
    sim.clock.runUntilIdle();
    t.is(received.y1[0]?.from.port === mapped?.port, row.oneMapping);
    // Having sent to Y, Y may now answer on the port Y saw.
    sockets.y1.send(received.y1[0]!.from, numbered(14));
    sim.clock.runUntilIdle();
    t.true(received.inside.some((r) => numberOf(r.data) === 14));
  });
}

test('a mapping expires in simulated time unless outgoing traffic refreshes it', async (t) => {
  const { sim, inside, sockets, received } = await natScene('port-restricted', { mappingTimeoutMs: 30_000 });
  sockets.inside.send(sockets.x1.local, numbered(1));
  sim.clock.advance(100);
  const mapped = received.x1[0]!.from;
  t.is(inside.nat?.mappingCount(sim.clock.now()), 1);
  sim.clock.advanceTo(29_000);
  sockets.x1.send(mapped, numbered(2)); // arrives at 29 010: alive
  sim.clock.advanceTo(40_000);
  t.is(inside.nat?.mappingCount(sim.clock.now()), 0);
  sockets.x1.send(mapped, numbered(3)); // arrives at 40 010: expired
  sim.clock.runUntilIdle();
  t.deepEqual(received.inside.map((r) => numberOf(r.data)), [2]);
  t.is(sim.stats.dropped['nat-filtered'], 1);

  // Keep-alives every 20 s keep the (new) mapping open for a minute and more.
  const tick = (): void => {
    sockets.inside.send(sockets.x1.local, numbered(0));
    if (sim.clock.now() < 120_000) sim.clock.setTimer(20_000, tick);
  };
  tick();
  sim.clock.advance(100);
  const renewed = received.x1.at(-1)!.from;
  t.is(renewed.port, mapped.port + 1, 'sequential allocation moves on to the next port');
  sim.clock.advance(90_000);
  sockets.x1.send(renewed, numbered(4));
  sim.clock.runUntilIdle();
  t.deepEqual(received.inside.map((r) => numberOf(r.data)), [2, 4]);
});

test('a symmetric NAT allocates a new sequential port per destination', async (t) => {
  const { sim, sockets, received } = await natScene('symmetric');
  sockets.inside.send(sockets.x1.local, numbered(1));
  sockets.inside.send(sockets.x2.local, numbered(1));
  sockets.inside.send(sockets.y1.local, numbered(1));
  sockets.inside.send(sockets.x1.local, numbered(2));
  sim.clock.runUntilIdle();
  const ports = [received.x1[0], received.x2[0], received.y1[0], received.x1[1]].map((r) => r!.from.port);
  t.deepEqual(ports, [20_000, 20_001, 20_002, 20_000]);
});

test('random allocation spreads ports over the range', async (t) => {
  const { sim, sockets, received } = await natScene('symmetric', { portAllocation: 'random' });
  for (const socket of [sockets.x1, sockets.x2, sockets.y1]) sockets.inside.send(socket.local, numbered(1));
  sim.clock.runUntilIdle();
  const ports = [received.x1[0], received.x2[0], received.y1[0]].map((r) => r!.from.port);
  t.is(new Set(ports).size, 3);
  for (const port of ports) t.true(port >= 1024 && port <= 65_535);
  t.false(ports[1] === ports[0]! + 1 && ports[2] === ports[1]! + 1);
});

test('TCP leaves a NAT but cannot enter it', async (t) => {
  const { sim, inside, x } = await natScene('full-cone');
  let accepted: StreamConnection | undefined;
  await x.listenTcp({ host: ANY, port: 443 }, (conn) => (accepted = conn));
  const outgoing = inside.connectTcp({ host: x.ip, port: 443 });
  sim.clock.advance(100);
  const conn = await outgoing;
  t.is(conn.local.host, inside.ip);
  t.is(accepted?.remote.host, PUBLIC_IP);
  await inside.listenTcp({ host: ANY, port: 8080 }, () => t.fail('must not be reached'));
  const incoming = x.connectTcp({ host: PUBLIC_IP, port: 8080 });
  sim.clock.advance(100);
  const error = await t.throwsAsync(incoming, { instanceOf: ConnectError });
  t.is(error?.reason, 'refused');
});

test('hosts behind one NAT reach each other by private IP, untranslated', async (t) => {
  const sim = new SimNetwork();
  const nat = sim.addNat({ type: 'symmetric', publicIp: PUBLIC_IP });
  const a = sim.addHost({ nat, ip: '192.168.1.2' });
  const b = sim.addHost({ nat, ip: '192.168.1.3' });
  const sa = await a.bindUdp({ host: ANY, port: 7 });
  const sb = await b.bindUdp({ host: ANY, port: 7 });
  const got = collect(sb, sim.clock);
  sa.send({ host: '192.168.1.3', port: 7 }, numbered(1));
  sim.clock.runUntilIdle();
  t.deepEqual(got[0]?.from, { host: '192.168.1.2', port: 7 });
  t.is(nat.mappingCount(sim.clock.now()), 0);
  t.throws(() => sim.addHost({ nat, ip: '192.168.1.3' }));
});

test('a datagram to the NAT’s own public address goes out and back in (hairpinning)', async (t) => {
  const sim = new SimNetwork();
  const nat = sim.addNat({ type: 'full-cone', publicIp: PUBLIC_IP });
  const a = await sim.addHost({ nat }).bindUdp({ host: ANY, port: 7 });
  const b = await sim.addHost({ nat }).bindUdp({ host: ANY, port: 8 });
  const server = await sim.addHost().bindUdp({ host: ANY, port: 9 });
  const atServer = collect(server, sim.clock);
  const atA = collect(a, sim.clock);
  a.send(server.local, numbered(1));
  sim.clock.runUntilIdle();
  const mappedA = atServer[0]!.from;
  b.send(mappedA, numbered(2));
  sim.clock.runUntilIdle();
  t.is(atA.length, 1);
  t.is(atA[0]?.from.host, PUBLIC_IP);
  t.not(atA[0]?.from.port, mappedA.port);
});
