import test from 'ava';
import fc from 'fast-check';
import { CloseList } from '../../src/dht/close-list.ts';
import { NEVER, isGood, pickAssoc, type ClientEntry } from '../../src/dht/client-entry.ts';
import { BAD_NODE_TIMEOUT_MS, KILL_NODE_TIMEOUT_MS, LCLIENT_LENGTH, LCLIENT_NODES } from '../../src/dht/config.ts';
import { commonPrefixBits, compareDistance } from '../../src/dht/distance.ts';
import { DhtError } from '../../src/dht/errors.ts';
import { isLanAddress } from '../../src/dht/lan.ts';
import { Prng } from '../../src/io/index.ts';
import { toHex, type IpPort } from '../../src/wire/index.ts';

const BAD = BAD_NODE_TIMEOUT_MS;
const KILL = KILL_NODE_TIMEOUT_MS;
const SELF = new Uint8Array(32).fill(0xa5);

/** A key sharing exactly `bits` leading bits with `base` (bits < 256), the rest random. */
function keyAt(base: Uint8Array, bits: number, prng: Prng): Uint8Array {
  const k = new Uint8Array(32);
  for (let i = 0; i < 32; i++) k[i] = prng.nextInt(0, 256);
  for (let b = 0; b < bits; b++) {
    const mask = 0x80 >> (b & 7);
    k[b >> 3] = (k[b >> 3]! & ~mask) | (base[b >> 3]! & mask);
  }
  const mask = 0x80 >> (bits & 7);
  k[bits >> 3] = (k[bits >> 3]! & ~mask) | (~base[bits >> 3]! & mask);
  return k;
}

let nextPort = 1;
const pub = (port = nextPort++): IpPort => ({ host: '198.51.100.7', port });

test('a key is filed in the bucket of its common prefix length with ours, capped at the last', (t) => {
  const prng = new Prng('buckets');
  const list = new CloseList(SELF);
  for (const bits of [0, 1, 7, 8, 63, 126, 127, 128, 200, 255]) {
    const k = keyAt(SELF, bits, prng);
    t.is(commonPrefixBits(k, SELF), bits);
    t.is(list.bucketIndex(k), Math.min(bits, LCLIENT_LENGTH - 1));
    t.true(list.heard(k, pub(), 0));
    t.true(list.bucket(Math.min(bits, LCLIENT_LENGTH - 1)).some((e) => e.publicKey.every((b, i) => b === k[i])));
  }
  t.is(list.bucket(127).length, 4, 'prefixes 127, 128, 200 and 255 share the last bucket');
});

test('our own key is never added', (t) => {
  const list = new CloseList(SELF);
  t.false(list.heard(SELF, pub(), 0));
  t.false(list.wouldAdd(SELF, 0));
  t.is(list.size, 0);
});

test('with c-toxcore\'s policy a full bucket of good nodes refuses a newcomer, however close', (t) => {
  const prng = new Prng('full');
  const list = new CloseList(SELF, { preferCloser: false });
  for (let i = 0; i < LCLIENT_NODES; i++) t.true(list.heard(keyAt(SELF, 3, prng), pub(), 0));
  t.is(list.bucket(3).length, LCLIENT_NODES);
  const closer = keyAt(SELF, 3, prng);
  closer.set(SELF.subarray(1), 1); // as close as bucket 3 allows
  t.false(list.wouldAdd(closer, 1000));
  t.false(list.heard(closer, pub(), 1000));
  t.is(list.bucket(3).length, LCLIENT_NODES);
  t.is(list.get(closer), undefined);
});

test('by default a full bucket of good nodes keeps the closest: a closer newcomer replaces the farthest', (t) => {
  const prng = new Prng('full');
  const list = new CloseList(SELF);
  const members = Array.from({ length: LCLIENT_NODES }, () => keyAt(SELF, 3, prng));
  for (const k of members) t.true(list.heard(k, pub(), 0));
  const farthest = [...members].sort((a, b) => compareDistance(SELF, b, a))[0]!;
  const closer = keyAt(SELF, 3, prng);
  closer.set(SELF.subarray(1), 1); // as close as bucket 3 allows
  t.true(list.wouldAdd(closer, 1000));
  t.true(list.heard(closer, pub(), 1000));
  t.is(list.bucket(3).length, LCLIENT_NODES);
  t.is(list.get(farthest), undefined, 'the farthest member gave way');
  // A newcomer farther than every member is refused.
  const farther = new Uint8Array(SELF);
  farther[0]! ^= 0x1f; // differs at bit 3 and at every later bit: the farthest key of bucket 3
  for (let i = 1; i < 32; i++) farther[i] = SELF[i]! ^ 0xff;
  t.is(list.bucketIndex(farther), 3);
  t.false(list.wouldAdd(farther, 1000));
  t.false(list.heard(farther, pub(), 1000));
});

test('a bad node gives way exactly at BAD_NODE_TIMEOUT, good ones never (c-toxcore policy)', (t) => {
  const prng = new Prng('bad');
  const list = new CloseList(SELF, { preferCloser: false });
  const keys = Array.from({ length: LCLIENT_NODES }, () => keyAt(SELF, 0, prng));
  const addrs = keys.map(() => pub());
  keys.forEach((k, i) => list.heard(k, addrs[i]!, 0));
  // All but the last answer again at 60 s.
  keys.slice(0, -1).forEach((k, i) => list.heard(k, addrs[i]!, 60_000));
  const newcomer = keyAt(SELF, 0, prng);
  t.false(list.heard(newcomer, pub(), BAD - 1), 'the stale node is still good 1 ms before the timeout');
  t.false(list.wouldAdd(newcomer, BAD - 1));
  t.true(list.wouldAdd(newcomer, BAD));
  t.true(list.heard(newcomer, pub(), BAD));
  t.is(list.get(keys.at(-1)!), undefined, 'the bad one went');
  for (const k of keys.slice(0, -1)) t.truthy(list.get(k), 'every good one stayed');
  t.is(list.bucket(0).length, LCLIENT_NODES);
});

test('among bad nodes the stalest gives way first; killed slots are reusable', (t) => {
  const prng = new Prng('stalest');
  const list = new CloseList(SELF, { bucketSize: 3 });
  const [a, b, c] = [keyAt(SELF, 9, prng), keyAt(SELF, 9, prng), keyAt(SELF, 9, prng)];
  list.heard(a, pub(), 10_000);
  list.heard(b, pub(), 0);
  list.heard(c, pub(), 20_000);
  const now = 20_000 + KILL; // all three killed; b the stalest
  t.deepEqual(list.alive(now), []);
  t.false(list.isConnected(now));
  const d = keyAt(SELF, 9, prng);
  t.true(list.heard(d, pub(), now));
  t.is(list.get(b), undefined);
  t.truthy(list.get(a));
  const e = keyAt(SELF, 9, prng);
  t.true(list.heard(e, pub(), now));
  t.is(list.get(a), undefined, 'then the next stalest');
  t.truthy(list.get(c));
  t.deepEqual(list.alive(now).map((x) => toHex(x.publicKey)).sort(), [toHex(d), toHex(e)].sort());
});

test('alive() keeps nodes heard within KILL_NODE_TIMEOUT', (t) => {
  const prng = new Prng('alive');
  const list = new CloseList(SELF);
  const k = keyAt(SELF, 1, prng);
  list.heard(k, pub(), 0);
  t.is(list.alive(KILL - 1).length, 1);
  t.false(list.isConnected(BAD));
  t.true(list.isConnected(BAD - 1));
  t.is(list.alive(KILL).length, 0);
});

test('reviveAll marks every node bad but alive once all are killed, as do_Close does', (t) => {
  const prng = new Prng('revive');
  const list = new CloseList(SELF);
  const k = keyAt(SELF, 1, prng);
  list.heard(k, pub(), 0);
  t.is(list.reviveAll(KILL - 1), 0, 'nothing while a node is alive');
  t.is(list.reviveAll(KILL + 5000), 1);
  const entry = list.get(k)!;
  t.false(isGood(entry, KILL + 5000, BAD));
  t.is(list.alive(KILL + 5000).length, 1);
});

test('never more than bucketSize per bucket, every entry in its own bucket, own key never (model test)', (t) => {
  const op = fc.record({ which: fc.nat(40), port: fc.integer({ min: 1, max: 30 }), dt: fc.integer({ min: 0, max: 90_000 }), v6: fc.boolean() });
  fc.assert(fc.property(fc.array(op, { maxLength: 200 }), fc.integer(), (ops, seed) => {
    const prng = new Prng(seed);
    const pool = Array.from({ length: 41 }, (_, i) => (i === 40 ? SELF : keyAt(SELF, prng.nextInt(0, 6), prng)));
    const list = new CloseList(SELF, { bucketCount: 4, bucketSize: 3 });
    let now = 0;
    for (const o of ops) {
      now += o.dt;
      const k = pool[o.which]!;
      const addr = { host: o.v6 ? '2001:db8::1' : '203.0.113.1', port: o.port };
      const fits = list.wouldAdd(k, now);
      const had = list.get(k) !== undefined;
      const taken = [...list.entries()].some((e) => [e.v4, e.v6].some((a) => a?.ipPort.host === addr.host && a.ipPort.port === addr.port));
      const inList = list.heard(k, addr, now);
      if (o.which === 40 && inList) return false;
      // The dry run predicts a newcomer (unless it frees a slot by taking another key's address).
      if (!had && !taken && inList !== fits) return false;
      const keysSeen = new Set<string>();
      for (let b = 0; b < 4; b++) {
        const bucket = list.bucket(b);
        if (bucket.length > 3) return false;
        for (const e of bucket) {
          if (list.bucketIndex(e.publicKey) !== b) return false;
          keysSeen.add(toHex(e.publicKey));
        }
      }
      if (keysSeen.size !== list.size) return false;
    }
    return true;
  }));
  t.pass();
});

test('a known node takes its new address; lastPinged and reports stay', (t) => {
  const prng = new Prng('move');
  const list = new CloseList(SELF);
  const k = keyAt(SELF, 2, prng);
  list.heard(k, { host: '203.0.113.5', port: 1 }, 0);
  const entry = list.get(k)!;
  t.is(entry.v4!.lastPinged, NEVER);
  entry.v4!.lastPinged = 500;
  t.true(list.reported(k, { host: '198.51.100.1', port: 9 }, 600));
  t.true(list.heard(k, { host: '203.0.113.6', port: 2 }, 1000));
  t.deepEqual(entry.v4!.ipPort, { host: '203.0.113.6', port: 2 });
  t.is(entry.v4!.lastHeard, 1000);
  t.is(entry.v4!.lastPinged, 500);
  t.deepEqual(entry.v4!.retIpPort, { host: '198.51.100.1', port: 9 });
  t.is(entry.v6, undefined);
  t.true(list.heard(k, { host: '2001:db8::5', port: 3 }, 2000));
  t.deepEqual(entry.v6!.ipPort, { host: '2001:db8::5', port: 3 });
  t.is(entry.v4!.lastHeard, 1000, 'the other family is untouched');
});

test('IPv4-mapped addresses are stored as IPv4', (t) => {
  const prng = new Prng('mapped');
  const list = new CloseList(SELF);
  const k = keyAt(SELF, 2, prng);
  list.heard(k, { host: '::ffff:203.0.113.9', port: 7 }, 0);
  t.deepEqual(list.get(k)!.v4!.ipPort, { host: '203.0.113.9', port: 7 });
  t.is(list.get(k)!.v6, undefined);
  t.true(list.hasGood(k, { host: '203.0.113.9', port: 7 }, 1, true));
  t.true(list.hasGood(k, { host: '::ffff:203.0.113.9', port: 7 }, 1, true));
});

test('an address known on the Internet is not replaced by a LAN address; LAN by Internet is', (t) => {
  const prng = new Prng('lan');
  const list = new CloseList(SELF);
  const k = keyAt(SELF, 2, prng);
  list.heard(k, { host: '203.0.113.5', port: 1 }, 0);
  t.true(list.heard(k, { host: '192.168.1.5', port: 1 }, 1000), 'still in the list');
  t.deepEqual(list.get(k)!.v4!.ipPort, { host: '203.0.113.5', port: 1 });
  t.is(list.get(k)!.v4!.lastHeard, 0, 'and not refreshed, as c-toxcore');

  const m = keyAt(SELF, 3, prng);
  list.heard(m, { host: '10.0.0.2', port: 1 }, 0);
  t.true(list.get(m)!.v4!.lan);
  list.heard(m, { host: '203.0.113.7', port: 1 }, 1000);
  t.deepEqual(list.get(m)!.v4!.ipPort, { host: '203.0.113.7', port: 1 });
  t.false(list.get(m)!.v4!.lan);
  // An unset family takes a LAN address (c-toxcore would refuse it: see the spec).
  list.heard(m, { host: 'fe80::1', port: 1 }, 2000);
  t.deepEqual(list.get(m)!.v6!.ipPort, { host: 'fe80::1', port: 1 });
});

test('a new key answering from a known address takes it from the old key', (t) => {
  const prng = new Prng('takeover');
  const list = new CloseList(SELF);
  const [a, b, c] = [keyAt(SELF, 1, prng), keyAt(SELF, 5, prng), keyAt(SELF, 6, prng)];
  const shared = { host: '203.0.113.50', port: 33445 };
  list.heard(a, shared, 0);
  list.heard(a, { host: '2001:db8::50', port: 33445 }, 0);
  list.heard(b, shared, 1000);
  t.is(list.get(a)!.v4, undefined, 'a lost the IPv4 address');
  t.truthy(list.get(a)!.v6, 'but keeps its IPv6 one');
  t.deepEqual(list.get(b)!.v4!.ipPort, shared);
  t.is(list.bucketIndex(b), 5, 'b is in its own bucket, not in a\'s slot');
  list.heard(c, { host: '2001:db8::50', port: 33445 }, 2000);
  t.is(list.get(a), undefined, 'a had no address left');
  t.is(list.size, 2);
  t.is(list.bucket(1).length, 0);
  // A known key moving onto another's address takes it too.
  list.heard(b, { host: '2001:db8::50', port: 33445 }, 3000);
  t.is(list.get(c), undefined);
  t.deepEqual(list.get(b)!.v6!.ipPort, { host: '2001:db8::50', port: 33445 });
});

test('reports of our own address are kept in the reporter\'s entry, and a public one is preferred', (t) => {
  const prng = new Prng('reports');
  const list = new CloseList(SELF);
  const [a, b] = [keyAt(SELF, 1, prng), keyAt(SELF, 2, prng)];
  t.false(list.reported(a, { host: '198.51.100.1', port: 1 }, 0), 'unknown reporter');
  list.heard(a, { host: '192.168.0.9', port: 1 }, 0);
  list.heard(b, { host: '203.0.113.2', port: 1 }, 0);
  t.false(list.reported(a, { host: '2001:db8::1', port: 1 }, 0), 'no IPv6 association to keep it in');
  t.true(list.reported(a, { host: '192.168.0.1', port: 33445 }, 5));
  t.deepEqual(list.reportedSelf(), { ipPort: { host: '192.168.0.1', port: 33445 }, lan: true });
  t.true(list.reported(b, { host: '::ffff:198.51.100.1', port: 40000 }, 6));
  const assoc = list.get(b)!.v4!;
  t.deepEqual(assoc.retIpPort, { host: '198.51.100.1', port: 40000 });
  t.is(assoc.retHeard, 6);
  t.true(assoc.retIsSelf);
  t.deepEqual(list.reportedSelf(), { ipPort: { host: '198.51.100.1', port: 40000 }, lan: false });
});

test('closest(): good nodes only, LAN addresses only when asked, closest first', (t) => {
  const prng = new Prng('closest');
  const list = new CloseList(SELF);
  const lanKey = keyAt(SELF, 200, prng);
  const oldKey = keyAt(SELF, 201, prng);
  const farKey = keyAt(SELF, 0, prng);
  const midKey = keyAt(SELF, 40, prng);
  list.heard(lanKey, { host: '127.0.0.1', port: 1 }, BAD);
  list.heard(oldKey, { host: '203.0.113.1', port: 1 }, 0);
  list.heard(farKey, { host: '203.0.113.2', port: 1 }, BAD);
  list.heard(midKey, { host: '2001:db8::3', port: 1 }, BAD);
  const now = BAD + 1;
  t.deepEqual(list.closest(SELF, 4, now).map((n) => toHex(n.publicKey)), [midKey, farKey].map(toHex));
  t.deepEqual(list.closest(SELF, 4, now, { includeLan: true }).map((n) => toHex(n.publicKey)), [lanKey, midKey, farKey].map(toHex));
  t.deepEqual(list.closest(SELF, 1, now, { includeLan: true }).map((n) => toHex(n.publicKey)), [toHex(lanKey)]);
  t.deepEqual(list.closest(SELF, 4, now, { family: 'ipv4' }).map((n) => toHex(n.publicKey)), [toHex(farKey)]);
  t.deepEqual(list.closest(SELF, 4, now, { family: 'ipv6' }).map((n) => toHex(n.publicKey)), [toHex(midKey)]);
  t.deepEqual(list.closest(SELF, 0, now), []);
  t.true(list.closest(SELF, 4, now).every((n) => n.protocol === 'udp'));
  t.throws(() => list.closest(SELF, -1, now), { instanceOf: DhtError });
});

test('closest(): one address per node, the freshest that may be given', (t) => {
  const prng = new Prng('freshest');
  const list = new CloseList(SELF);
  const k = keyAt(SELF, 3, prng);
  list.heard(k, { host: '203.0.113.1', port: 1 }, 0);
  list.heard(k, { host: '2001:db8::1', port: 1 }, 10);
  t.deepEqual(list.closest(SELF, 4, 20).map((n) => n.ipPort.host), ['2001:db8::1']);
  list.heard(k, { host: '203.0.113.1', port: 1 }, 30);
  t.deepEqual(list.closest(SELF, 4, 40).map((n) => n.ipPort.host), ['203.0.113.1']);
  const m = keyAt(SELF, 4, prng);
  list.heard(m, { host: '203.0.113.9', port: 1 }, 0);
  list.heard(m, { host: 'fe80::9', port: 1 }, 50);
  // The freshest is a LAN address: a non-LAN requester gets the public one instead.
  t.deepEqual(list.closest(m, 1, 60).map((n) => n.ipPort.host), ['203.0.113.9']);
  t.deepEqual(list.closest(m, 1, 60, { includeLan: true }).map((n) => n.ipPort.host), ['fe80::9']);
});

const hosts = ['203.0.113.1', '198.51.100.2', '10.1.2.3', '127.0.0.1', '2001:db8::1', '2001:db8::2', 'fe80::1', '::1'];

test('closest() is exactly a brute-force sort of the eligible nodes', (t) => {
  const event = fc.record({ which: fc.nat(59), host: fc.constantFrom(...hosts), port: fc.integer({ min: 1, max: 4 }), dt: fc.integer({ min: 0, max: 40_000 }) });
  fc.assert(fc.property(
    fc.array(event, { maxLength: 150 }), fc.integer(), fc.nat(8), fc.boolean(), fc.constantFrom('ipv4' as const, 'ipv6' as const, 'any' as const),
    fc.uint8Array({ minLength: 32, maxLength: 32 }),
    (events, seed, n, includeLan, family, target) => {
      const prng = new Prng(seed);
      const pool = Array.from({ length: 60 }, () => keyAt(SELF, prng.nextInt(0, 8), prng));
      const list = new CloseList(SELF, { bucketCount: 8, bucketSize: 4 });
      let now = 0;
      for (const e of events) {
        now += e.dt;
        list.heard(pool[e.which]!, { host: e.host, port: e.port }, now);
      }
      now += 30_000;
      const got = list.closest(target, n, now, { includeLan, family });
      // The model: every entry, its allowed associations, good, LAN-filtered, freshest; sorted by distance.
      const model: Array<{ key: Uint8Array; host: string }> = [];
      for (const e of list.entries() as Iterable<ClientEntry>) {
        const options = [family !== 'ipv6' ? e.v4 : undefined, family !== 'ipv4' ? e.v6 : undefined]
          .filter((a) => a && now < a.lastHeard + BAD && (includeLan || !isLanAddress(a.ipPort.host)));
        if (options.length === 0) continue;
        const best = options.reduce((x, y) => (y!.lastHeard > x!.lastHeard ? y : x))!;
        model.push({ key: e.publicKey, host: best.ipPort.host });
      }
      model.sort((x, y) => compareDistance(target, x.key, y.key));
      const want = model.slice(0, n);
      return got.length === want.length && got.every((g, i) => toHex(g.publicKey) === toHex(want[i]!.key) && g.ipPort.host === want[i]!.host)
        && got.every((g) => pickAssoc(list.get(g.publicKey)!, now, BAD, { includeLan, family }) !== undefined);
    },
  ), { numRuns: 300 });
  t.pass();
});

test('hasGood: good association of that family, optionally at that exact address', (t) => {
  const prng = new Prng('hasGood');
  const list = new CloseList(SELF);
  const k = keyAt(SELF, 3, prng);
  list.heard(k, { host: '203.0.113.1', port: 1 }, 0);
  t.true(list.hasGood(k, { host: '203.0.113.1', port: 1 }, 1));
  t.true(list.hasGood(k, { host: '203.0.113.99', port: 2 }, 1));
  t.false(list.hasGood(k, { host: '203.0.113.99', port: 2 }, 1, true));
  t.false(list.hasGood(k, { host: '2001:db8::1', port: 1 }, 1));
  t.false(list.hasGood(k, { host: '203.0.113.1', port: 1 }, BAD));
});

test('remove, size and connectivity', (t) => {
  const prng = new Prng('remove');
  const list = new CloseList(SELF);
  const a = keyAt(SELF, 3, prng), b = keyAt(SELF, 3, prng);
  list.heard(a, { host: '10.0.0.1', port: 1 }, 0);
  t.true(list.isConnected(0));
  t.false(list.isNonLanConnected(0));
  list.heard(b, { host: '203.0.113.1', port: 1 }, 0);
  t.true(list.isNonLanConnected(0));
  t.is(list.size, 2);
  t.true(list.remove(b));
  t.false(list.remove(b));
  t.is(list.size, 1);
  t.is(list.bucket(3).length, 1);
  // The removed node's address is free for another key.
  const c = keyAt(SELF, 4, prng);
  list.heard(c, { host: '203.0.113.1', port: 1 }, 1);
  t.truthy(list.get(a));
});

test('bad arguments are DhtErrors', (t) => {
  const list = new CloseList(SELF);
  t.throws(() => new CloseList(new Uint8Array(5)), { instanceOf: DhtError });
  t.throws(() => new CloseList(SELF, { bucketCount: 257 }), { instanceOf: DhtError });
  t.throws(() => new CloseList(SELF, { bucketSize: 0 }), { instanceOf: DhtError });
  t.throws(() => new CloseList(SELF, { badTimeoutMs: 10, killTimeoutMs: 5 }), { instanceOf: DhtError });
  t.throws(() => list.heard(new Uint8Array(31), { host: '203.0.113.1', port: 1 }, 0), { instanceOf: DhtError });
  t.throws(() => list.heard(new Uint8Array(32), { host: 'example.org', port: 1 }, 0), { instanceOf: DhtError });
  t.throws(() => list.heard(new Uint8Array(32), { host: '203.0.113.1', port: 70000 }, 0), { instanceOf: DhtError });
});
