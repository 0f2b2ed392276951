/**
 * Announcing ourselves (src/onion/announce-client.ts) and the sendback table, in simulated
 * time: c-toxcore 0.2.18's 3 s / 15 s / 120 s intervals, dead nodes, refills, who is asked,
 * and when we count as online.
 */
import test from 'ava';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { Prng } from '../../src/io/index.ts';
import { compareDistance } from '../../src/dht/index.ts';
import type { PackedNode } from '../../src/wire/index.ts';
import {
  AnnounceClient, OnionPaths, PathNodeStore, SendbackTable, defaultOnionClientConfig, type PathNode,
} from '../../src/onion/index.ts';

const config = defaultOnionClientConfig;
const SOURCE = { host: '20.1.1.1', port: 33445 };

interface Sent {
  readonly at: number;
  readonly node: PathNode;
  readonly pingId: Uint8Array | undefined;
  readonly pathNum: number | undefined;
}

function hex(key: Uint8Array): string {
  return Buffer.from(key).toString('hex');
}

function setup(storeNodes = 10) {
  const real = generateKeyPair();
  const data = generateKeyPair();
  const store = new PathNodeStore(config.maxPathNodes);
  const candidates: PathNode[] = [];
  for (let i = 0; i < 40; i++) candidates.push({ publicKey: generateKeyPair().publicKey, ipPort: { host: `20.0.1.${i + 1}`, port: 33445 } });
  // Closest to our real key first.
  candidates.sort((a, b) => compareDistance(real.publicKey, a.publicKey, b.publicKey));
  for (let i = 0; i < storeNodes; i++) store.add(candidates[candidates.length - 1 - i]!);
  const prng = new Prng('announce');
  // The paths draw from a store of their own, so that `store` is only what the client refills from.
  const pathStore = new PathNodeStore(config.maxPathNodes);
  for (let i = 0; i < 5; i++) pathStore.add({ publicKey: generateKeyPair().publicKey, ipPort: { host: `20.0.2.${i + 1}`, port: 33445 } });
  const paths = new OnionPaths({ config, dhtKeyPair: generateKeyPair(), store: pathStore, randomInt: (n) => prng.nextInt(0, n), udpConnected: () => true });
  const sent: Sent[] = [];
  let now = 1_000_000;
  const client = new AnnounceClient({
    config, realPublicKey: real.publicKey, dataPublicKey: data.publicKey, store, paths, randomInt: (n) => prng.nextInt(0, n),
    send: (node, pingId, pathNum) => {
      sent.push({ at: now, node, pingId, pathNum });
      return true;
    },
  });
  return {
    real, data, store, paths, sent, client, candidates,
    get now() { return now; },
    set now(v: number) { now = v; },
  };
}

test('an empty list is filled with 6 requests to random path nodes, or bootstrap nodes if none is known', (t) => {
  const s = setup(10);
  s.client.tick(s.now);
  t.is(s.sent.length, 6);
  for (const r of s.sent) {
    t.is(r.pingId, undefined, 'a zero ping id');
    t.is(r.pathNum, undefined, 'a random path');
    t.true(s.store.has(r.node.publicKey));
  }
  const empty = setup(0);
  empty.client.tick(empty.now);
  t.is(empty.sent.length, 0);
  empty.store.addBootstrap(empty.candidates[0]!);
  empty.client.tick(empty.now);
  t.is(empty.sent.length, 6);
  t.true(empty.sent.every((r) => hex(r.node.publicKey) === hex(empty.candidates[0]!.publicKey)));
});

test('a node that answered waits one round, then is asked every 3 s until it stores us, with its ping id over its path', (t) => {
  const s = setup(0);
  const node = s.candidates[0]!;
  const path = s.paths.pick(0, s.now)!;
  const pingId = new Uint8Array(32).fill(7);
  s.client.onResponse(node, 0, pingId, path.pathNum, [], SOURCE, s.now);
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    s.client.tick(s.now);
    s.now += 1000;
  }
  // Requests to list entries carry the node's ping id; refills (6 a round while 6 or fewer are alive) carry none.
  for (const r of s.sent) if (r.pingId !== undefined && hex(r.node.publicKey) === hex(node.publicKey)) times.push(r.at);
  t.true(times.length >= 3);
  t.not(times[0], 1_000_000, 'not asked in its first round');
  t.true(times.slice(1).every((x, i) => x - times[i]! === 3000), `every 3 s: ${times.join(' ')}`);
  const r = s.sent.find((x) => x.pingId !== undefined && hex(x.node.publicKey) === hex(node.publicKey))!;
  t.deepEqual(r.pingId, pingId);
  t.is(r.pathNum, path.pathNum);
});

/**
 * Runs `seconds` rounds; every request to a list entry gets a "stored" answer over the path
 * it named (or `pathNum`), which credits the path as the client's face does.
 */
function runStored(s: ReturnType<typeof setup>, seconds: number, pathNum: number, answer: (node: PathNode) => boolean = () => true): void {
  for (let i = 0; i < seconds; i++) {
    const before = s.sent.length;
    s.client.tick(s.now);
    for (const r of s.sent.slice(before)) {
      if (r.pingId === undefined || !answer(r.node)) continue;
      const used = s.paths.answered(r.pathNum ?? pathNum, s.now);
      s.client.onResponse(r.node, 2, new Uint8Array(32).fill(9), used, [], SOURCE, s.now);
    }
    s.now += 1000;
  }
}

test('a node that stores us is asked every 15 s, then every 120 s once node and path are 90 s old', (t) => {
  const s = setup(0);
  const path = s.paths.pick(0, s.now)!;
  s.paths.answered(path.pathNum, s.now);
  const nodes = s.candidates.slice(0, 12);
  for (const n of nodes) s.client.onResponse(n, 2, new Uint8Array(32), path.pathNum, [], SOURCE, s.now);
  const start = s.now;
  runStored(s, 600, path.pathNum);
  const gapsOf = (n: PathNode): number[] => {
    const at = s.sent.filter((r) => r.pingId !== undefined && hex(r.node.publicKey) === hex(n.publicKey)).map((r) => (r.at - start) / 1000);
    return at.slice(1).map((x, i) => x - at[i]!);
  };
  // Each node: every 15 s until 90 s, then 120 s; but whenever no request went out for
  // 15 s, one node is asked anyway (`last_announce`), so one node keeps a 15 s rhythm.
  const all = nodes.map(gapsOf);
  const stable = all.filter((g) => g.slice(-3).every((x) => x === 120));
  t.true(stable.length >= 10, `${stable.length} nodes settled at 120 s: ${JSON.stringify(all)}`);
  for (const g of all) {
    t.true(g.length >= 5);
    t.true(g.slice(0, 5).every((x) => x === 15), `15 s while young: ${g}`);
    t.true(g.every((x) => x <= 120));
  }
});

test('a node that stops answering is dead after 3 missed responses and 15 s; a 90 s old one gets its last try over a random path', (t) => {
  const s = setup(0);
  const path = s.paths.pick(0, s.now)!;
  s.paths.answered(path.pathNum, s.now);
  const node = s.candidates[0]!;
  s.client.onResponse(node, 2, new Uint8Array(32), path.pathNum, [], SOURCE, s.now);
  let answering = true;
  runStored(s, 100, path.pathNum, () => answering);
  t.is(s.client.counts(s.now).alive, 1);
  answering = false;
  const cut = s.now;
  runStored(s, 60, path.pathNum, () => answering);
  const after = s.sent.filter((r) => r.at >= cut && r.pingId !== undefined && hex(r.node.publicKey) === hex(node.publicKey));
  t.is(after.length, 3, 'three requests, no more');
  t.is(after[2]!.pathNum, undefined, 'the last one over a random path');
  t.is(after[0]!.pathNum, path.pathNum);
  t.is(s.client.counts(after[2]!.at + 14_999).alive, 1);
  t.is(s.client.counts(after[2]!.at + 15_000).alive, 0);
});

test('status 1 counts as stored only with our own data key', (t) => {
  const s = setup(0);
  s.client.onResponse(s.candidates[0]!, 1, s.data.publicKey, undefined, [], SOURCE, s.now);
  s.client.onResponse(s.candidates[1]!, 1, generateKeyPair().publicKey, undefined, [], SOURCE, s.now);
  t.is(s.client.list.get(s.candidates[0]!.publicKey)!.isStored, 1);
  t.is(s.client.list.get(s.candidates[1]!.publicKey)!.isStored, 0);
  t.deepEqual(s.client.counts(s.now), { alive: 2, stored: 1 });
});

test('the list keeps the 12 closest that answered; named nodes are asked only if closer, once per 10 s, LAN ones only from LAN', (t) => {
  const s = setup(0);
  const far = s.candidates.slice(20, 32);
  for (const n of far) s.client.onResponse(n, 0, new Uint8Array(32), undefined, [], SOURCE, s.now);
  t.is(s.client.list.entries().length, 12);
  const closer = s.candidates[0]!;
  const farther: PathNode = s.candidates[39]!;
  const lan: PathNode = { publicKey: s.candidates[1]!.publicKey, ipPort: { host: '192.168.1.5', port: 33445 } };
  const named = [closer, farther, lan].map((n): PackedNode => ({ protocol: 'udp', ...n }));
  const before = s.sent.length;
  s.client.onResponse(far[0]!, 0, new Uint8Array(32), undefined, named, SOURCE, s.now);
  t.deepEqual(s.sent.slice(before).map((r) => hex(r.node.publicKey)), [hex(closer.publicKey)]);
  s.client.onResponse(far[1]!, 0, new Uint8Array(32), undefined, named, SOURCE, s.now + 9_999);
  t.is(s.sent.length, before + 1, 'not again within 10 s');
  s.client.onResponse(far[2]!, 0, new Uint8Array(32), undefined, named, { host: '192.168.1.1', port: 33445 }, s.now + 10_000);
  t.deepEqual(s.sent.slice(before + 1).map((r) => hex(r.node.publicKey)).sort(), [hex(closer.publicKey), hex(lan.publicKey)].sort());
  // A closer node that answers takes the farthest one's place.
  s.client.onResponse(closer, 0, new Uint8Array(32), undefined, [], SOURCE, s.now);
  t.truthy(s.client.list.get(closer.publicKey));
  t.is(s.client.list.entries().length, 12);
  t.falsy(s.client.list.get(s.candidates[31]!.publicKey), 'the farthest was replaced');
  // A farther one does not get in.
  s.client.onResponse(farther, 0, new Uint8Array(32), undefined, [], SOURCE, s.now);
  t.falsy(s.client.list.get(farther.publicKey));
});

test('online: a response within 75 s, half the alive nodes store us, and enough nodes are alive', (t) => {
  const s = setup(0);
  for (let i = 0; i < 12; i++) s.store.add(s.candidates[20 + i]!);
  t.false(s.client.isConnected(-Infinity, s.now), 'no response yet');
  s.client.onResponse(s.candidates[0]!, 2, new Uint8Array(32), undefined, [], SOURCE, s.now);
  t.false(s.client.isConnected(s.now, s.now), 'one alive node of min(12, path nodes) / 2 = 6 needed');
  for (let i = 1; i < 6; i++) s.client.onResponse(s.candidates[i]!, 0, new Uint8Array(32), undefined, [], SOURCE, s.now);
  t.false(s.client.isConnected(s.now, s.now), '1 of 6 stores us');
  s.client.onResponse(s.candidates[1]!, 2, new Uint8Array(32), undefined, [], SOURCE, s.now);
  s.client.onResponse(s.candidates[2]!, 2, new Uint8Array(32), undefined, [], SOURCE, s.now);
  t.true(s.client.isConnected(s.now, s.now), '3 of 6');
  t.true(s.client.isConnected(s.now, s.now + 74_999));
  t.false(s.client.isConnected(s.now, s.now + 75_000), 'no response for 75 s');
});

test('sendbacks: 256 outstanding, each good for 10 s and one response, never zero', (t) => {
  let counter = 0;
  const table = new SendbackTable<number>(256, 10_000, (n) => {
    const b = new Uint8Array(n);
    new DataView(b.buffer).setUint32(4, counter++);
    return b;
  });
  const first = table.add(-1, 0)!;
  t.is(new DataView(first.buffer).getUint32(4), 1, 'the all-zero draw was skipped');
  const ids = [first];
  for (let i = 0; i < 256; i++) ids.push(table.add(i, 1000)!);
  t.is(table.size, 256);
  t.is(table.peek(first, 1000), undefined, 'the oldest was forgotten');
  t.is(table.peek(ids[1]!, 10_999), 0);
  t.is(table.peek(ids[1]!, 11_000), undefined, 'expired after 10 s');
  t.is(table.peek(ids[2]!, 5000), 1);
  table.spend(ids[2]!);
  t.is(table.peek(ids[2]!, 5000), undefined, 'spent');
  t.is(table.peek(new Uint8Array(7), 5000), undefined, 'a wrong size is unknown');
  const stuck = new SendbackTable<number>(4, 10_000, (n) => new Uint8Array(n));
  t.is(stuck.add(1, 0), undefined, 'a source of zeros gives up');
});
