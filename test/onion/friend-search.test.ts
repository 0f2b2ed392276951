/**
 * Searching for one friend (src/onion/friend-search.ts) in simulated time: c-toxcore
 * 0.2.18's 3 s while new, 2^min(12, run − 2) s up to 3600 s, the spreading of requests,
 * the run count rules, refills, and which nodes onion data goes to.
 */
import test from 'ava';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { Prng } from '../../src/io/index.ts';
import { FriendSearch, PathNodeStore, defaultOnionClientConfig, type PathNode } from '../../src/onion/index.ts';

const config = defaultOnionClientConfig;
const SOURCE = { host: '20.1.1.1', port: 33445 };
const me = generateKeyPair();

function hex(key: Uint8Array): string {
  return Buffer.from(key).toString('hex');
}

function setup() {
  const friendKey = generateKeyPair().publicKey;
  const search = new FriendSearch(friendKey, me.secretKey, config);
  const store = new PathNodeStore(config.maxPathNodes);
  const nodes: PathNode[] = [];
  for (let i = 0; i < 8; i++) nodes.push({ publicKey: generateKeyPair().publicKey, ipPort: { host: `20.0.3.${i + 1}`, port: 33445 } });
  const sent: Array<{ at: number; node: PathNode }> = [];
  let now = 5_000_000;
  const prng = new Prng('search');
  const send = (node: PathNode): boolean => {
    sent.push({ at: now, node });
    return true;
  };
  return {
    search, store, nodes, sent, send,
    tick: () => search.tick(now, send, store, (n) => prng.nextInt(0, n)),
    answer: (node: PathNode, status = 0, key: Uint8Array = new Uint8Array(32)) => search.onResponse(node, status, key, undefined, [], SOURCE, store, send, now),
    get now() { return now; },
    set now(v: number) { now = v; },
  };
}

test('the interval: 3 s while the run count is at most 5, then 2^min(12, run − 2) s, at most 3600 s', (t) => {
  const { search } = setup();
  const want = new Map([[0, 3], [5, 3], [6, 16], [7, 32], [10, 256], [13, 2048], [14, 3600], [20, 3600], [1000, 3600]]);
  for (const [run, seconds] of want) {
    search.runCount = run;
    t.is(search.interval, seconds * 1000, `run count ${run}`);
  }
  search.runCount = 0;
  t.is(search.spacing, 0, 'while new: 3 / 4 is 0 whole seconds');
  search.runCount = 6;
  t.is(search.spacing, 4000, '16 / 4');
  search.runCount = 14;
  t.is(search.spacing, 900_000, '3600 / 4');
});

test('each alive node is asked once per interval, requests at least interval / 4 apart; the run count grows every 4 requests', (t) => {
  const s = setup();
  for (const n of s.nodes) t.true(s.answer(n));
  // New nodes are not asked in their first round; then all 8 are due at once while new.
  s.tick();
  t.is(s.sent.length, 0);
  const record: Array<{ at: number; run: number; interval: number }> = [];
  for (let i = 0; i < 12_000; i++) {
    s.now += 1000;
    const before = s.sent.length;
    const interval = s.search.interval;
    s.tick();
    for (const r of s.sent.slice(before)) {
      record.push({ at: r.at, run: s.search.runCount, interval });
      s.answer(r.node); // every node answers: all stay alive
    }
  }
  // While new (interval 3 s), requests come in bursts; the run count climbs 2 per burst of 8.
  const newPhase = record.filter((r) => r.interval === 3000);
  t.true(newPhase.length >= 24, 'at least three bursts while new');
  // Afterwards: consecutive requests at least interval / 4 apart.
  const later = record.filter((r) => r.interval > 3000);
  for (let i = 1; i < later.length; i++) {
    const gap = later[i]!.at - later[i - 1]!.at;
    t.true(gap >= Math.floor(later[i]!.interval / 4000) * 1000, `gap ${gap} at interval ${later[i]!.interval}`);
  }
  // Per node: no two requests closer than the interval in force when the second went out.
  for (const n of s.nodes) {
    const at = s.sent.filter((r) => hex(r.node.publicKey) === hex(n.publicKey)).map((r) => r.at);
    for (let i = 1; i < at.length; i++) {
      const rec = record.find((r) => r.at === at[i])!;
      t.true(at[i]! - at[i - 1]! >= rec.interval, `a node asked ${at[i]! - at[i - 1]!} ms after the last time, interval ${rec.interval}`);
    }
  }
  t.is(s.search.runCount, Math.floor(s.search.pings / 4));
  t.true(s.search.runCount >= 14, `run count ${s.search.runCount}`);
  t.is(s.search.interval, 3_600_000, 'the interval reaches its cap');
});

test('a friend online is not searched; going offline starts the run count and the no-replay number again', (t) => {
  const s = setup();
  for (const n of s.nodes) s.answer(n);
  s.search.runCount = 9;
  s.search.lastNoReplay = 1234n;
  s.search.setOnline(true);
  for (let i = 0; i < 10; i++) {
    s.now += 1000;
    s.tick();
  }
  t.is(s.sent.length, 0);
  t.is(s.search.runCount, 9, 'online keeps the run count');
  s.search.setOnline(false);
  t.is(s.search.runCount, 0);
  t.is(s.search.lastNoReplay, 0n);
  s.tick(); // the nodes, new, wait one interval
  t.is(s.sent.length, 0);
  s.now += 3000;
  s.tick();
  t.is(s.sent.length, 8);
});

test('4 or fewer alive nodes: 8 requests to random path nodes each round', (t) => {
  const s = setup();
  for (let i = 0; i < 20; i++) s.store.add({ publicKey: generateKeyPair().publicKey, ipPort: { host: `20.0.4.${i + 1}`, port: 33445 } });
  s.tick();
  t.is(s.sent.length, 8);
  t.true(s.sent.every((r) => s.store.has(r.node.publicKey)));
  for (const n of s.nodes.slice(0, 5)) s.answer(n);
  const before = s.sent.length;
  s.now += 1000;
  s.tick(); // five alive: new ones wait, no refill before 600 s since the last
  t.is(s.sent.length, before);
  s.now += 600_000;
  for (const n of s.nodes.slice(0, 5)) s.answer(n);
  s.tick();
  t.true(s.sent.length - before >= 8, 'the 600 s refill while the list is not full');
});

test('a status of 2 is refused whole; status 1 gives the friend\'s data key at that node', (t) => {
  const s = setup();
  t.false(s.answer(s.nodes[0]!, 2));
  t.is(s.search.list.entries().length, 0);
  const dataKey = generateKeyPair().publicKey;
  t.true(s.answer(s.nodes[1]!, 1, dataKey));
  t.deepEqual(s.search.list.get(s.nodes[1]!.publicKey)!.dataPublicKey, dataKey);
});

test('onion data goes to the nodes that hold the announcement, if at least (alive − 1) / 4 + 1 do', (t) => {
  const s = setup();
  t.deepEqual(s.search.dataNodes(s.now), [], 'no node alive');
  for (const n of s.nodes) s.answer(n, 0);
  t.deepEqual(s.search.dataNodes(s.now), []);
  s.answer(s.nodes[0]!, 1, generateKeyPair().publicKey);
  t.deepEqual(s.search.dataNodes(s.now), [], '1 of 8 alive: (8 − 1) / 4 + 1 = 2 needed');
  s.answer(s.nodes[1]!, 1, generateKeyPair().publicKey);
  t.is(s.search.dataNodes(s.now).length, 2);
});
