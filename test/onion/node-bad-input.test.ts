// Bad input at an OnionNode: every receive path fuzzed with random bytes, every truncation
// and bit flips of valid packets; nothing throws, everything refused is counted by reason;
// the tables stay bounded under a flood; a closed node takes nothing; bad configs refused.
import test from 'ava';
import { type KeyPair, generateKeyPair, precompute, randomNonce } from '../../src/crypto/index.ts';
import { Prng, SimClock } from '../../src/io/index.ts';
import { NetPacket, toHex } from '../../src/wire/index.ts';
import { compareDistance } from '../../src/dht/index.ts';
import {
  ONION_NODE_PACKET_IDS, ONION_RETURN_3, OnionNode, OnionNodeConfigError, type OnionNodeStats, createOnionPath, decodeAnnounceResponse,
  encodeAnnounceRequest, encodeOnionDataRequest, encodeOnionRequest, encodeOnionResponse, onionNodeConfig, openAnnounceResponse,
  sealReturnPath,
} from '../../src/onion/index.ts';

const hop3 = { host: '203.0.113.9', port: 33445 };

function makeNode(config = {}) {
  const clock = new SimClock();
  const keys = generateKeyPair();
  const sent: Array<{ to: { host: string; port: number }; data: Uint8Array }> = [];
  const node = new OnionNode({
    clock, dhtKeyPair: keys, config, sender: { send: (to, data) => sent.push({ to, data }) },
    closeNodes: () => [{ protocol: 'udp', ipPort: { host: '198.51.100.7', port: 33445 }, publicKey: generateKeyPair().publicKey }],
  });
  return { clock, keys, sent, node };
}

/** Packets that were handled, by the counters: accepted forwards plus drops. */
function handled(stats: OnionNodeStats): number {
  const { 'announce-stored': _stored, ...rest } = stats.accepted;
  return Object.values(rest).reduce((a, b) => a + b, 0) + stats.totalDropped;
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};

/** One valid packet of every kind the node handles, sealed to `node`. */
function validPackets(keys: KeyPair): Uint8Array[] {
  const other = generateKeyPair(), other2 = generateKeyPair();
  const me = { ipPort: { host: '192.0.2.1', port: 1 }, publicKey: keys.publicKey };
  const them = (k: KeyPair) => ({ ipPort: { host: '192.0.2.2', port: 2 }, publicKey: k.publicKey });
  const origin = generateKeyPair();
  const dest = { host: '192.0.2.9', port: 9 };
  const payload = new Uint8Array(120).fill(NetPacket.ANNOUNCE_REQUEST_OLD);
  const p0 = encodeOnionRequest(createOnionPath(origin, [me, them(other), them(other2)], generateKeyPair(), generateKeyPair())!, randomNonce(), dest, payload);
  // A 0x81 and 0x82 sealed to us as hop 2 and 3: build a path with us in that position and cut the outer layers.
  const asHop2 = createOnionPath(origin, [them(other), me, them(other2)], generateKeyPair(), generateKeyPair())!;
  const asHop3 = createOnionPath(origin, [them(other), them(other2), me], generateKeyPair(), generateKeyPair())!;
  const peel = (packet: Uint8Array, layerKey: KeyPair, hop: 1 | 2): Uint8Array => {
    // Open the layer with the hop's key as a real hop would and forward with a fake blob.
    const nodeAtHop = new OnionNode({ clock: new SimClock(), dhtKeyPair: layerKey, closeNodes: () => [], sender: { send: (_t, d) => { out = d; } } });
    let out: Uint8Array | undefined;
    nodeAtHop.receive(packet, { host: '192.0.2.77', port: 7 });
    if (!out) throw new Error(`hop ${hop} did not forward`);
    return out;
  };
  const req2 = encodeOnionRequest(asHop2, randomNonce(), dest, payload);
  const p1 = peel(req2, other, 1);
  const req3 = encodeOnionRequest(asHop3, randomNonce(), dest, payload);
  const p2 = peel(peel(req3, other, 1), other2, 2);
  const sender = generateKeyPair();
  const announce = encodeAnnounceRequest('old', precompute(keys.publicKey, sender.secretKey)!, sender.publicKey, randomNonce(), {
    pingId: new Uint8Array(32), searchPublicKey: sender.publicKey, dataPublicKey: new Uint8Array(32), sendback: new Uint8Array(8),
  });
  const announceNew = new Uint8Array(announce);
  announceNew[0] = NetPacket.ANNOUNCE_REQUEST;
  const blob3 = new Uint8Array(ONION_RETURN_3).fill(3);
  const data = encodeOnionDataRequest(keys.publicKey, randomNonce(), generateKeyPair().publicKey, new Uint8Array(32).fill(1), new Uint8Array(80).fill(4));
  const response = new Uint8Array(100).fill(NetPacket.ONION_DATA_RESPONSE);
  const key = new Uint8Array(32).fill(9);
  const blob1 = sealReturnPath(key, randomNonce(), { kind: 'udp', ipPort: dest }, new Uint8Array(0));
  const blob2 = sealReturnPath(key, randomNonce(), { kind: 'udp', ipPort: dest }, blob1);
  const r3 = encodeOnionResponse(sealReturnPath(key, randomNonce(), { kind: 'udp', ipPort: dest }, blob2), response);
  const r2 = concat(new Uint8Array([NetPacket.ONION_RECV_2]), blob2, response);
  const r1 = concat(new Uint8Array([NetPacket.ONION_RECV_1]), blob1, response);
  return [p0, p1, p2, concat(announce, blob3), concat(announceNew, blob3), concat(data, blob3), r3, r2, r1];
}

test('every receive path, fuzzed: random bytes under every onion id, every truncation, bit flips; nothing throws, all counted', (t) => {
  const { node, keys } = makeNode();
  const prng = new Prng('onion-node-fuzz');
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => prng.nextInt(0, 256));
  let given = 0;
  const give = (data: Uint8Array): void => {
    t.notThrows(() => t.true(node.receive(data, hop3)));
    given++;
  };
  // Random bodies under every id the node takes, every length class.
  for (const id of ONION_NODE_PACKET_IDS) {
    for (let i = 0; i < 60; i++) {
      const n = [1, 2, 60, 177, 178, 227, 354, 355, 1400, 1401, 2000][i % 11]! + prng.nextInt(0, 3);
      const data = bytes(n);
      data[0] = id;
      give(data);
    }
  }
  t.is(node.stats.totalDropped, given, 'random input: all dropped');
  t.is(node.stats.dropped['internal-error'], undefined);

  // Valid packets, truncated at every length and with bits flipped.
  const valid = validPackets(keys);
  for (const packet of valid) {
    for (let n = 1; n < packet.length; n++) give(packet.subarray(0, n));
    for (let i = 0; i < 40; i++) {
      const flipped = packet.slice();
      const at = prng.nextInt(1, packet.length);
      flipped[at] = flipped[at]! ^ (1 << prng.nextInt(0, 8));
      give(flipped);
    }
    give(concat(packet, bytes(prng.nextInt(1, 40))));
  }
  t.is(handled(node.stats), given, 'every packet was forwarded or dropped, and counted');
  t.is(node.stats.dropped['internal-error'], undefined);
  t.log(JSON.stringify(node.stats.dropped));
  for (const reason of ['malformed-truncated', 'malformed-trailing-bytes', 'bad-mac', 'bad-return-path', 'not-announced'] as const) {
    t.true((node.stats.dropped[reason] ?? 0) > 0, `some ${reason}`);
  }
});

test('the packets are handled when whole: the valid set is forwarded or answered', (t) => {
  const { node, keys, sent } = makeNode();
  const valid = validPackets(keys);
  for (const packet of valid) t.true(node.receive(packet, hop3));
  t.is(node.stats.dropped['malformed-truncated'], undefined);
  // Everything forwards except: responses with blobs sealed by another key, a data request for a key not announced.
  t.deepEqual(node.stats.dropped, { 'bad-return-path': 3, 'not-announced': 1 });
  t.is(sent.length, 5, '3 requests forwarded, 2 announce requests answered');
});

test('ids the node does not handle are left to the caller; a closed node takes and sends nothing', (t) => {
  const { node, keys, sent } = makeNode();
  for (const id of [0x00, 0x01, 0x02, 0x04, 0x20, 0x21, NetPacket.ANNOUNCE_RESPONSE_OLD, NetPacket.ONION_DATA_RESPONSE, NetPacket.ANNOUNCE_RESPONSE, 0x8f, 0xff]) {
    t.false(node.receive(new Uint8Array(400).fill(id), hop3), `0x${id.toString(16)}`);
  }
  t.false(node.receive(new Uint8Array(0), hop3));
  t.is(node.stats.totalDropped, 0);
  const valid = validPackets(keys);
  node.close();
  node.close();
  for (const packet of valid) t.false(node.receive(packet, hop3));
  t.is(sent.length, 0);
});

test('a flood of announcements from 2,000 keys, each with a valid ping id, leaves 160 entries: the closest', (t) => {
  const { node, keys, sent, clock } = makeNode();
  const blob = new Uint8Array(ONION_RETURN_3);
  const announce = (sender: KeyPair, pingId: Uint8Array): Uint8Array => {
    const shared = precompute(keys.publicKey, sender.secretKey)!;
    const request = encodeAnnounceRequest('old', shared, sender.publicKey, randomNonce(), {
      pingId, searchPublicKey: sender.publicKey, dataPublicKey: sender.publicKey, sendback: new Uint8Array(8),
    });
    node.receive(concat(request, blob), hop3);
    return openAnnounceResponse(decodeAnnounceResponse(sent.at(-1)!.data.subarray(1 + ONION_RETURN_3)), shared)!.pingIdOrKey;
  };
  const senders = Array.from({ length: 2000 }, generateKeyPair);
  for (const s of senders) announce(s, announce(s, new Uint8Array(32)));
  t.is(node.announceStore.size(clock.now()), 160);
  t.is(node.stats.accepted['announce-stored']! + node.stats.storeRefused, 2000);
  t.true(node.stats.storeRefused > 1000);
  const closest = senders.map((s) => s.publicKey).sort((a, b) => compareDistance(keys.publicKey, a, b)).slice(0, 160).map(toHex);
  t.deepEqual(node.announceStore.entries(clock.now()).map((e) => toHex(e.publicKey)), closest);
  t.is(node.stats.totalDropped, 0);
  t.is(sent.length, 4000, 'every request answered, one answer each: no amplification by count');
  const biggest = Math.max(...sent.map((s) => s.data.length));
  t.true(biggest <= 1 + ONION_RETURN_3 + 82 + 51 * 4, `answers at most ${biggest} bytes`);
});

test('configuration values out of range are refused by name', (t) => {
  t.is(onionNodeConfig().onionAnnounceMaxEntries, 160);
  t.is(onionNodeConfig().keyRefreshIntervalMs, 7_200_000);
  for (const [field, value] of [
    ['onionAnnounceMaxEntries', 0], ['onionAnnounceTimeoutMs', -1], ['keyRefreshIntervalMs', 0.5], ['sharedKeyCacheSize', 0],
    ['pingIdTimeoutMs', 1500], ['pingIdTimeoutMs', 0], ['socketKind', 'udp'],
  ] as const) {
    const error = t.throws(() => onionNodeConfig({ [field]: value }), { instanceOf: OnionNodeConfigError });
    t.is(error?.field, field);
  }
  t.throws(() => new OnionNode({ clock: new SimClock(), sender: { send: () => {} }, dhtKeyPair: { publicKey: new Uint8Array(31), secretKey: new Uint8Array(32) }, closeNodes: () => [] }));
});
