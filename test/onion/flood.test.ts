/**
 * A flood from one node of a simulated Tox network (test/onion/sim-tox-net.ts) at the
 * announce node where an honest client is stored: announce requests from thousands of fresh
 * keys (each then sent again with the ping id it was given), garbage under every onion id,
 * onion layers under fresh keys at every hop position, replays (of its own stored request,
 * of a valid onion request of its own with the target as hop 1, and of every honest onion
 * packet that passes through the flooder, which is also a node of the network), and data
 * requests for the honest client's key and for keys nobody announced.
 *
 * What must hold: no node's onion tables grow past their bounds (announce store 160, the
 * four shared-key caches 1024 each; the clients' path node store 32, announce list 12,
 * search lists 8, sendback table 256), nothing throws, every refused packet is counted;
 * and the flooded node keeps serving: the honest announcement stays stored, and two honest
 * friends who start looking for each other during the flood find each other's DHT keys.
 */
import test from 'ava';
import { type KeyPair, generateKeyPair, precompute, randomBytes, randomNonce } from '../../src/crypto/index.ts';
import type { Address } from '../../src/io/index.ts';
import { compareDistance } from '../../src/dht/index.ts';
import { NetPacket, toHex } from '../../src/wire/index.ts';
import {
  AnnounceStatus, ONION_RETURN_1, ONION_RETURN_2, ONION_RETURN_3, ONION_NODE_PACKET_IDS, OnionClient, SendbackTable, createOnionPath,
  decodeAnnounceResponse, encodeAnnounceRequest, encodeOnionDataRequest, encodeOnionRequest, onionClientConfig, onionNodeConfig,
  openAnnounceResponse,
} from '../../src/onion/index.ts';
import { simToxNet, type SimToxNet, type ToxNetNode } from './sim-tox-net.ts';

const NODES = 24;
/** Flood ticks: one every 100 ms for 40 simulated seconds. */
const TICK_MS = 100;
const FLOOD_TICKS = 400;
/** Announce requests from fresh keys per tick (each answered key is sent once more, with its ping id). */
const FRESH_ANNOUNCES = 5;
/** Per tick: onion layers under random keys at each hop position, garbage, data requests, bad responses. */
const LAYERS_PER_HOP = 4;
const GARBAGE = 3;
const DATA_FOR_CLIENT = 3;
const DATA_FOR_NOBODY = 1;
const BAD_RESPONSES = 2;
/** Each honest onion packet seen by the flooder is sent on this many extra times. */
const REPLAYS_EACH = 5;
/** The flooder replays its own stored announce request, and a valid onion request of its own through the target, this many times per tick. */
const SELF_REPLAYS = 2;
/** Marks the flooder's own return blobs, so it knows the answers meant for it. */
const MAGIC = Uint8Array.from([0xf1, 0x00, 0xd5, 0xf1, 0x00, 0xd5, 0xf1, 0x00]);

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

interface Client {
  readonly node: ToxNetNode;
  readonly real: KeyPair;
  readonly onion: OnionClient;
  readonly learned: Map<string, number>;
  readonly errors: Error[];
}

function client(net: SimToxNet, node: ToxNetNode, real: KeyPair): Client {
  const onion = new OnionClient({
    clock: net.clock, sender: node.socket, dht: node.dht, realKeyPair: real, dhtKeyPair: node.dhtKeyPair, randomInt: (n) => net.prng.nextInt(0, n),
  });
  node.addHandler((data, from) => onion.receive(data, from));
  const c: Client = { node, real, onion, learned: new Map(), errors: [] };
  onion.events.on('dht-key', (e) => { if (e.via === 'onion' && !c.learned.has(toHex(e.realPublicKey))) c.learned.set(toHex(e.realPublicKey), net.clock.now()); });
  onion.events.on('error', (e) => c.errors.push(e));
  return c;
}

/** The flooder: a node of the network that also sends its own packets from its socket. */
class Flooder {
  readonly stats = { sent: 0, freshKeys: 0, pingIdsGiven: 0, answers: 0, honestSeen: 0, replayed: 0 };
  readonly #pending = new Map<string, { sender: KeyPair; shared: Uint8Array; request: Uint8Array | undefined }>();
  readonly #retry: Array<{ sender: KeyPair; shared: Uint8Array; pingId: Uint8Array }> = [];
  readonly #honest: Array<{ data: Uint8Array; from: Address }> = [];
  /** The flooder's own request stored at the target, replayed as is. */
  stored: Uint8Array | undefined;
  /** A valid onion request with the target as hop 1 (to an announce node beyond), replayed as is. */
  readonly onionRequest: Uint8Array;
  /** Every key the flooder announced with (to count how many are closer to the target than the honest key). */
  readonly keys: Uint8Array[] = [];
  #serial = 0;

  constructor(readonly node: ToxNetNode, readonly target: ToxNetNode, readonly victim: Uint8Array, beyond: readonly [ToxNetNode, ToxNetNode, ToxNetNode]) {
    node.addHandler((data, from) => this.#receive(data, from));
    const pathNode = (n: ToxNetNode) => ({ publicKey: n.dhtKeyPair.publicKey, ipPort: n.address });
    const path = createOnionPath(node.dhtKeyPair, [pathNode(target), pathNode(beyond[0]), pathNode(beyond[1])], generateKeyPair(), generateKeyPair())!;
    const sender = generateKeyPair();
    const announce = encodeAnnounceRequest('old', precompute(beyond[2].dhtKeyPair.publicKey, sender.secretKey)!, sender.publicKey, randomNonce(), {
      pingId: new Uint8Array(32), searchPublicKey: sender.publicKey, dataPublicKey: sender.publicKey, sendback: new Uint8Array(8).fill(1),
    });
    this.onionRequest = encodeOnionRequest(path, randomNonce(), beyond[2].address, announce);
  }

  #send(data: Uint8Array): void {
    this.node.socket.send(this.target.address, data);
    this.stats.sent++;
  }

  #blob(): Uint8Array {
    return concat(MAGIC, randomBytes(ONION_RETURN_3 - MAGIC.length));
  }

  #announce(sender: KeyPair, shared: Uint8Array, pingId: Uint8Array): Uint8Array {
    const sendback = new Uint8Array(8);
    new DataView(sendback.buffer).setUint32(4, ++this.#serial);
    const request = concat(encodeAnnounceRequest('old', shared, sender.publicKey, randomNonce(), {
      pingId, searchPublicKey: sender.publicKey, dataPublicKey: sender.publicKey, sendback,
    }), this.#blob());
    this.#pending.set(toHex(sendback), { sender, shared, request: pingId.some((b) => b !== 0) ? request : undefined });
    if (this.#pending.size > 4096) this.#pending.delete(this.#pending.keys().next().value!);
    return request;
  }

  /** Answers to our own requests come back as 0x8c with our blob; honest onion traffic is copied and passed on. */
  #receive(data: Uint8Array, from: Address): boolean {
    const id = data[0]!;
    if (id === NetPacket.ONION_RECV_3 && same(data.subarray(1, 1 + MAGIC.length), MAGIC)) {
      this.stats.answers++;
      const envelope = decodeAnnounceResponse(data.subarray(1 + ONION_RETURN_3));
      const pending = this.#pending.get(toHex(envelope.sendback));
      const response = pending && openAnnounceResponse(envelope, pending.shared);
      if (pending === undefined || response === undefined) return true;
      if (response.isStored === AnnounceStatus.STORED && pending.request !== undefined) this.stored ??= pending.request;
      else if (response.isStored === AnnounceStatus.NOT_STORED && pending.request === undefined) {
        this.stats.pingIdsGiven++;
        this.#retry.push({ sender: pending.sender, shared: pending.shared, pingId: response.pingIdOrKey });
      }
      return true;
    }
    if (ONION_NODE_PACKET_IDS.includes(id) && this.#honest.length < 200) {
      this.#honest.push({ data: data.slice(), from });
      this.stats.honestSeen++;
    }
    return false;
  }

  tick(): void {
    const send = (data: Uint8Array): void => this.#send(data);
    for (let i = 0; i < FRESH_ANNOUNCES; i++) {
      const sender = generateKeyPair();
      this.keys.push(sender.publicKey);
      this.stats.freshKeys++;
      send(this.#announce(sender, precompute(this.target.dhtKeyPair.publicKey, sender.secretKey)!, new Uint8Array(32)));
    }
    for (const r of this.#retry.splice(0)) send(this.#announce(r.sender, r.shared, r.pingId));
    if (this.stored !== undefined) for (let i = 0; i < SELF_REPLAYS; i++) send(this.stored);
    for (let i = 0; i < SELF_REPLAYS; i++) send(this.onionRequest);
    // Onion layers under random keys (32 random bytes: libsodium takes nearly all as keys).
    for (let i = 0; i < LAYERS_PER_HOP; i++) {
      send(concat(Uint8Array.of(NetPacket.ONION_SEND_INITIAL), randomBytes(24 + 32 + 260)));
      send(concat(Uint8Array.of(NetPacket.ONION_SEND_1), randomBytes(24 + 32 + 200), randomBytes(ONION_RETURN_1)));
      send(concat(Uint8Array.of(NetPacket.ONION_SEND_2), randomBytes(24 + 32 + 150), randomBytes(ONION_RETURN_2)));
    }
    for (let i = 0; i < GARBAGE; i++) {
      const g = randomBytes(1 + (randomBytes(2)[0]! << 3));
      g[0] = ONION_NODE_PACKET_IDS[randomBytes(1)[0]! % ONION_NODE_PACKET_IDS.length]!;
      send(g);
    }
    const data = (key: Uint8Array): Uint8Array => concat(
      encodeOnionDataRequest(key, randomNonce(), randomBytes(32), randomBytes(32), randomBytes(120)), this.#blob());
    for (let i = 0; i < DATA_FOR_CLIENT; i++) send(data(this.victim));
    for (let i = 0; i < DATA_FOR_NOBODY; i++) send(data(randomBytes(32)));
    for (let i = 0; i < BAD_RESPONSES; i++) {
      send(concat(Uint8Array.of(NetPacket.ONION_RECV_3), randomBytes(ONION_RETURN_3), Uint8Array.of(NetPacket.ANNOUNCE_RESPONSE_OLD), randomBytes(100)));
      send(concat(Uint8Array.of(NetPacket.ONION_RECV_1), randomBytes(ONION_RETURN_1), Uint8Array.of(NetPacket.ONION_DATA_RESPONSE), randomBytes(100)));
    }
    // Replays of honest onion traffic through us: our own onion node handles each again.
    for (const h of this.#honest.splice(0)) {
      for (let i = 0; i < REPLAYS_EACH; i++) this.node.onion.receive(h.data, h.from);
      this.stats.replayed += REPLAYS_EACH;
    }
  }
}

test('a flood from one node: every onion table stays bounded, and the flooded node keeps serving honest clients', async (t) => {
  const net = await simToxNet(NODES, { seed: 31 });
  t.teardown(() => net.close());
  const nodeConfig = onionNodeConfig();
  const clientConfig = onionClientConfig();

  // A is the honest client announced at the target. In a network of thousands, the node
  // closest to a key shares many leading bits with it; in 24 nodes, by chance only. So A's
  // real key is drawn to share its first byte with the target's key (and no other node's):
  // else a few thousand random flood keys could well be closer, and push A out, as they
  // would in c-toxcore.
  const firstBytes = net.nodes.map((n) => n.dhtKeyPair.publicKey[0]!);
  const target = net.nodes.find((n) => firstBytes.filter((b) => b === n.dhtKeyPair.publicKey[0]).length === 1)!;
  let aReal = generateKeyPair();
  for (let i = 0; i < 10_000 && aReal.publicKey[0] !== target.dhtKeyPair.publicKey[0]; i++) aReal = generateKeyPair();
  t.is(aReal.publicKey[0], target.dhtKeyPair.publicKey[0]);
  const others = net.nodes.filter((n) => n !== target);
  const a = client(net, others[2]!, aReal);
  const flooder = new Flooder(others[7]!, target, aReal.publicKey, [others[8]!, others[9]!, others[10]!]);
  const isStored = (): boolean => target.onion.announceStore.find(aReal.publicKey, net.clock.now()) !== undefined;
  let waited = 0;
  while (!(a.onion.isConnected && isStored()) && waited < 120) { net.clock.advance(1000); waited++; }
  t.true(isStored(), 'A announced at the target before the flood');
  t.log(`A connected and stored at the target after ${waited} s`);

  // The flood; 2 s in, A and B become friends and look for each other.
  const floodStart = net.clock.now();
  let b: Client | undefined;
  let storedThroughout = true;
  let searchAnswersBefore = 0;
  for (let tick = 0; tick < FLOOD_TICKS; tick++) {
    flooder.tick();
    if (tick === 20) {
      b = client(net, others[12]!, generateKeyPair());
      a.onion.addFriend(b.real.publicKey);
      b.onion.addFriend(aReal.publicKey);
    }
    if (tick === 200) searchAnswersBefore = b!.onion.stats.accepted['search-response'] ?? 0;
    net.clock.advance(TICK_MS);
    if (tick % 10 === 9 && !isStored()) storedThroughout = false;
  }
  const floodEnd = net.clock.now();
  const now = floodEnd;
  t.log(`flooder: ${JSON.stringify(flooder.stats)}`);
  t.log(`target drops: ${JSON.stringify(target.onion.stats.dropped)}, refused stores: ${target.onion.stats.storeRefused}`);
  t.log(`A drops: ${JSON.stringify(a.onion.stats.dropped)}; B drops: ${JSON.stringify(b!.onion.stats.dropped)}`);

  // The flood was what it claims to be.
  t.true(flooder.stats.sent > 10_000, `${flooder.stats.sent} packets sent at the target`);
  t.true(flooder.stats.pingIdsGiven > 1000, 'the target gave the flooder ping ids for its fresh keys');
  t.truthy(flooder.stored, 'the flooder had a request of its own stored, replayed since');
  // Onion layers carry no replay protection (c-toxcore's neither): each replay is forwarded, one for one.
  t.true((target.onion.stats.accepted['request-hop-1'] ?? 0) >= SELF_REPLAYS * FLOOD_TICKS, 'the replayed onion request went on each time');
  // Honest traffic through the flooder, replayed: how much depends on the paths the clients drew.
  t.log(`honest onion packets relayed by the flooder: ${flooder.stats.honestSeen}, each replayed ${REPLAYS_EACH} times`);

  // The honest client stayed stored. A flooder can push it out only with 160 keys closer to
  // the target's key than A's (c-toxcore keeps the closest too); fresh random keys are not.
  const closer = flooder.keys.filter((k) => compareDistance(target.dhtKeyPair.publicKey, k, aReal.publicKey) < 0).length;
  t.log(`flood keys closer to the target than A's: ${closer} of ${flooder.keys.length}`);
  t.true(closer < nodeConfig.onionAnnounceMaxEntries);
  t.true(storedThroughout, 'A stored at the target at every check during the flood');
  t.true(isStored());
  // The honest friends found each other through the onion during the flood, and searches were answered in its second half.
  const aFound = a.learned.get(toHex(b!.real.publicKey));
  const bFound = b!.learned.get(toHex(aReal.publicKey));
  t.true(aFound !== undefined && aFound < floodEnd, 'A learned B\'s DHT key during the flood');
  t.true(bFound !== undefined && bFound < floodEnd, 'B learned A\'s DHT key during the flood');
  t.log(`found after ${((aFound! - floodStart) / 1000 - 2).toFixed(1)} s and ${((bFound! - floodStart) / 1000 - 2).toFixed(1)} s of the friendship`);
  t.true((b!.onion.stats.accepted['search-response'] ?? 0) > searchAnswersBefore, 'search requests were answered late in the flood');

  // Bounds, on every node.
  const target160 = target.onion.announceStore.entries(now).length;
  t.is(target160, nodeConfig.onionAnnounceMaxEntries, 'the target\'s store is full, not more');
  for (const node of net.nodes) {
    t.true(node.onion.announceStore.entries(now).length <= nodeConfig.onionAnnounceMaxEntries);
    for (const held of node.onion.sharedKeysHeld) t.true(held <= nodeConfig.sharedKeyCacheSize);
    t.is(node.onion.stats.dropped['internal-error'], undefined);
  }
  t.deepEqual(target.onion.sharedKeysHeld, [1, 2, 3, 4].map(() => nodeConfig.sharedKeyCacheSize), 'every cache of the target at its bound');
  // The target refused what it should, counted by reason.
  const dropped = target.onion.stats.dropped;
  for (const reason of ['bad-mac', 'bad-return-path', 'not-announced'] as const) t.true((dropped[reason] ?? 0) > 0, reason);
  t.true(target.onion.stats.storeRefused > 0, 'stores refused once full of closer keys');
  // Data requests for A were passed on to A (c-toxcore does so too) and dropped there, unopened.
  t.true((a.onion.stats.dropped['bad-mac'] ?? 0) >= DATA_FOR_CLIENT * FLOOD_TICKS / 2);
  // The clients' own tables.
  for (const c of [a, b!]) {
    t.deepEqual(c.errors, []);
    t.is(c.onion.stats.dropped['internal-error'], undefined);
    t.true(c.onion.pathNodes.size <= clientConfig.maxPathNodes);
    t.true(c.onion.announce.list.entries().length <= clientConfig.maxAnnounceNodes);
  }
  t.true(a.onion.friendSearch(b!.real.publicKey)!.alive <= clientConfig.maxFriendNodes);
});

test('a client\'s sendback table stays at 256 under any number of requests, and unknown sendbacks cost nothing', (t) => {
  const table = new SendbackTable<number>(onionClientConfig().sendbackArraySize, 10_000, randomBytes);
  let issued = 0;
  for (let i = 0; i < 5000; i++) if (table.add(i, i) !== undefined) issued++;
  t.is(issued, 5000);
  t.is(table.size, 256);
  for (let i = 0; i < 5000; i++) t.is(table.peek(randomBytes(8), 5000), undefined);
  t.is(table.size, 256);
  table.prune(5000 + 10_000);
  t.is(table.size, 0);
});
