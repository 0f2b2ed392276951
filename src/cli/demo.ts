/**
 * `toxlink demo`: what the floors built so far can do, on a simulated network, in a second
 * of wall time and no network access. Alice and Bob each make a long-term identity and show
 * their Tox IDs; Bob sits behind a port-restricted NAT on a lossy, jittery link. Bob opens
 * his NAT towards Alice, then they exchange boxed datagrams (precomputed shared key,
 * big-endian nonce counter), and the demo reports what arrived,
 * what was lost and how far simulated time ran ahead of the wall clock.
 *
 * This is the foundation's demo; later layers replace it with the real stack.
 *
 * @see spec/introduction.md#sans-io
 * @module
 */
import { MAC_SIZE, NONCE_SIZE, decryptPrecomputed, encryptPrecomputed, generateKeyPair, incrementNonce, precompute, randomBytes } from '../crypto/index.ts';
import { ByteReader, ByteWriter, formatToxId, parseToxId } from '../wire/index.ts';
import { SimNetwork, type Address } from '../io/index.ts';

/** Settings of one demo run. */
export interface DemoOptions {
  /** Seeds the simulated network (same seed, same run). */
  seed: number;
  /** Datagrams Alice sends, one every 100 simulated ms. */
  messages: number;
  /** One-way loss on the link. */
  lossRate: number;
  /** Where lines go. */
  print: (line: string) => void;
}

/** What one demo run measured. */
export interface DemoResult {
  sent: number;
  receivedByBob: number;
  echoedToAlice: number;
  rejectedByBob: number;
  simulatedMs: number;
  wallMs: number;
}

const PORT = 33445;

/** A datagram: [nonce 24][box(counter u32, text)]. */
function seal(key: Uint8Array, nonce: Uint8Array, counter: number, text: string): Uint8Array {
  const body = new TextEncoder().encode(text);
  const plain = new ByteWriter(4 + body.length).u32(counter).bytes(body).finish();
  const box = encryptPrecomputed(key, nonce, plain);
  return new ByteWriter(NONCE_SIZE + box.length).bytes(nonce).bytes(box).finish();
}

function open(key: Uint8Array, datagram: Uint8Array): { counter: number; text: string } | undefined {
  if (datagram.length < NONCE_SIZE + MAC_SIZE + 4) return undefined;
  const r = new ByteReader(datagram);
  const plain = decryptPrecomputed(key, r.bytes(NONCE_SIZE), r.rest());
  if (!plain) return undefined;
  const p = new ByteReader(plain);
  return { counter: p.u32(), text: new TextDecoder().decode(p.rest()) };
}

/** Runs the demo and returns its figures; lines go to `options.print`. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { print } = options;
  const started = performance.now();
  const sim = new SimNetwork({ seed: options.seed, link: { latencyMs: 40, jitterMs: 15, lossRate: options.lossRate } });
  const aliceHost = sim.addHost({ name: 'alice' });
  const bobHost = sim.addHost({ name: 'bob', nat: { type: 'port-restricted', publicIp: '198.51.100.7' } });

  const alice = generateKeyPair(), bob = generateKeyPair();
  const aliceId = formatToxId({ publicKey: alice.publicKey, nospam: 0 });
  const bobId = formatToxId({ publicKey: bob.publicKey, nospam: 0xc0ffee });
  print(`alice  ${aliceId}`);
  print(`bob    ${bobId}  (behind a port-restricted NAT)`);

  // Each side learns the other's key from its Tox ID, as a user would paste it.
  const aliceKey = precompute(parseToxId(bobId).publicKey, alice.secretKey)!;
  const bobKey = precompute(parseToxId(aliceId).publicKey, bob.secretKey)!;

  const aSock = await aliceHost.bindUdp({ host: '0.0.0.0', port: PORT });
  const bSock = await bobHost.bindUdp({ host: '0.0.0.0', port: PORT });
  const aliceAddr: Address = { host: aliceHost.ip, port: PORT };

  const result: DemoResult = { sent: 0, receivedByBob: 0, echoedToAlice: 0, rejectedByBob: 0, simulatedMs: 0, wallMs: 0 };
  const bobNonce = randomBytes(NONCE_SIZE);
  bSock.onReceive((data, from) => {
    const m = open(bobKey, data);
    if (!m) { result.rejectedByBob++; return; }
    result.receivedByBob++;
    incrementNonce(bobNonce);
    bSock.send(from, seal(bobKey, bobNonce, m.counter, `ack ${m.counter}`));
  });
  // Bob's NAT drops what it has not seen Bob send to; a first packet opens it.
  incrementNonce(bobNonce);
  bSock.send(aliceAddr, seal(bobKey, bobNonce, 0, 'hello from behind the NAT'));
  let bobPublic: Address | undefined;
  aSock.onReceive((data, from) => {
    const m = open(aliceKey, data);
    if (!m) return;
    if (m.counter === 0 && !bobPublic) { bobPublic = from; return; }
    result.echoedToAlice++;
  });
  await sim.clock.advanceAsync(1000);
  if (!bobPublic) { print('bob\'s first packet was lost; run again with another --seed'); return result; }
  print(`alice sees bob at ${bobPublic.host}:${bobPublic.port} (his NAT's mapping)`);

  // A stranger's datagram stops at Bob's NAT; a datagram damaged in flight reaches Bob, fails
  // to open, and is counted and dropped.
  const stranger = sim.addHost({ name: 'mallory' });
  const mSock = await stranger.bindUdp({ host: '0.0.0.0', port: PORT });
  mSock.send(bobPublic, randomBytes(64));
  const damaged = seal(aliceKey, randomBytes(NONCE_SIZE), 999, 'damaged');
  damaged[damaged.length - 1]! ^= 0x01;
  aSock.send(bobPublic, damaged);

  const aliceNonce = randomBytes(NONCE_SIZE);
  for (let i = 1; i <= options.messages; i++) {
    sim.clock.setTimer(i * 100, () => {
      incrementNonce(aliceNonce);
      aSock.send(bobPublic!, seal(aliceKey, aliceNonce, i, `message ${i}`));
      result.sent++;
    });
  }
  await sim.clock.advanceAsync(options.messages * 100 + 2000);
  result.simulatedMs = sim.clock.now();
  result.wallMs = performance.now() - started;

  print(`alice sent ${result.sent} boxed datagrams over a link losing ${(options.lossRate * 100).toFixed(0)} % each way`);
  print(`bob opened ${result.receivedByBob}, alice got ${result.echoedToAlice} acks back`);
  print(`bob refused ${result.rejectedByBob} damaged datagram(s); his NAT filtered ${sim.stats.dropped['nat-filtered']} from a stranger; the link lost ${sim.stats.dropped.loss}`);
  print(`simulated ${(result.simulatedMs / 1000).toFixed(1)} s in ${result.wallMs.toFixed(0)} ms of wall time`);
  await Promise.all([aSock.close(), bSock.close(), mSock.close()]);
  return result;
}
