import test from 'ava';
import fc from 'fast-check';
import { NEVER } from '../../src/dht/client-entry.ts';
import { BAD_NODE_TIMEOUT_MS, DHT_FRIEND_MAX_LOCKS, MAX_FRIEND_CLIENTS } from '../../src/dht/config.ts';
import { MAX_SENT_NODES } from '../../src/dht/packet-sizes.ts';
import { compareDistance, keyString } from '../../src/dht/distance.ts';
import { DhtError } from '../../src/dht/errors.ts';
import { DhtFriendEntry, DhtFriendTable } from '../../src/dht/friend-list.ts';
import { Prng } from '../../src/io/index.ts';
import { toHex, type IpPort } from '../../src/wire/index.ts';

const BAD = BAD_NODE_TIMEOUT_MS;
const FRIEND = new Uint8Array(32).fill(0x33);
const arbKey = fc.uint8Array({ minLength: 32, maxLength: 32 });

function randomKey(prng: Prng): Uint8Array {
  return Uint8Array.from({ length: 32 }, () => prng.nextInt(0, 256));
}
/** A key whose distance to FRIEND starts with byte `d` (smaller is closer). */
function keyAtDistance(d: number, prng: Prng): Uint8Array {
  const k = randomKey(prng);
  k[0] = FRIEND[0]! ^ d;
  return k;
}
let port = 1;
const addr = (host = '203.0.113.1'): IpPort => ({ host, port: port++ });

test('a new entry: empty, search state at its start, c-toxcore sizes', (t) => {
  const f = new DhtFriendEntry(FRIEND);
  t.is(f.capacity, MAX_FRIEND_CLIENTS);
  t.is(f.size, 0);
  t.is(f.bootstrapTimes, 0);
  t.is(f.lastGetNode, NEVER);
  t.is(f.toBootstrap.capacity, MAX_SENT_NODES);
  t.deepEqual(f.clients(), []);
  t.not(f.publicKey, FRIEND, 'the key is copied');
});

test('keeps exactly the capacity closest of the good nodes heard (against a brute-force sort)', (t) => {
  fc.assert(fc.property(fc.array(arbKey, { minLength: 0, maxLength: 40 }), fc.integer({ min: 1, max: 10 }), (keys, capacity) => {
    const f = new DhtFriendEntry(FRIEND, capacity);
    keys.forEach((k, i) => f.heard(k, { host: '203.0.113.1', port: i + 1 }, 0));
    const distinct = [...new Map(keys.map((k) => [toHex(k), k])).values()];
    const want = distinct.sort((a, b) => compareDistance(FRIEND, a, b)).slice(0, capacity).map(toHex).sort();
    const got = f.clients().map((c) => toHex(c.publicKey)).sort();
    return JSON.stringify(got) === JSON.stringify(want) && f.size <= capacity;
  }));
  t.pass();
});

test('a closer newcomer replaces the farthest good node; a farther one is refused', (t) => {
  const prng = new Prng('farthest');
  const f = new DhtFriendEntry(FRIEND, 3);
  const [near, mid, far] = [keyAtDistance(0x01, prng), keyAtDistance(0x10, prng), keyAtDistance(0x40, prng)];
  for (const k of [far, near, mid]) t.true(f.heard(k, addr(), 0));
  const farther = keyAtDistance(0x80, prng);
  t.false(f.wouldAdd(farther, 1));
  t.false(f.heard(farther, addr(), 1));
  const between = keyAtDistance(0x20, prng);
  t.true(f.wouldAdd(between, 1));
  t.true(f.heard(between, addr(), 1));
  t.is(f.get(far), undefined);
  t.deepEqual(f.clients().map((c) => toHex(c.publicKey)).sort(), [near, mid, between].map(toHex).sort());
});

test('a bad node is replaced first, even by a node farther than every good one', (t) => {
  const prng = new Prng('bad-first');
  const f = new DhtFriendEntry(FRIEND, 3);
  const [a, b, c] = [keyAtDistance(0x01, prng), keyAtDistance(0x02, prng), keyAtDistance(0x03, prng)];
  f.heard(a, addr(), 0);
  f.heard(b, addr(), 50_000);
  f.heard(c, addr(), 50_000);
  const far = keyAtDistance(0xf0, prng);
  t.false(f.heard(far, addr(), BAD - 1), 'a is still good');
  t.true(f.heard(far, addr(), BAD), 'a went bad: the far node takes its place');
  t.is(f.get(a), undefined);
  t.truthy(f.get(b));
  t.truthy(f.get(c));
});

test('a run of nodes heard, moved and gone bad over time keeps the list a plain scan would (the farthest-entry cache never goes stale)', (t) => {
  // The model: the rules of `heard` written as a scan of every entry, nothing kept between calls.
  interface ModelEntry { key: Uint8Array; address: string; lastHeard: number }
  const heardModel = (list: ModelEntry[], capacity: number, key: Uint8Array, address: string, now: number): ModelEntry[] => {
    const mine = list.find((e) => toHex(e.key) === toHex(key));
    const rest = list.filter((e) => e !== mine && e.address !== address);
    // A refreshed entry keeps its place (ties between equally stale entries go to the older one).
    if (mine) return list.filter((e) => e === mine || e.address !== address).map((e) => (e === mine ? { key, address, lastHeard: now } : e));
    if (rest.length < capacity) return [...rest, { key, address, lastHeard: now }];
    const bad = rest.filter((e) => now >= e.lastHeard + BAD).sort((x, y) => x.lastHeard - y.lastHeard)[0];
    if (bad) return [...rest.filter((e) => e !== bad), { key, address, lastHeard: now }];
    const farthest = [...rest].sort((x, y) => compareDistance(FRIEND, y.key, x.key))[0]!;
    if (compareDistance(FRIEND, key, farthest.key) >= 0) return rest;
    return [...rest.filter((e) => e !== farthest), { key, address, lastHeard: now }];
  };
  const step = fc.record({ node: fc.integer({ min: 0, max: 11 }), address: fc.integer({ min: 0, max: 9 }), wait: fc.constantFrom(0, 1_000, 40_000, BAD) });
  fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.array(step, { minLength: 1, maxLength: 60 }), (capacity, steps) => {
    const prng = new Prng(`model ${capacity} ${steps.length}`);
    const keys = Array.from({ length: 12 }, () => randomKey(prng));
    const f = new DhtFriendEntry(FRIEND, capacity);
    let model: ModelEntry[] = [];
    let now = 0;
    for (const s of steps) {
      now += s.wait;
      const host = `198.51.100.${s.address + 1}`;
      model = heardModel(model, capacity, keys[s.node]!, host, now);
      f.heard(keys[s.node]!, { host, port: 33445 }, now);
      const listed = f.clients().map((c) => `${toHex(c.publicKey)}@${(c.v4 ?? c.v6)!.ipPort.host}`).sort();
      const expected = model.map((e) => `${toHex(e.key)}@${e.address}`).sort();
      if (listed.join() !== expected.join()) return false;
    }
    return true;
  }), { numRuns: 300 });
  t.pass();
});

test('wouldAdd predicts heard for a newcomer', (t) => {
  fc.assert(fc.property(fc.array(fc.tuple(arbKey, fc.integer({ min: 0, max: 100_000 })), { maxLength: 30 }), (events) => {
    const f = new DhtFriendEntry(FRIEND, 4);
    let now = 0;
    for (const [i, [k, dt]] of events.entries()) {
      now += dt;
      const known = f.get(k) !== undefined;
      const fits = f.wouldAdd(k, now);
      const inList = f.heard(k, { host: '198.51.100.1', port: i + 1 }, now); // a fresh address: no takeover
      if (!known && inList !== fits) return false;
      if (f.size > 4) return false;
    }
    return true;
  }));
  t.pass();
});

test('the friend itself: its address, IPv6 first, and no punching needed', (t) => {
  const f = new DhtFriendEntry(FRIEND);
  t.is(f.directAddress(0), undefined);
  t.true(f.heard(FRIEND, { host: '203.0.113.1', port: 1 }, 0));
  t.deepEqual(f.directAddress(10), { host: '203.0.113.1', port: 1 });
  f.heard(FRIEND, { host: '2001:db8::1', port: 2 }, 20);
  t.deepEqual(f.directAddress(30), { host: '2001:db8::1', port: 2 });
  t.deepEqual(f.directAddress(BAD), { host: '2001:db8::1', port: 2 }, 'the IPv4 one went bad, IPv6 is still good');
  t.is(f.directAddress(BAD + 20), undefined);
  t.deepEqual(f.reports(30), { direct: true, addresses: [] });
});

test('reports: addresses other nodes gave for the friend, fresh ones of the larger family', (t) => {
  const prng = new Prng('reports');
  const f = new DhtFriendEntry(FRIEND);
  const nodes = [keyAtDistance(1, prng), keyAtDistance(2, prng), keyAtDistance(3, prng)];
  f.heard(nodes[0]!, { host: '203.0.113.1', port: 1 }, 0);
  f.heard(nodes[1]!, { host: '203.0.113.2', port: 1 }, 0);
  f.heard(nodes[2]!, { host: '2001:db8::3', port: 1 }, 0);
  t.false(f.reported(randomKey(prng), { host: '198.51.100.9', port: 9 }, 0), 'unknown reporter');
  t.true(f.reported(nodes[0]!, { host: '198.51.100.9', port: 9 }, 0));
  t.true(f.reported(nodes[1]!, { host: '198.51.100.9', port: 10 }, 1000));
  t.false(f.reported(nodes[2]!, { host: '198.51.100.9', port: 11 }, 1000), 'node 2 has no IPv4 association');
  t.true(f.reported(nodes[2]!, { host: '2001:db8::99', port: 12 }, 1000));
  t.deepEqual(f.reports(2000), { direct: false, addresses: [{ host: '198.51.100.9', port: 9 }, { host: '198.51.100.9', port: 10 }] });
  t.is(f.get(nodes[0]!)!.v4!.retIsSelf, false);
  // The first report expires at exactly BAD_NODE_TIMEOUT; then the families tie and IPv6 wins.
  t.deepEqual(f.reports(BAD), { direct: false, addresses: [{ host: '2001:db8::99', port: 12 }] });
});

test('closest() and alive() over the friend\'s nodes', (t) => {
  const prng = new Prng('closest');
  const f = new DhtFriendEntry(FRIEND);
  const a = keyAtDistance(1, prng), b = keyAtDistance(2, prng), c = keyAtDistance(3, prng);
  f.heard(a, { host: '10.0.0.1', port: 1 }, 0);
  f.heard(b, { host: '203.0.113.2', port: 1 }, 0);
  f.heard(c, { host: '203.0.113.3', port: 1 }, -BAD);
  t.deepEqual(f.closest(FRIEND, 8, 1).map((n) => toHex(n.publicKey)), [toHex(b)]);
  t.deepEqual(f.closest(FRIEND, 8, 1, { includeLan: true }).map((n) => toHex(n.publicKey)), [a, b].map(toHex));
  t.is(f.alive(1).length, 3);
});

test('a new key answering from a known address takes it from the old one', (t) => {
  const prng = new Prng('takeover');
  const f = new DhtFriendEntry(FRIEND, 2);
  const a = keyAtDistance(1, prng), b = keyAtDistance(2, prng), c = keyAtDistance(9, prng);
  f.heard(a, { host: '203.0.113.1', port: 1 }, 0);
  f.heard(b, { host: '203.0.113.2', port: 1 }, 0);
  t.true(f.heard(c, { host: '203.0.113.1', port: 1 }, 10), 'a left, which made room');
  t.is(f.get(a), undefined);
  t.is(f.size, 2);
});

test('the table shares entries by reference count', (t) => {
  const table = new DhtFriendTable(3);
  const prng = new Prng('table');
  const k = randomKey(prng);
  const e1 = table.add(k);
  const e2 = table.add(k);
  t.is(e1, e2);
  t.is(table.references(k), 2);
  t.is(table.size, 1);
  t.true(table.remove(k));
  t.is(table.get(k), e1, 'one reference left');
  t.true(table.remove(k));
  t.is(table.get(k), undefined);
  t.false(table.remove(k));
  t.is(table.references(k), 0);
});

test('the table is bounded in keys and in references per key', (t) => {
  const prng = new Prng('bounds');
  const table = new DhtFriendTable(2, { maxLocks: 3 });
  const [a, b, c] = [randomKey(prng), randomKey(prng), randomKey(prng)];
  table.add(a);
  table.add(b);
  const err = t.throws(() => table.add(c), { instanceOf: DhtError });
  t.is((err as DhtError).code, 'too-many-friends');
  t.is(table.size, 2);
  table.add(a);
  table.add(a);
  const locks = t.throws(() => table.add(a), { instanceOf: DhtError });
  t.is((locks as DhtError).code, 'too-many-locks');
  t.is(table.references(a), 3);
  table.remove(b);
  t.notThrows(() => table.add(c));
  t.is(new DhtFriendTable(1).maxLocks, DHT_FRIEND_MAX_LOCKS);
});

test('the table iterates in the order keys were added (fake friends first)', (t) => {
  const prng = new Prng('order');
  const table = new DhtFriendTable(10);
  const keys = [randomKey(prng), randomKey(prng), randomKey(prng)];
  keys.forEach((k) => table.add(k));
  table.add(keys[0]!);
  t.deepEqual([...table.values()].map((e) => toHex(e.publicKey)), keys.map(toHex));
});

test('table entries take the table\'s options', (t) => {
  const table = new DhtFriendTable(4, { capacity: 2, badTimeoutMs: 1000, killTimeoutMs: 2000 });
  const e = table.add(FRIEND);
  t.is(e.capacity, 2);
  t.is(e.badTimeoutMs, 1000);
  t.throws(() => new DhtFriendTable(0), { instanceOf: DhtError });
  t.throws(() => table.add(new Uint8Array(3)), { instanceOf: DhtError });
});

test('the table counts, for every node, the lists holding it (against a brute-force count)', (t) => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.nat(5), fc.nat(11), fc.nat(3), fc.boolean(), fc.nat(3 * BAD)), { maxLength: 120 }),
    (steps) => {
      const prng = new Prng(7);
      const friends = Array.from({ length: 6 }, () => randomKey(prng));
      const nodes = Array.from({ length: 12 }, () => randomKey(prng));
      const table = new DhtFriendTable(16, { capacity: 3 });
      const held = new Set<number>();
      let now = 0;
      for (const [f, n, host, remove, dt] of steps) {
        now += dt;
        if (remove && held.has(f)) {
          table.remove(friends[f]!);
          held.delete(f);
        } else {
          if (!held.has(f)) { table.add(friends[f]!); held.add(f); }
          // Four hosts for twelve nodes: an address moves between keys too.
          table.get(friends[f]!)!.heard(nodes[n]!, { host: `203.0.113.${host + 1}`, port: 1 }, now);
        }
        for (const node of nodes) {
          let count = 0;
          for (const entry of table.values()) if (entry.get(node) !== undefined) count++;
          if (table.holders(keyString(node)) !== count) return false;
        }
      }
      return true;
    },
  ));
  t.pass();
});
