/**
 * End to end in the simulator: two NetCrypto nodes whose UDP cannot reach each other (their
 * datagram senders go nowhere) make a session and move 1 MB of lossless data through their
 * relay managers and a toxlink relay server. The cookie request and handshake go out of
 * band until the routes are online; the rest is routed. Simulated time only.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { Prng } from '../../src/io/index.ts';
import { type CryptoConnection, NetCrypto } from '../../src/netcrypto/index.ts';
import { world, type Node, type World } from './manager-helpers.ts';

const TOTAL = 1000 * 1000;
const CHUNK = 1372;

interface Side {
  node: Node;
  nc: NetCrypto;
  real: ReturnType<typeof generateKeyPair>;
  accepted: CryptoConnection[];
  errors: string[];
}

function side(w: World): Side {
  const dht = generateKeyPair();
  const real = generateKeyPair();
  const node = w.node({ keyPair: dht });
  const accepted: CryptoConnection[] = [];
  const errors: string[] = [];
  // UDP goes nowhere: the relay is the only path.
  const nc = new NetCrypto({ clock: w.sim.clock, sender: { send: () => undefined }, realKeyPair: real, dhtKeyPair: dht, accept: () => true });
  nc.on('error', (e) => errors.push(e.message));
  nc.on('connection', (c) => accepted.push(c));
  node.tcp.on('packet', (p) => nc.receiveRelayed(p.data, p));
  node.tcp.on('error', (e) => errors.push(e.message));
  return { node, nc, real, accepted, errors };
}

for (const [name, link] of [['an idle network', {}], ['5 % loss and jitter on every link', { lossRate: 0.05, jitterMs: 5 }]] as const) {
  test(`two NetCrypto nodes with no UDP path move 1 MB through TcpConnections and a toxlink relay (${name})`, async (t) => {
    const w = await world({ relays: 1, sim: { seed: 5, link: { latencyMs: 10, ...link } } });
    const [relay] = w.relays as [typeof w.relays[0]];
    const alice = side(w);
    const bob = side(w);
    const aliceDht = alice.node.keyPair.publicKey;
    const bobDht = bob.node.keyPair.publicKey;
    alice.node.tcp.addPeer(bobDht);
    alice.node.tcp.addPeerRelay(bobDht, relay.endpoint);
    // Bob knows the relay but not Alice: her first packets reach him out of band, from a stranger.
    bob.node.tcp.addRelay(relay.endpoint);
    await w.advance(200);

    const a = alice.nc.connect(bob.real.publicKey, bobDht);
    a.setRelay((p) => alice.node.tcp.send(bobDht, p));
    // Bob's session is born from her handshake; it answers through the relay (the reply of that packet).
    // As the friend layer would, Bob then tracks Alice on that relay so that the route comes online.
    bob.nc.on('connection', () => {
      bob.node.tcp.addPeer(aliceDht);
      bob.node.tcp.addPeerRelay(aliceDht, relay.endpoint);
    });
    const deadline = w.sim.clock.now() + 20_000;
    while (w.sim.clock.now() < deadline && !(a.state === 'established' && bob.accepted[0]?.state === 'established')) await w.advance(10);
    const b = bob.accepted[0]!;
    t.is(a.state, 'established');
    t.is(b?.state, 'established');
    t.is(a.path, 'relay');
    t.true(alice.node.tcp.stats.sentOob >= 1, 'the cookie request went out of band');
    await w.advance(500);
    t.is(alice.node.tcp.onlineRelays(bobDht), 1, 'then the route came online');

    const prng = new Prng('relay-1mb');
    const sent = createHash('sha256');
    const got = createHash('sha256');
    let received = 0;
    b.on('lossless', (p) => {
      got.update(p.subarray(1));
      received += p.length - 1;
    });
    let offset = 0;
    const fill = (): void => {
      while (offset < TOTAL && a.writable) {
        const n = Math.min(CHUNK, TOTAL - offset);
        const payload = new Uint8Array(n + 1);
        payload[0] = 160;
        for (let i = 1; i <= n; i++) payload[i] = prng.nextUint32() & 255;
        sent.update(payload.subarray(1));
        offset += n;
        a.sendLossless(payload);
      }
    };
    a.on('drain', fill);
    const start = w.sim.clock.now();
    fill();
    const limit = start + 600_000;
    while (received < TOTAL && w.sim.clock.now() < limit && a.state === 'established') await w.advance(100);
    const seconds = (w.sim.clock.now() - start) / 1000;
    t.is(received, TOTAL);
    t.is(got.digest('hex'), sent.digest('hex'));
    t.true(alice.node.tcp.stats.sentRouted > 700, `${alice.node.tcp.stats.sentRouted} routed`);
    t.true(relay.server.stats.dataRelayed > 700);
    t.deepEqual(alice.errors, []);
    t.deepEqual(bob.errors, []);
    // Packets that arrived twice: resent while still on their way (a relay path queues).
    const copies = b.stats.dropped.get('duplicate');
    const drops = relay.server.stats.dropped.get('send-buffer-full');
    if (drops === 0 && name === 'an idle network') t.true(copies <= 10, `${copies} copies with nothing lost`);
    t.log(`1 MB in ${seconds.toFixed(1)} simulated s (${(TOTAL / 1e6 / seconds).toFixed(2)} MB/s); ` +
      `relay dropped ${drops} for full sockets; alice routed ${alice.node.tcp.stats.sentRouted}, oob ${alice.node.tcp.stats.sentOob}; ` +
      `${copies} copies at bob`);
  });
}
