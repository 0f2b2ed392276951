/**
 * toxlink's fast start of the onion client (spec/onion.md#fast-start), in simulated time:
 * announcing begins as soon as the DHT has a node, not at 3 s; announce and search nodes are
 * asked every second within a budget, without moving the run count; our DHT key goes to a
 * friend as soon as a search node reports it, at most 3 times per offline period; and with
 * `cToxcoreOnionClientTiming` none of it happens.
 */
import test from 'ava';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { Prng } from '../../src/io/index.ts';
import {
  AnnounceClient, FriendSearch, OnionClient, OnionClientConfigError, OnionPaths, PathNodeStore, cToxcoreOnionClientTiming,
  defaultOnionClientConfig, onionClientConfig, type OnionClientConfig, type PathNode,
} from '../../src/onion/index.ts';
import { simToxNet, type SimToxNet } from './sim-tox-net.ts';

const SOURCE = { host: '20.1.1.1', port: 33445 };
const hex = (key: Uint8Array): string => Buffer.from(key).toString('hex');

function client(net: SimToxNet, index: number, config: Partial<OnionClientConfig> = {}): OnionClient {
  const node = net.nodes[index]!;
  const c = new OnionClient({
    clock: net.clock, sender: node.socket, dht: node.dht, realKeyPair: generateKeyPair(), dhtKeyPair: node.dhtKeyPair,
    randomInt: (n) => net.prng.nextInt(0, n), config,
  });
  node.addHandler((data, from) => c.receive(data, from));
  return c;
}

test('announcing starts within the first round once the DHT has a node, not 3 s after the start; c-toxcore timing waits the 3 s', async (t) => {
  const net = await simToxNet(16, { seed: 51 });
  t.teardown(() => net.close());
  const start = net.clock.now();
  const fast = client(net, 3);
  const slow = client(net, 9, cToxcoreOnionClientTiming);
  t.teardown(() => { fast.close(); slow.close(); });
  const connectedAt: number[] = [];
  fast.events.on('connection', (e) => { if (e.connected) connectedAt.push(net.clock.now() - start); });
  net.clock.advance(2_500);
  t.true((fast.stats.sentByKind.announce ?? 0) > 0, 'the fast client announced in its first 2.5 s');
  t.is(slow.stats.sentByKind.announce ?? 0, 0, 'c-toxcore\'s timing: nothing before 3 s');
  net.clock.advance(1_000);
  t.true((slow.stats.sentByKind.announce ?? 0) > 0, 'and then it announces');
  // The connected status still takes three connected seconds, counted once a second.
  net.clock.advance(10_000);
  t.true(fast.isConnected);
  t.true(connectedAt[0]! >= 3_000, `connected ${connectedAt[0]} ms after the start, not before three counted seconds`);
});

test('two fast clients find each other and exchange DHT keys in a few seconds; the DHT key goes on finding, at most 3 times', async (t) => {
  const net = await simToxNet(24, { seed: 52 });
  t.teardown(() => net.close());
  const a = client(net, 4);
  const b = client(net, 15);
  t.teardown(() => { a.close(); b.close(); });
  const keys: Array<{ at: number; to: string }> = [];
  a.events.on('dht-key', () => keys.push({ at: net.clock.now(), to: 'a' }));
  b.events.on('dht-key', () => keys.push({ at: net.clock.now(), to: 'b' }));
  a.addFriend(b.announce.list.reference);
  b.addFriend(a.announce.list.reference);
  let ms = 0;
  while (ms < 30_000 && !(keys.some((k) => k.to === 'a') && keys.some((k) => k.to === 'b'))) {
    net.clock.advance(100);
    ms += 100;
  }
  t.true(keys.some((k) => k.to === 'a') && keys.some((k) => k.to === 'b'), `both learned the other's DHT key after ${ms} ms`);
  t.true(ms <= 5_000, `within 5 s (c-toxcore's timing: ~10 s): ${ms} ms`);
  t.log(`DHT keys both ways ${ms} simulated ms after the start`);
  net.clock.advance(60_000);
  for (const c of [a, b]) {
    t.true(c.stats.dhtPkSentOnFind >= 1 && c.stats.dhtPkSentOnFind <= 3, `on-find sends ${c.stats.dhtPkSentOnFind}`);
  }
  // Offline again: up to 3 more on-find sends are allowed.
  a.setFriendOnline(b.announce.list.reference, true);
  a.setFriendOnline(b.announce.list.reference, false);
  const before = a.stats.dhtPkSentOnFind;
  net.clock.advance(30_000);
  t.true(a.stats.dhtPkSentOnFind > before && a.stats.dhtPkSentOnFind <= before + 3, `${a.stats.dhtPkSentOnFind - before} more`);
});

test('with c-toxcore\'s timing no DHT key goes on finding', async (t) => {
  const net = await simToxNet(24, { seed: 53 });
  t.teardown(() => net.close());
  const a = client(net, 4, cToxcoreOnionClientTiming);
  const b = client(net, 15, cToxcoreOnionClientTiming);
  t.teardown(() => { a.close(); b.close(); });
  a.addFriend(b.announce.list.reference);
  b.addFriend(a.announce.list.reference);
  net.clock.advance(60_000);
  t.is(a.stats.dhtPkSentOnFind + b.stats.dhtPkSentOnFind, 0);
  t.true((a.stats.sentByKind['onion-data'] ?? 0) > 0, 'the 30 s turn still sends it');
});

test('a fast search asks each node every second within the round\'s budget, and leaves the run count alone', (t) => {
  const me = generateKeyPair();
  const config = defaultOnionClientConfig;
  const search = new FriendSearch(generateKeyPair().publicKey, me.secretKey, config);
  const store = new PathNodeStore(config.maxPathNodes);
  const nodes: PathNode[] = [];
  for (let i = 0; i < 8; i++) nodes.push({ publicKey: generateKeyPair().publicKey, ipPort: { host: `20.0.3.${i + 1}`, port: 33445 } });
  let now = 1_000_000;
  const sent: Array<{ at: number; key: string }> = [];
  const send = (node: PathNode): boolean => {
    sent.push({ at: now, key: hex(node.publicKey) });
    return true;
  };
  // Every node asked answers "not found" before the next round, so all stay alive.
  const answer = (from: number): void => {
    for (const r of sent.slice(from)) {
      const node = nodes.find((n) => hex(n.publicKey) === r.key)!;
      search.onResponse(node, 0, new Uint8Array(32), undefined, [], SOURCE, store, () => true, now);
    }
  };
  for (const n of nodes) search.onResponse(n, 0, new Uint8Array(32), undefined, [], SOURCE, store, send, now);
  const prng = new Prng('fast');
  const perRound: number[] = [];
  for (let i = 0; i < 40; i++) {
    const before = sent.length;
    search.tick(now, send, store, (n) => prng.nextInt(0, n), { intervalMs: 1_000, populateSpacingMs: 1_000, budget: 3 });
    perRound.push(sent.length - before);
    now += 100;
    answer(before);
    now += 150;
  }
  t.true(perRound.every((n) => n <= 3), `at most the budget per round: ${perRound.join(' ')}`);
  t.is(search.runCount, 0, 'fast requests do not count');
  t.is(search.pings, 0);
  for (const n of nodes) {
    const at = sent.filter((r) => r.key === hex(n.publicKey)).map((r) => r.at);
    t.true(at.length >= 5, `each node asked often: ${at.length}`);
    for (let i = 1; i < at.length; i++) t.true(at[i]! - at[i - 1]! >= 1_000, 'a node at most once a second');
  }
  // Without the fast start: c-toxcore's 3 s, and the run count grows.
  const later = sent.length;
  for (let i = 0; i < 40; i++) {
    const before = sent.length;
    search.tick(now, send, store, (n) => prng.nextInt(0, n));
    now += 100;
    answer(before);
    now += 900;
  }
  const perNode = sent.slice(later).filter((r) => r.key === hex(nodes[0]!.publicKey)).map((r) => r.at);
  t.true(perNode.slice(1).every((x, i) => x - perNode[i]! >= 3_000));
  t.true(search.runCount > 0);
});

test('a fast announce asks a node that does not store us every second; the refill goes out at most once a second', (t) => {
  const config = defaultOnionClientConfig;
  const prng = new Prng('fast-announce');
  const pathStore = new PathNodeStore(config.maxPathNodes);
  for (let i = 0; i < 5; i++) pathStore.add({ publicKey: generateKeyPair().publicKey, ipPort: { host: `20.0.2.${i + 1}`, port: 33445 } });
  const paths = new OnionPaths({ config, dhtKeyPair: generateKeyPair(), store: pathStore, randomInt: (n) => prng.nextInt(0, n), udpConnected: () => true });
  const store = new PathNodeStore(config.maxPathNodes);
  for (let i = 0; i < 10; i++) store.add({ publicKey: generateKeyPair().publicKey, ipPort: { host: `20.0.1.${i + 1}`, port: 33445 } });
  let now = 1_000_000;
  const sent: Array<{ at: number; key: string; pingId: Uint8Array | undefined }> = [];
  const announce = new AnnounceClient({
    config, realPublicKey: generateKeyPair().publicKey, dataPublicKey: generateKeyPair().publicKey, store, paths,
    randomInt: (n) => prng.nextInt(0, n), send: (node, pingId) => { sent.push({ at: now, key: hex(node.publicKey), pingId }); return true; },
  });
  const node = { publicKey: generateKeyPair().publicKey, ipPort: { host: '20.0.9.1', port: 33445 } };
  announce.onResponse(node, 0, new Uint8Array(32).fill(3), undefined, [], SOURCE, now);
  const fast = { intervalMs: 1_000, populateSpacingMs: 1_000 };
  for (let i = 0; i < 24; i++) {
    announce.tick(now, fast);
    // The node keeps answering "not stored", so it stays alive and is asked again.
    for (const r of sent.filter((x) => x.at === now && x.key === hex(node.publicKey))) announce.onResponse(node, 0, new Uint8Array(32).fill(3), undefined, [], SOURCE, now);
    now += 250;
  }
  // Requests to the list entry carry its ping id (a refill, with none, may pick it too: it is a path node now).
  const times = sent.filter((r) => r.key === hex(node.publicKey) && r.pingId !== undefined).map((r) => r.at);
  t.true(times.length >= 4, `asked ${times.length} times in 6 s`);
  t.true(times.slice(1).every((x, i) => x - times[i]! === 1_000), `every second: ${times.map((x) => x - 1_000_000).join(' ')}`);
  const refills = [...new Set(sent.filter((r) => r.pingId === undefined).map((r) => r.at))];
  t.true(refills.slice(1).every((x, i) => x - refills[i]! >= 1_000), `refills at most once a second: ${refills.map((x) => x - 1_000_000).join(' ')}`);
});

test('the fast start settings are checked', (t) => {
  t.throws(() => onionClientConfig({ fastTickMs: 2_000 }), { instanceOf: OnionClientConfigError });
  t.throws(() => onionClientConfig({ fastStartMs: -1 }), { instanceOf: OnionClientConfigError });
  t.throws(() => onionClientConfig({ fastDhtPkSends: 256 }), { instanceOf: OnionClientConfigError });
  t.is(onionClientConfig(cToxcoreOnionClientTiming).fastStartMs, 0);
});
