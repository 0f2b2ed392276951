// The announce node: its store (order, replacement, expiry at 300 s), its answers (status,
// ping id or data key, nodes; LAN nodes only to LAN askers; 0x87 answered with 0x88), ping
// ids in two 300 s windows, and data requests passed down the announcer's return path on a
// simulated network of real OnionNodes.
import test from 'ava';
import { type KeyPair, generateKeyPair, precompute, randomBytes, randomNonce } from '../../src/crypto/index.ts';
import { SimClock } from '../../src/io/index.ts';
import { compareDistance } from '../../src/dht/index.ts';
import { type IpPort, NetPacket, type PackedNode, toHex } from '../../src/wire/index.ts';
import {
  type AnnounceFormat, type AnnounceResponse, type OnionNodeConfig, type OnionPath, AnnounceStatus, AnnounceStore, ONION_RETURN_3, OnionNode, createOnionPath,
  decodeAnnounceResponse, decodeOnionDataResponse, encodeAnnounceRequest, encodeOnionDataRequest, encodeOnionRequest, openAnnounceResponse,
  openOnionData, openOnionDataResponse, sealOnionData,
} from '../../src/onion/index.ts';
import { type ToxNetNode, simToxNet } from './sim-tox-net.ts';

const SECOND = 1000;
const hop3: IpPort = { host: '203.0.113.9', port: 33445 };

/** An OnionNode on a SimClock whose sends are captured, and a way to ask it things. */
function announceNode(closeNodes: (key: Uint8Array, n: number) => PackedNode[] = () => [], config: Partial<OnionNodeConfig> = {}) {
  const clock = new SimClock();
  const self = generateKeyPair();
  const sent: Array<{ to: IpPort; data: Uint8Array }> = [];
  const node = new OnionNode({ clock, sender: { send: (to, data) => sent.push({ to, data: data.slice() }) }, dhtKeyPair: self, closeNodes, config });
  /** Sends an announce request as `sender` through `from`; returns the opened answer (undefined if none). */
  const ask = (sender: KeyPair, opts: { pingId?: Uint8Array; search?: Uint8Array; data?: Uint8Array; from?: IpPort; format?: AnnounceFormat } = {}):
    (AnnounceResponse & { format: AnnounceFormat }) | undefined => {
    const shared = precompute(self.publicKey, sender.secretKey)!;
    const request = encodeAnnounceRequest(opts.format ?? 'old', shared, sender.publicKey, randomNonce(), {
      pingId: opts.pingId ?? new Uint8Array(32), searchPublicKey: opts.search ?? sender.publicKey,
      dataPublicKey: opts.data ?? new Uint8Array(32), sendback: randomBytes(8),
    });
    const blob = randomBytes(ONION_RETURN_3);
    const packet = new Uint8Array(request.length + blob.length);
    packet.set(request);
    packet.set(blob, request.length);
    const before = sent.length;
    node.receive(packet, opts.from ?? hop3);
    if (sent.length === before) return undefined;
    const out = sent.at(-1)!;
    if (out.data[0] !== NetPacket.ONION_RECV_3 || toHex(out.data.subarray(1, 1 + ONION_RETURN_3)) !== toHex(blob)) throw new Error('not through the blob');
    if (out.to.host !== (opts.from ?? hop3).host) throw new Error('not to hop 3');
    const envelope = decodeAnnounceResponse(out.data.subarray(1 + ONION_RETURN_3));
    const opened = openAnnounceResponse(envelope, shared);
    return opened && { ...opened, format: envelope.format };
  };
  return { clock, self, node, sent, ask };
}

const key = (): Uint8Array => generateKeyPair().publicKey;

test('store: sorted by distance to our key, bounded, the farthest replaced only by a closer key', (t) => {
  const self = key();
  const store = new AnnounceStore(self, { capacity: 160, timeoutMs: 300 * SECOND });
  const keys = Array.from({ length: 200 }, key);
  let refused = 0;
  for (const k of keys) if (!store.add(k, key(), hop3, new Uint8Array(ONION_RETURN_3), 0)) refused++;
  t.is(store.size(0), 160);
  const entries = store.entries(0);
  for (let i = 1; i < entries.length; i++) t.true(compareDistance(self, entries[i - 1]!.publicKey, entries[i]!.publicKey) < 0);
  // The 160 kept are exactly the 160 closest of all 200 (every closer key displaced a farther one).
  const truth = [...keys].sort((a, b) => compareDistance(self, a, b)).slice(0, 160).map(toHex);
  t.deepEqual(entries.map((e) => toHex(e.publicKey)), truth);
  t.true(refused > 0);

  const farthest = entries.at(-1)!;
  const far = Uint8Array.from(self, (b) => b ^ 0xff);
  t.is(store.add(far, key(), hop3, new Uint8Array(ONION_RETURN_3), 1), undefined, 'a key farther than all is refused');
  const near = Uint8Array.from(self);
  near[31] = near[31]! ^ 1;
  t.truthy(store.add(near, key(), hop3, new Uint8Array(ONION_RETURN_3), 1), 'a closer key is taken');
  t.is(store.size(1), 160);
  t.is(toHex(store.entries(1)[0]!.publicKey), toHex(near));
  t.is(store.find(farthest.publicKey, 1), undefined, 'in place of the farthest');
});

test('store: a refresh replaces in place; entries expire 300 s after their last refresh, and expired slots take any key', (t) => {
  const self = key();
  const store = new AnnounceStore(self, { capacity: 3, timeoutMs: 300 * SECOND });
  const [a, b, c] = [key(), key(), key()];
  const dataA = key(), dataA2 = key();
  store.add(a, dataA, hop3, new Uint8Array(ONION_RETURN_3), 0);
  store.add(b, key(), hop3, new Uint8Array(ONION_RETURN_3), 10 * SECOND);
  store.add(c, key(), hop3, new Uint8Array(ONION_RETURN_3), 20 * SECOND);
  store.add(a, dataA2, { host: '198.51.100.1', port: 1 }, new Uint8Array(ONION_RETURN_3).fill(1), 100 * SECOND);
  t.is(store.size(100 * SECOND), 3);
  const refreshed = store.find(a, 100 * SECOND)!;
  t.is(toHex(refreshed.dataPublicKey), toHex(dataA2));
  t.is(refreshed.returnAddress.host, '198.51.100.1');

  t.truthy(store.find(b, 310 * SECOND - 1), 'b alive until 300 s after it was stored');
  t.is(store.find(b, 310 * SECOND), undefined, 'and gone at 300 s');
  t.truthy(store.find(a, 400 * SECOND - 1));
  t.is(store.find(a, 400 * SECOND), undefined);
  // Full of live keys at 305 s? No: b expired at 310 s; at 315 s b's slot takes even the farthest key.
  const far = Uint8Array.from(self, (x) => x ^ 0xff);
  t.truthy(store.add(far, key(), hop3, new Uint8Array(ONION_RETURN_3), 315 * SECOND));
  t.is(store.size(315 * SECOND), 3);
  t.is(store.size(10_000 * SECOND), 0);
});

test('answers: ping id, stored, found (the data key), another data key (0), a full store (0)', (t) => {
  const { ask, node } = announceNode();
  const alice = generateKeyPair(), bob = generateKeyPair();
  const aliceData = key();
  const first = ask(alice, { data: aliceData })!;
  t.is(first.isStored, AnnounceStatus.NOT_STORED);
  t.is(node.announceStore.size(0), 0, 'a zero ping id stores nothing');

  const second = ask(alice, { data: aliceData, pingId: first.pingIdOrKey })!;
  t.is(second.isStored, AnnounceStatus.STORED);
  t.is(node.stats.accepted['announce-stored'], 1);

  const search = ask(bob, { search: alice.publicKey })!;
  t.is(search.isStored, AnnounceStatus.FOUND);
  t.is(toHex(search.pingIdOrKey), toHex(aliceData), 'a search gets the announcer\'s data key');

  t.is(ask(alice, { data: aliceData })!.isStored, AnnounceStatus.STORED, 'stored already: 2 even with a zero ping id');
  t.is(ask(alice, { data: key() })!.isStored, AnnounceStatus.NOT_STORED, 'another data key: 0');
  t.is(ask(bob, { search: key() })!.isStored, AnnounceStatus.NOT_STORED, 'a key nobody announced: 0');
  t.is(node.stats.totalDropped, 0);

  // A store of one: a farther key with a valid ping id is refused (0, a ping id), a closer one replaces.
  const small = announceNode(() => [], { onionAnnounceMaxEntries: 1 });
  const [near, mid, far] = [generateKeyPair(), generateKeyPair(), generateKeyPair()]
    .sort((x, y) => compareDistance(small.self.publicKey, x.publicKey, y.publicKey)) as [KeyPair, KeyPair, KeyPair];
  const store = (k: KeyPair): number => small.ask(k, { pingId: small.ask(k)!.pingIdOrKey })!.isStored;
  t.is(store(mid), AnnounceStatus.STORED);
  t.is(store(far), AnnounceStatus.NOT_STORED, 'farther than the one held: refused');
  t.is(small.node.stats.storeRefused, 1);
  t.is(store(near), AnnounceStatus.STORED, 'closer: it replaces it');
  t.is(small.node.announceStore.size(0), 1);
  t.truthy(small.node.announceStore.find(near.publicKey, 0));
});

test('ping ids hold in their 300 s window and the next, not after, and only for the same sender and hop 3', (t) => {
  const { ask, clock, node } = announceNode();
  const stored = (k: KeyPair): boolean => node.announceStore.find(k.publicKey, clock.now()) !== undefined;
  const pingAt = (k: KeyPair): Uint8Array => ask(k)!.pingIdOrKey;
  const [a, b, c, d, e] = Array.from({ length: 5 }, generateKeyPair) as [KeyPair, KeyPair, KeyPair, KeyPair, KeyPair];

  clock.advanceTo(299 * SECOND); // the last second of window 0
  const [pa, pb, pc, pd, pe] = [pingAt(a), pingAt(b), pingAt(c), pingAt(d), pingAt(e)];
  t.is(ask(a, { pingId: pa })!.isStored, AnnounceStatus.STORED, 'same window');
  ask(d, { pingId: pd, from: { host: '203.0.113.10', port: 33445 } });
  t.false(stored(d), 'another hop 3: refused');
  ask(e, { pingId: pb });
  t.false(stored(e), 'another sender\'s ping id: refused');

  clock.advanceTo(300 * SECOND); // window 1: the previous window still counts
  t.is(ask(b, { pingId: pb })!.isStored, AnnounceStatus.STORED);
  clock.advanceTo(599 * SECOND);
  t.is(ask(e, { pingId: pe })!.isStored, AnnounceStatus.STORED, '300 s later, last second of window 1');

  clock.advanceTo(600 * SECOND); // window 2: a window-0 ping id is refused
  const late = ask(c, { pingId: pc })!;
  t.is(late.isStored, AnnounceStatus.NOT_STORED);
  t.false(stored(c));
  t.notDeepEqual([...late.pingIdOrKey], [...pc], 'with a fresh ping id');
  t.is(ask(c, { pingId: late.pingIdOrKey })!.isStored, AnnounceStatus.STORED, 'which works');
});

test('nodes: the 4 closest from the DHT, LAN addresses only to LAN askers; 0x87 is answered with a 0x88', (t) => {
  const lan = (i: number): PackedNode => ({ protocol: 'udp', ipPort: { host: `192.168.1.${i}`, port: 33445 }, publicKey: key() });
  const pub = (i: number): PackedNode => ({ protocol: 'udp', ipPort: { host: `198.51.100.${i}`, port: 33445 }, publicKey: key() });
  const known = [lan(1), pub(2), lan(3), pub(4), pub(5), pub(6), pub(7)];
  const asked: number[] = [];
  const { ask } = announceNode((_k, n) => { asked.push(n); return known.slice(0, n); });
  const hosts = (r: AnnounceResponse | undefined): string[] => (r?.nodes ?? []).map((n) => n.ipPort.host);

  t.deepEqual(hosts(ask(generateKeyPair())), ['198.51.100.2', '198.51.100.4', '198.51.100.5', '198.51.100.6']);
  t.deepEqual(hosts(ask(generateKeyPair(), { from: { host: '192.168.1.77', port: 33445 } })),
    ['192.168.1.1', '198.51.100.2', '192.168.1.3', '198.51.100.4']);
  t.deepEqual(hosts(ask(generateKeyPair(), { from: { host: '127.0.0.1', port: 33445 } })).length, 4, 'loopback is LAN');
  t.true(asked.every((n) => n >= 4));

  const alice = generateKeyPair();
  const r = ask(alice, { format: 'new' })!;
  t.is(r.format, 'new');
  t.is(r.nodes.length, 4);
  t.is(r.extra.length, 0);
  t.is(ask(alice, { format: 'new', pingId: r.pingIdOrKey })!.isStored, AnnounceStatus.STORED, '0x87 stores as 0x83 does');
});

const pathThrough = (from: ToxNetNode, hops: readonly ToxNetNode[]): OnionPath => createOnionPath(from.dhtKeyPair,
  [0, 1, 2].map((i) => ({ ipPort: hops[i]!.address, publicKey: hops[i]!.dht.publicKey })) as never, generateKeyPair(), generateKeyPair())!;

test('a data request is passed down the announcer\'s return path, until its announcement expires', async (t) => {
  const net = await simToxNet(8, { seed: 21 });
  const n = net.nodes;
  const [alice, bob, node] = [n[0]!, n[6]!, n[5]!];
  const aliceReal = generateKeyPair(), aliceData = generateKeyPair(), bobReal = generateKeyPair();
  const toAlice: Uint8Array[] = [];
  const toBob: Uint8Array[] = [];
  alice.addHandler((data) => (data[0] === NetPacket.ONION_DATA_RESPONSE || data[0] === NetPacket.ANNOUNCE_RESPONSE_OLD) && !!toAlice.push(data.slice()));
  bob.addHandler((data) => data[0] === NetPacket.ANNOUNCE_RESPONSE_OLD && !!toBob.push(data.slice()));

  // Alice announces herself at `node` through hops 1, 2, 3 (twice: the ping id, then stored).
  const shared = precompute(node.dht.publicKey, aliceReal.secretKey)!;
  const alicePath = pathThrough(alice, [n[1]!, n[2]!, n[3]!]);
  let pingId: Uint8Array = new Uint8Array(32);
  for (let i = 0; i < 2; i++) {
    const request = encodeAnnounceRequest('old', shared, aliceReal.publicKey, randomNonce(), {
      pingId, searchPublicKey: aliceReal.publicKey, dataPublicKey: aliceData.publicKey, sendback: new Uint8Array(8),
    });
    alice.socket.send(n[1]!.address, encodeOnionRequest(alicePath, randomNonce(), node.address, request));
    net.clock.advance(SECOND);
    pingId = openAnnounceResponse(decodeAnnounceResponse(toAlice.at(-1)!), shared)!.pingIdOrKey;
  }
  t.truthy(node.onion.announceStore.find(aliceReal.publicKey, net.clock.now()));
  toAlice.length = 0;

  // Bob sends Alice a payload through his own path (hops 2, 3, 4) to the same node.
  const bobPath = pathThrough(bob, [n[2]!, n[3]!, n[4]!]);
  const payload = new TextEncoder().encode('\x20hello through the onion');
  const sendData = (): void => {
    const nonce = randomNonce();
    const ephemeral = generateKeyPair();
    const inner = sealOnionData(precompute(aliceReal.publicKey, bobReal.secretKey)!, nonce, bobReal.publicKey, payload);
    const request = encodeOnionDataRequest(aliceReal.publicKey, nonce, ephemeral.publicKey, precompute(aliceData.publicKey, ephemeral.secretKey)!, inner);
    bob.socket.send(n[2]!.address, encodeOnionRequest(bobPath, randomNonce(), node.address, request));
    net.clock.advance(SECOND);
  };
  sendData();
  t.is(toAlice.length, 1, 'the data reached Alice');
  t.is(toBob.length, 0, 'and nothing went back to Bob');
  const envelope = decodeOnionDataResponse(toAlice[0]!);
  const sealed = openOnionDataResponse(envelope, precompute(envelope.ephemeralPublicKey, aliceData.secretKey)!)!;
  t.is(toHex(sealed.senderRealPublicKey), toHex(bobReal.publicKey));
  const opened = openOnionData(sealed, precompute(bobReal.publicKey, aliceReal.secretKey)!, envelope.nonce)!;
  t.is(new TextDecoder().decode(opened), new TextDecoder().decode(payload));
  t.is(node.onion.stats.accepted['data-request'], 1);

  // 300 s after her last announce, the entry is gone and data for her is dropped.
  net.clock.advance(300 * SECOND);
  sendData();
  t.is(toAlice.length, 1);
  t.is(node.onion.stats.dropped['not-announced'], 1);
  await net.close();
});
