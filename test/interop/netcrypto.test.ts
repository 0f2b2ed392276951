/**
 * toxlink's net_crypto against real c-toxcore 0.2.18 on loopback.
 *
 * A toxlink {@link NetCrypto} node on its own UDP socket (no DHT: sessions are made to a
 * known address) and a C peer (`peer/toxpeer.c`) that has toxlink's real key as a friend.
 * c-toxcore's Messenger reports the friend online, and passes custom packets to the app,
 * only after it received PACKET_ID_ONLINE (lossless [24]) from us; its friend_connection
 * kills a session that brings no PACKET_ID_ALIVE ([16]) for 32 s, so we send one every 8 s.
 *
 * 1. toxlink → C: established both ways; 1,000 custom lossless packets each way arrive in
 *    order and byte-exact; custom lossy packets arrive both ways.
 * 2. toxlink kills the session: the C peer sees it at once, then reconnects by itself (it
 *    learned our DHT key and address from our first handshake); toxlink accepts.
 * 3. The C peer quits (tox_kill sends kill packets): toxlink's session closes `killed-by-peer`.
 * 4. The C peer restarts with the same secret key (a new DHT key): toxlink's `connect` with
 *    the new DHT key replaces the old session and the new one carries data both ways.
 */
import type { ExecutionContext } from 'ava';
import { NodeNetwork, SystemClock, type Address } from '../../src/io/index.ts';
import { generateKeyPair, randomBytes, type KeyPair } from '../../src/crypto/index.ts';
import { NetCrypto, type CryptoConnection, type CloseReason } from '../../src/netcrypto/index.ts';
import { fromHex, toHex } from '../../src/wire/index.ts';
import { freePort } from './bootstrapd.ts';
import { startPeer, PeerError, type ToxPeer, type PeerIdentity } from './peer.ts';
import { until } from './dht-node.ts';
import { interopGate } from './skip.ts';

const gate = interopGate();
const LOCAL = '127.0.0.1';

/** Messenger's PACKET_ID_ONLINE, friend_connection's PACKET_ID_ALIVE. */
const PACKET_ID_ONLINE = 24;
const PACKET_ID_ALIVE = 16;
/** friend_connection's FRIEND_PING_INTERVAL. */
const ALIVE_INTERVAL_MS = 8_000;
/** The custom packet ids the tests use. */
const CUSTOM_LOSSLESS = 160;
const CUSTOM_LOSSY = 200;
/** TOX_MAX_CUSTOM_PACKET_SIZE / MAX_CRYPTO_DATA_SIZE. */
const MAX_PAYLOAD = 1373;

/** Bounds. Measured on loopback: establishment ~10 ms, the C peer's reconnection well under 1 s. */
const ESTABLISH_TIMEOUT_MS = 10_000;
const ONLINE_TIMEOUT_MS = 10_000;
const TRANSFER_TIMEOUT_MS = 30_000;
/** The C peer must report a kill within this long (it acts on its next tox_iterate). */
const KILL_SEEN_MS = 2_000;
/** How long the C peer may take to reconnect to toxlink by itself. */
const RECONNECT_TIMEOUT_MS = 30_000;

const upperHex = (bytes: Uint8Array): string => toHex(bytes).toUpperCase();

/** A toxlink net_crypto node on a real UDP socket on loopback, closed by the test's teardown. */
interface LiveNode {
  readonly node: NetCrypto;
  readonly real: KeyPair;
  readonly address: Address;
  /** Real keys (upper-case hex) the accept callback says yes to. */
  readonly friends: Set<string>;
  /** Every session the accept callback let in, in order, with when it came (Date.now()). */
  readonly accepted: { readonly conn: CryptoConnection; readonly at: number }[];
  /** Exceptions the node reported (bugs). */
  readonly errors: Error[];
}

async function startNode(t: ExecutionContext): Promise<LiveNode> {
  const network = new NodeNetwork();
  const socket = await network.bindUdp({ host: LOCAL, port: 0 });
  const real = generateKeyPair();
  const friends = new Set<string>();
  const node = new NetCrypto({
    clock: new SystemClock(),
    sender: socket,
    realKeyPair: real,
    dhtKeyPair: generateKeyPair(),
    accept: (offer) => friends.has(upperHex(offer.realPublicKey)),
  });
  const live: LiveNode = { node, real, address: socket.local, friends, accepted: [], errors: [] };
  node.on('error', (e) => live.errors.push(e));
  node.on('connection', (conn) => live.accepted.push({ conn, at: Date.now() }));
  socket.onReceive((data, from) => {
    node.receive(data, from);
  });
  t.teardown(async () => {
    node.close();
    await socket.close();
    t.log(`toxlink node drops: ${JSON.stringify(node.stats.dropped)}; cookie responses sent: ${node.stats.cookieResponsesSent}`);
    if (live.errors.length > 0) t.log(`net_crypto node errors: ${live.errors.map((e) => e.stack ?? e.message).join('\n')}`);
  });
  return live;
}

/** A C peer on a free UDP port range on loopback, with toxlink's real key as friend 0. */
async function startCPeer(t: ExecutionContext, name: string, toxlink: LiveNode, secretKey?: string):
  Promise<{ peer: ToxPeer; me: PeerIdentity; friend: number; address: Address }> {
  const peer = await startPeer(t, { name });
  const start = await freePort('udp');
  const me = await peer.create({
    udpPortStart: start, udpPortEnd: Math.min(start + 20, 65535), ...(secretKey !== undefined ? { secretKey } : {}),
  });
  const friend = await peer.addFriendNoRequest(upperHex(toxlink.real.publicKey));
  toxlink.friends.add(me.publicKey);
  return { peer, me, friend, address: { host: LOCAL, port: me.udpPort } };
}

/** Rejects with `what` unless `promise` settles within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Tells the C peer's Messenger we are online (lossless [24]) and keeps its friend_connection
 * from timing the session out (lossless [16] every 8 s, until the session or the test ends).
 */
function goOnline(t: ExecutionContext, conn: CryptoConnection): void {
  conn.sendLossless(Uint8Array.of(PACKET_ID_ONLINE));
  const timer = setInterval(() => {
    if (conn.state === 'established') conn.sendLossless(Uint8Array.of(PACKET_ID_ALIVE));
  }, ALIVE_INTERVAL_MS);
  conn.on('closed', () => clearInterval(timer));
  t.teardown(() => clearInterval(timer));
}

/** Collects the lossless or lossy payloads whose first byte is `id`, as hex. */
function collect(conn: CryptoConnection, kind: 'lossless' | 'lossy', id: number): string[] {
  const got: string[] = [];
  conn.on(kind, (p) => {
    if (p[0] === id) got.push(upperHex(p));
  });
  return got;
}

/** Resolves with the reason when `conn` closes. */
function closedReason(conn: CryptoConnection): Promise<CloseReason> {
  return new Promise((resolve) => conn.on('closed', resolve));
}

/**
 * `count` distinct payloads: the id byte, a 32-bit big-endian sequence number, random bytes;
 * sizes vary from 5 to 1373 (every tenth is 1373).
 */
function payloads(id: number, count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const size = i % 10 === 0 ? MAX_PAYLOAD : 5 + Math.floor(Math.random() * (MAX_PAYLOAD - 4));
    const p = new Uint8Array(size);
    p[0] = id;
    new DataView(p.buffer).setUint32(1, i);
    p.set(randomBytes(size - 5), 5);
    out.push(p);
  }
  return out;
}

/** Queues every payload on `conn`, waiting for 'drain' whenever the queue is at high water. */
async function sendAll(conn: CryptoConnection, list: readonly Uint8Array[]): Promise<void> {
  for (const p of list) {
    if (!conn.sendLossless(p)) await within(conn.whenWritable(), TRANSFER_TIMEOUT_MS, 'the send queue to drain');
  }
}

/**
 * Has the C peer send every payload as a custom lossless packet, one command at a time;
 * a send toxcore refuses because its congestion control says wait (SENDQ) is retried.
 */
async function cSendAll(peer: ToxPeer, friend: number, list: readonly Uint8Array[]): Promise<{ refused: number }> {
  const deadline = Date.now() + TRANSFER_TIMEOUT_MS;
  let refused = 0;
  for (const p of list) refused += await peer.sendLosslessRetrying(friend, p, deadline);
  return { refused };
}

/** Takes the C peer's next `count` custom lossless packets from `friend` with first byte `id`, in order, as hex. */
async function cReceive(peer: ToxPeer, friend: number, id: number, count: number): Promise<string[]> {
  const deadline = Date.now() + TRANSFER_TIMEOUT_MS;
  const got: string[] = [];
  while (got.length < count) {
    const e = await peer.waitFor('lossless', (e) => e.friend === friend && e.data[0] === id, Math.max(1, deadline - Date.now()));
    got.push(upperHex(e.data));
  }
  return got;
}

/** The index of the first difference between two lists of hex strings, or -1. */
function firstDifference(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Connects toxlink to the C peer and brings the friend online on both sides. */
async function connectOnline(t: ExecutionContext, toxlink: LiveNode, c: { peer: ToxPeer; me: PeerIdentity; friend: number; address: Address }):
  Promise<{ conn: CryptoConnection; establishedMs: number; onlineMs: number }> {
  const started = Date.now();
  const conn = toxlink.node.connect(fromHex(c.me.publicKey), fromHex(c.me.dhtId), c.address);
  await within(conn.established(), ESTABLISH_TIMEOUT_MS, 'the session to be established');
  const establishedMs = Date.now() - started;
  goOnline(t, conn);
  await c.peer.waitFor('friend_connection', (e) => e.friend === c.friend && e.status === 'udp', ONLINE_TIMEOUT_MS);
  return { conn, establishedMs, onlineMs: Date.now() - started };
}

/** A short exchange both ways on a session: `count` lossless packets each way, checked. */
async function exchange(t: ExecutionContext, conn: CryptoConnection, c: { peer: ToxPeer; friend: number }, count: number, what: string): Promise<void> {
  const got = collect(conn, 'lossless', CUSTOM_LOSSLESS);
  const out = payloads(CUSTOM_LOSSLESS, count);
  const back = payloads(CUSTOM_LOSSLESS, count);
  await sendAll(conn, out);
  t.is(firstDifference(await cReceive(c.peer, c.friend, CUSTOM_LOSSLESS, count), out.map(upperHex)), -1, `${what}: toxlink → C`);
  await cSendAll(c.peer, c.friend, back);
  await until(`${count} lossless packets from the C peer (${what})`, () => got.length >= count, TRANSFER_TIMEOUT_MS);
  t.is(firstDifference(got, back.map(upperHex)), -1, `${what}: C → toxlink`);
}

gate.test('toxlink → C: established, 1,000 lossless packets each way in order and byte-exact, lossy both ways', async (t) => {
  const toxlink = await startNode(t);
  const c = await startCPeer(t, 'c', toxlink);
  const onlineFromC: Uint8Array[] = [];
  const started = Date.now();
  const conn = toxlink.node.connect(fromHex(c.me.publicKey), fromHex(c.me.dhtId), c.address);
  conn.on('lossless', (p) => { if (p[0] === PACKET_ID_ONLINE) onlineFromC.push(p); });
  await within(conn.established(), ESTABLISH_TIMEOUT_MS, 'the session to be established');
  t.is(conn.state, 'established');
  const establishedMs = Date.now() - started;
  goOnline(t, conn);
  const online = await c.peer.waitFor('friend_connection', (e) => e.friend === c.friend && e.status === 'udp', ONLINE_TIMEOUT_MS);
  t.is(online.status, 'udp');
  t.log(`established after ${establishedMs} ms; the C peer reports the friend online (udp) after ${Date.now() - started} ms`);
  await until('PACKET_ID_ONLINE from the C peer', () => onlineFromC.length > 0, ONLINE_TIMEOUT_MS);
  t.deepEqual([...onlineFromC[0]!], [PACKET_ID_ONLINE], 'the C peer\'s Messenger says online too');

  const count = 1000;
  // toxlink → C
  const out = payloads(CUSTOM_LOSSLESS, count);
  let t0 = Date.now();
  await sendAll(conn, out);
  const atC = await cReceive(c.peer, c.friend, CUSTOM_LOSSLESS, count);
  const outMs = Date.now() - t0;
  t.is(atC.length, count);
  t.is(firstDifference(atC, out.map(upperHex)), -1, 'toxlink → C: in order and byte-exact');

  // C → toxlink
  const atToxlink = collect(conn, 'lossless', CUSTOM_LOSSLESS);
  const back = payloads(CUSTOM_LOSSLESS, count);
  t0 = Date.now();
  const { refused } = await cSendAll(c.peer, c.friend, back);
  await until(`${count} lossless packets from the C peer`, () => atToxlink.length >= count, TRANSFER_TIMEOUT_MS);
  const backMs = Date.now() - t0;
  t.is(atToxlink.length, count, 'no more, no fewer');
  t.is(firstDifference(atToxlink, back.map(upperHex)), -1, 'C → toxlink: in order and byte-exact');
  const bytes = (list: readonly Uint8Array[]): number => list.reduce((n, p) => n + p.length, 0);
  t.log(`toxlink → C: ${count} packets, ${bytes(out)} bytes in ${outMs} ms; C → toxlink: ${bytes(back)} bytes in ${backMs} ms (toxcore said SENDQ ${refused} times)`);

  // Lossy, both ways (loopback: none is lost).
  const lossyCount = 50;
  const lossyAtToxlink = collect(conn, 'lossy', CUSTOM_LOSSY);
  const lossyOut = payloads(CUSTOM_LOSSY, lossyCount).map((p, i) => p.subarray(0, 5 + (i * 17) % 200));
  for (const p of lossyOut) t.true(conn.sendLossy(p));
  const lossyAtC: string[] = [];
  for (let i = 0; i < lossyCount; i++) {
    const e = await c.peer.waitFor('lossy', (e) => e.friend === c.friend && e.data[0] === CUSTOM_LOSSY, TRANSFER_TIMEOUT_MS);
    lossyAtC.push(upperHex(e.data));
  }
  t.deepEqual([...lossyAtC].sort(), lossyOut.map(upperHex).sort(), 'every lossy packet toxlink sent reached the C peer');
  const lossyBack = payloads(CUSTOM_LOSSY, lossyCount).map((p, i) => p.subarray(0, 5 + (i * 29) % 300));
  for (const p of lossyBack) await c.peer.sendLossy(c.friend, p);
  await until(`${lossyCount} lossy packets from the C peer`, () => lossyAtToxlink.length >= lossyCount, TRANSFER_TIMEOUT_MS);
  t.deepEqual([...lossyAtToxlink].sort(), lossyBack.map(upperHex).sort(), 'every lossy packet the C peer sent reached toxlink');

  t.is(conn.state, 'established');
  t.deepEqual(toxlink.errors, []);
  t.log(`session drops: ${JSON.stringify(conn.stats.dropped)}; congestion: ${JSON.stringify(conn.congestion)}`);
  t.is(conn.stats.dropped.get('bad-mac'), 0);
  t.is(conn.stats.dropped.get('unknown-packet-id'), 0);
});

gate.test('toxlink kills the session: the C peer sees it at once and reconnects to toxlink by itself', async (t) => {
  const toxlink = await startNode(t);
  const c = await startCPeer(t, 'c', toxlink);
  const first = await connectOnline(t, toxlink, c);
  t.log(`first session (toxlink → C): established after ${first.establishedMs} ms, online at C after ${first.onlineMs} ms`);
  t.is(toxlink.accepted.length, 0, 'the first session was ours, not the C peer\'s');

  const killedAt = Date.now();
  first.conn.close();
  t.is(first.conn.state, 'closed');
  t.is(toxlink.node.connection(fromHex(c.me.publicKey)), undefined);
  await c.peer.waitFor('friend_connection', (e) => e.friend === c.friend && e.status === 'none', KILL_SEEN_MS);
  const seenMs = Date.now() - killedAt;
  t.log(`the C peer reported the friend offline ${seenMs} ms after the kill packet`);

  // c-toxcore's friend_connection stored our DHT key and address from our handshake, and
  // makes a new session to them on its next iteration.
  await until('the C peer to reconnect', () => toxlink.accepted.length > 0, RECONNECT_TIMEOUT_MS);
  const { conn, at } = toxlink.accepted[0]!;
  const acceptedMs = at - killedAt;
  t.is(upperHex(conn.peerRealPublicKey), c.me.publicKey);
  t.is(upperHex(conn.peerDhtPublicKey), c.me.dhtId);
  t.not(conn, first.conn);
  await within(conn.established(), ESTABLISH_TIMEOUT_MS, 'the C peer\'s session to be established');
  const establishedMs = Date.now() - killedAt;
  t.is(toxlink.node.connection(fromHex(c.me.publicKey)), conn);
  goOnline(t, conn);
  await c.peer.waitFor('friend_connection', (e) => e.friend === c.friend && e.status === 'udp', ONLINE_TIMEOUT_MS);
  t.log(`c-toxcore reconnected by itself: toxlink accepted its handshake ${acceptedMs} ms after the kill, established at ${establishedMs} ms, online at C at ${Date.now() - killedAt} ms`);
  await exchange(t, conn, c, 100, 'the C peer\'s session');
  t.is(toxlink.accepted.length, 1, 'one new session, not more');
  t.deepEqual(toxlink.errors, []);
});

gate.test('the C peer quits: toxlink\'s session closes killed-by-peer at once', async (t) => {
  const toxlink = await startNode(t);
  const c = await startCPeer(t, 'c', toxlink);
  const { conn } = await connectOnline(t, toxlink, c);
  const reason = closedReason(conn);
  const quitAt = Date.now();
  await c.peer.quit(); // tox_kill: crypto_kill sends a kill packet on every established session
  t.is(await within(reason, KILL_SEEN_MS, 'toxlink\'s session to close'), 'killed-by-peer');
  t.log(`toxlink's session closed killed-by-peer ${Date.now() - quitAt} ms after 'quit'`);
  t.is(conn.state, 'closed');
  t.is(toxlink.node.connection(fromHex(c.me.publicKey)), undefined);
  t.deepEqual(toxlink.errors, []);
});

gate.test('the C peer restarts with the same secret key: connect with its new DHT key replaces the session', async (t) => {
  const toxlink = await startNode(t);
  const secretKey = toHex(randomBytes(32));
  const c1 = await startCPeer(t, 'c-before', toxlink, secretKey);
  const first = await connectOnline(t, toxlink, c1);
  await exchange(t, first.conn, c1, 20, 'before the restart');

  // The C peer dies without a word (SIGTERM: no tox_kill, no kill packet): toxlink's
  // session is still up when the peer comes back.
  await c1.peer.stop();
  t.is(first.conn.state, 'established');
  const firstClosed = closedReason(first.conn);

  const c2 = await startCPeer(t, 'c-after', toxlink, secretKey);
  t.is(c2.me.publicKey, c1.me.publicKey, 'same long-term key');
  t.not(c2.me.dhtId, c1.me.dhtId, 'a new DHT key');
  const second = await connectOnline(t, toxlink, c2);
  t.log(`after the restart: established after ${second.establishedMs} ms, online at C after ${second.onlineMs} ms`);
  t.not(second.conn, first.conn);
  t.is(await within(firstClosed, 1000, 'the old session to close'), 'replaced');
  t.is(upperHex(second.conn.peerDhtPublicKey), c2.me.dhtId);
  t.is(toxlink.node.connection(fromHex(c2.me.publicKey)), second.conn);
  t.is(toxlink.node.connections().length, 1);
  await exchange(t, second.conn, c2, 100, 'after the restart');
  t.deepEqual(toxlink.errors, []);
});
