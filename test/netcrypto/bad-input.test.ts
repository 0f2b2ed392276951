/**
 * Bad input at the node and the session: every refused packet is dropped, counted by reason,
 * and leaves the session working. Floods cost a bounded amount.
 */
import test from 'ava';
import fc from 'fast-check';
import { SimNetwork, type Address } from '../../src/io/index.ts';
import { generateKeyPair, incrementNonceBy, keyPairFromSecretKey, precompute, randomNonce } from '../../src/crypto/index.ts';
import {
  NetCrypto, encodeCookieRequest, encodeDataPacket, type SessionSecrets,
} from '../../src/netcrypto/index.ts';

const PORT = 33445;

/** Alice and Bob with recorded secrets and a tap on every datagram Bob sends to Alice. */
async function tapped() {
  const sim = new SimNetwork({ seed: 3 });
  const hostA = sim.addHost();
  const hostB = sim.addHost();
  const hostM = sim.addHost();
  const sockA = await hostA.bindUdp({ host: '0.0.0.0', port: PORT });
  const sockB = await hostB.bindUdp({ host: '0.0.0.0', port: PORT });
  const sockM = await hostM.bindUdp({ host: '0.0.0.0', port: PORT });
  const secrets = (seed: number): SessionSecrets => ({
    keyPair: keyPairFromSecretKey(new Uint8Array(32).fill(seed)), baseNonce: new Uint8Array(24).fill(seed),
  });
  const errors: Error[] = [];
  const alice = new NetCrypto({
    clock: sim.clock, sender: sockA, realKeyPair: generateKeyPair(), dhtKeyPair: generateKeyPair(),
    accept: () => true, sessionSecrets: () => secrets(1),
  });
  const bob = new NetCrypto({
    clock: sim.clock, sender: sockB, realKeyPair: generateKeyPair(), dhtKeyPair: generateKeyPair(),
    accept: () => true, sessionSecrets: () => secrets(2),
  });
  alice.on('error', (e) => errors.push(e));
  bob.on('error', (e) => errors.push(e));
  const fromBob: Uint8Array[] = [];
  sockA.onReceive((d, f) => {
    if (f.host === hostB.ip) fromBob.push(d);
    alice.receive(d, f);
  });
  sockB.onReceive((d, f) => bob.receive(d, f));
  const addrA: Address = { host: hostA.ip, port: PORT };
  const addrB: Address = { host: hostB.ip, port: PORT };
  const a = alice.connect(bob.publicKey, bob.dhtPublicKey, addrB);
  sim.clock.advance(200);
  const b = bob.connection(alice.publicKey)!;
  // Bob's session key with Alice, and a nonce of Bob's well ahead of anything he has sent.
  const bobToAlice = precompute(secrets(1).keyPair.publicKey, secrets(2).keyPair.secretKey)!;
  const bobNonce = (ahead: number): Uint8Array => {
    const n = secrets(2).baseNonce.slice();
    incrementNonceBy(n, ahead);
    return n;
  };
  return { sim, alice, bob, a, b, sockM, fromBob, addrA, addrB, bobToAlice, bobNonce, errors };
}

test('a replayed handshake is dropped, from the same or another address', async (t) => {
  const s = await tapped();
  t.is(s.a.state, 'established');
  const handshake = s.fromBob.find((p) => p[0] === 0x1a)!;
  t.truthy(handshake);
  s.alice.receive(handshake, s.addrB);
  s.alice.receive(handshake, { host: '20.9.9.9', port: 1 });
  t.is(s.alice.stats.dropped.get('handshake-replayed'), 2);
  t.is(s.a.state, 'established');
  t.is(s.alice.connections().length, 1);
});

test('a handshake whose cookie is over 15 s old is refused', async (t) => {
  const s = await tapped();
  const handshake = s.fromBob.find((p) => p[0] === 0x1a)!;
  s.a.close();
  s.sim.clock.advance(17_000);
  s.alice.receive(handshake, s.addrB);
  t.is(s.alice.stats.dropped.get('handshake-cookie-expired'), 1);
  t.is(s.alice.connections().length, 0);
});

test('data packets: unknown id, ack beyond what we sent, bad MAC, unknown source', async (t) => {
  const s = await tapped();
  const send = (ahead: number, bufferStart: number, payload: Uint8Array, from = s.addrB): void => {
    s.alice.receive(encodeDataPacket(s.bobToAlice, s.bobNonce(ahead), bufferStart, 0, payload), from);
  };
  send(30_000, 0, Uint8Array.of(5, 1, 2));
  t.is(s.a.stats.dropped.get('unknown-packet-id'), 1);
  send(30_001, 1_000_000, Uint8Array.of(160, 1));
  t.is(s.a.stats.dropped.get('ack-out-of-window'), 1);
  const forged = encodeDataPacket(new Uint8Array(32).fill(9), s.bobNonce(30_002), 0, 0, Uint8Array.of(160));
  s.alice.receive(forged, s.addrB);
  t.is(s.a.stats.dropped.get('bad-mac'), 1);
  send(30_003, 0, Uint8Array.of(160, 1), { host: '20.9.9.9', port: 9 });
  t.is(s.alice.stats.dropped.get('unknown-source'), 1);
  // The session still works.
  const got: number[] = [];
  s.a.on('lossless', (p) => got.push(p[1]!));
  s.b.sendLossless(Uint8Array.of(170, 42));
  s.sim.clock.advance(100);
  t.deepEqual(got, [42]);
  t.deepEqual(s.errors, []);
});

test('a lossless packet far ahead of the receive window is dropped, not stored', async (t) => {
  const s = await tapped();
  s.alice.receive(encodeDataPacket(s.bobToAlice, s.bobNonce(30_000), 0, 20_000, Uint8Array.of(160, 1)), s.addrB);
  t.is(s.a.stats.dropped.get('out-of-window'), 1);
  t.is(s.a.buffers.receiveHeld, 0);
});

test('a flood of cookie requests is answered at a bounded rate', async (t) => {
  const s = await tapped();
  const attacker = generateKeyPair();
  const shared = precompute(s.alice.dhtPublicKey, attacker.secretKey)!;
  const request = encodeCookieRequest(attacker.publicKey, shared, randomNonce(), attacker.publicKey, new Uint8Array(8));
  const before = s.alice.stats.cookieResponsesSent;
  for (let i = 0; i < 10_000; i++) s.alice.receive(request, { host: '20.7.7.7', port: 1000 + (i % 50_000) });
  const answered = s.alice.stats.cookieResponsesSent - before;
  t.true(answered <= s.alice.config.cookieRequestsPerSecond, `${answered} answered`);
  t.is(answered + s.alice.stats.dropped.get('cookie-rate'), 10_000);
  s.sim.clock.advance(1000);
  s.alice.receive(request, { host: '20.7.7.7', port: 1 });
  t.is(s.alice.stats.cookieResponsesSent - before, answered + 1, 'the bucket refills');
});

test('fuzz: random and mutated packets from anywhere never throw and never break the session', async (t) => {
  const s = await tapped();
  const samples = s.fromBob.slice(0, 20);
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 1500 }).map((b) => (b.length > 0 ? ((b[0] = 0x18 + (b[0]! % 4)), b) : b)),
        fc.tuple(fc.nat(samples.length - 1), fc.nat(), fc.nat(255)).map(([i, at, v]) => {
          const p = samples[i]!.slice();
          p[at % p.length] = p[at % p.length]! ^ (v | 1);
          return p;
        }),
        fc.tuple(fc.nat(samples.length - 1), fc.nat()).map(([i, n]) => samples[i]!.subarray(0, n % (samples[i]!.length + 1))),
      ),
      fc.boolean(),
      (packet, fromBob) => {
        s.alice.receive(packet, fromBob ? s.addrB : { host: '20.1.2.3', port: 4 });
      },
    ),
    { numRuns: 3000 },
  );
  t.deepEqual(s.errors, []);
  t.is(s.a.state, 'established');
  const got: number[] = [];
  s.a.on('lossless', (p) => got.push(p[1]!));
  s.b.sendLossless(Uint8Array.of(170, 7));
  s.sim.clock.advance(2000);
  t.deepEqual(got, [7]);
  t.true(s.alice.stats.dropped.total > 0);
});
