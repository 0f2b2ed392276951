/**
 * Captures the `netcrypto-session` known-answer suite (test/vectors/netcrypto-session.json):
 * two real net_crypto sessions between a toxlink node and our C test peer (c-toxcore 0.2.18,
 * test/interop/peer), every datagram both ways, with what a reader needs to decode each one
 * from the file alone. Run by hand; it needs c-toxcore (see test/interop/build.ts):
 *
 * ```sh
 * TOXLINK_INTEROP=required node --import=tsx test/vectors/capture/netcrypto-session.ts
 * ```
 *
 * 1. toxlink opens: toxlink's cookie request; the C peer's cookie response, handshake and
 *    data packets (request packets, Messenger's own lossless packets, the payloads this
 *    script has it send), and the kill packet of `tox_kill` when the C peer quits.
 * 2. The C peer opens: toxlink opens a first session, brings it up and closes it (a kill
 *    packet); c-toxcore, which learned toxlink's DHT key and address from that session,
 *    reconnects by itself. From the C peer's cookie request on, its session is recorded: the
 *    cookie request to toxlink's DHT key, the handshake carrying toxlink's cookie, data
 *    packets, and the kill when it quits.
 *
 * toxlink's secrets are fixed (derived from labels), so that the vectors can record them:
 * its real and DHT key pairs, its cookie key and each session's key pair and base nonce
 * (the `cookieKey` and `sessionSecrets` options of `NetCrypto`). The C peer's long-term key
 * is fixed too; what c-toxcore draws at random (its DHT key, session keys, base nonces,
 * packet nonces, echo ids, cookies) changes from run to run, and so do toxlink's own packet
 * nonces and echo ids, which NetCrypto draws itself.
 *
 * The expected fields are what toxlink's decoders read from the captured bytes with only
 * the data the vector holds; the script refuses to write a vector unless that agrees with
 * what the live session did: every packet of the C peer decodes, the payloads the script
 * had c-toxcore send are among them, and toxlink's session delivered exactly the lossless
 * payloads the decoding finds.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NodeNetwork, SystemClock, type Address, type Clock, type Timer } from '../../../src/io/index.ts';
import {
  type KeyPair, constantTimeEqual, keyPairFromSecretKey, precompute, sha512,
} from '../../../src/crypto/index.ts';
import {
  NetCrypto, type CryptoConnection, type CloseReason, type SessionSecrets,
  answersRequest, cookieTime, decodeCookieRequest, decodeCookieResponse, decodeDataPacket, decodeHandshake,
  openCookie, openCookieRequest, openCookieResponse, openDataPacket, openHandshakeBox, payloadKind, readHandshake,
} from '../../../src/netcrypto/index.ts';
import { NetPacket, netPacketName, toHex, fromHex } from '../../../src/wire/index.ts';
import { cToxcoreAvailable } from '../../interop/build.ts';
import { freePort } from '../../interop/bootstrapd.ts';
import { ToxPeer, type PeerIdentity } from '../../interop/peer.ts';

const OUTPUT = fileURLToPath(new URL('../netcrypto-session.json', import.meta.url));
const LOCAL = '127.0.0.1';

/** Messenger's PACKET_ID_ONLINE: c-toxcore counts the friend online once it has it. */
const PACKET_ID_ONLINE = 24;
/** Messenger's PACKET_ID_MESSAGE (a normal message; an action is 65). */
const PACKET_ID_MESSAGE = 64;
const CUSTOM_LOSSLESS = 160;
const CUSTOM_LOSSY = 200;
/**
 * Sizes of the custom lossless payloads: every padding length `(1373 − n) mod 8` from 0
 * to 7 (1373, 1372, 3, 1370 …), the smallest (the id byte alone) and the largest.
 */
const LOSSLESS_SIZES = [1, 2, 3, 5, 7, 8, 13, 64, 500, 1366, 1372, 1373];
const LOSSY_SIZES = [1, 9, 1373];

const STEP_TIMEOUT_MS = 10_000;
/** Quiet time recorded before the C peer quits, so c-toxcore's periodic packets show up. */
const IDLE_MS = 1_500;
/** Time after the kill, so anything c-toxcore sends after it is recorded too. */
const TAIL_MS = 300;

const upperHex = (b: Uint8Array): string => toHex(b).toUpperCase();
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/* ---- fixed secrets ---- */

const LABEL_PREFIX = 'toxlink test/vectors netcrypto-session';

/** 32 (or `n` ≤ 64) bytes fixed by a label: the first bytes of SHA-512 of the label. */
function derived(label: string, n = 32): Uint8Array {
  return sha512(utf8(`${LABEL_PREFIX}: ${label}`)).slice(0, n);
}

function derivedKeyPair(label: string): KeyPair {
  return keyPairFromSecretKey(derived(label));
}

/** The C peer's long-term secret key: fixed, so its real public key is the same each run. */
const C_SECRET_KEY = derived('c-toxcore real key');

/* ---- the capture ---- */

/**
 * toxlink's clock: the system's monotonic clock, counted from the Unix epoch as
 * c-toxcore's `mono_time` is, so that toxlink's cookie timestamps and the recorded `now`
 * are Unix seconds like c-toxcore's, not seconds since this process started.
 */
class EpochClock implements Clock {
  readonly #base = new SystemClock();
  readonly #offset = Math.round(performance.timeOrigin);
  now(): number {
    return this.#offset + this.#base.now();
  }
  setTimer(delayMs: number, fn: () => void): Timer {
    return this.#base.setTimer(delayMs, fn);
  }
}

type Direction = 'from-c' | 'to-c';

interface Datagram {
  /** Milliseconds since the recording started (toxlink's clock). */
  readonly atMs: number;
  readonly direction: Direction;
  readonly packet: Uint8Array;
  /** Cookie seconds of toxlink's clock when the datagram arrived (from-c only). */
  readonly nowSeconds: number | undefined;
}

/** A toxlink node whose socket records every datagram while a recording runs. */
interface Recorded {
  readonly node: NetCrypto;
  readonly clock: Clock;
  readonly real: KeyPair;
  readonly dht: KeyPair;
  readonly cookieKey: Uint8Array;
  /** Every session's secrets, in the order the node asked for them. */
  readonly secrets: SessionSecrets[];
  /** Sessions the accept callback let in. */
  readonly accepted: CryptoConnection[];
  readonly errors: Error[];
  /** Datagrams from an address other than the C peer's (none expected). */
  readonly strangers: number;
  start(): void;
  /** How many datagrams the recording holds. */
  readonly recorded: number;
  stop(): Datagram[];
  close(): Promise<void>;
}

async function startToxlink(label: string, cRealPublicKey: Uint8Array, cAddress: () => Address | undefined): Promise<Recorded> {
  const network = new NodeNetwork();
  const socket = await network.bindUdp({ host: LOCAL, port: 0 });
  const clock = new EpochClock();
  const real = derivedKeyPair(`${label}: toxlink real key`);
  const dht = derivedKeyPair(`${label}: toxlink DHT key`);
  const cookieKey = derived(`${label}: toxlink cookie key`);
  const secrets: SessionSecrets[] = [];
  let recording: Datagram[] | undefined;
  let origin = 0;
  let strangers = 0;
  const record = (direction: Direction, packet: Uint8Array, nowSeconds?: number): void => {
    recording?.push({ atMs: Math.round(clock.now() - origin), direction, packet: packet.slice(), nowSeconds });
  };
  const node = new NetCrypto({
    clock,
    sender: {
      send: (to, data) => {
        record('to-c', data);
        socket.send(to, data);
      },
    },
    realKeyPair: real,
    dhtKeyPair: dht,
    cookieKey,
    sessionSecrets: () => {
      const n = secrets.length + 1;
      const s: SessionSecrets = {
        keyPair: derivedKeyPair(`${label}: toxlink session ${n} key`),
        baseNonce: derived(`${label}: toxlink session ${n} base nonce`, 24),
      };
      secrets.push(s);
      return s;
    },
    accept: (offer) => constantTimeEqual(offer.realPublicKey, cRealPublicKey),
  });
  const accepted: CryptoConnection[] = [];
  const errors: Error[] = [];
  node.on('connection', (conn) => accepted.push(conn));
  node.on('error', (e) => errors.push(e));
  socket.onReceive((data, from) => {
    const c = cAddress();
    if (c === undefined || from.host !== c.host || from.port !== c.port) strangers++;
    record('from-c', data, cookieTime(clock.now()));
    node.receive(data, from);
  });
  return {
    node, clock, real, dht, cookieKey, secrets, accepted, errors,
    get strangers() { return strangers; },
    get recorded() { return recording?.length ?? 0; },
    start() {
      origin = clock.now();
      recording = [];
    },
    stop() {
      const got = recording ?? [];
      recording = undefined;
      return got;
    },
    async close() {
      node.close();
      await socket.close();
    },
  };
}

interface CPeer {
  readonly peer: ToxPeer;
  readonly me: PeerIdentity;
  readonly friend: number;
  readonly address: Address;
}

async function startC(name: string, toxlinkRealPublicKey: Uint8Array): Promise<CPeer> {
  const peer = await ToxPeer.start({ name });
  try {
    const start = await freePort('udp');
    const me = await peer.create({ secretKey: toHex(C_SECRET_KEY), udpPortStart: start, udpPortEnd: Math.min(start + 20, 65535) });
    const friend = await peer.addFriendNoRequest(upperHex(toxlinkRealPublicKey));
    return { peer, me, friend, address: { host: LOCAL, port: me.udpPort } };
  } catch (error) {
    await peer.stop();
    throw error;
  }
}

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

async function until(what: string, check: () => boolean, ms = STEP_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/* ---- what the C peer is asked to send ---- */

interface Contents {
  readonly message: string;
  readonly lossless: readonly Uint8Array[];
  readonly lossy: readonly Uint8Array[];
}

/** A payload of `size` bytes: `id`, then the bytes of `text` repeated. */
function filled(id: number, size: number, text: string): Uint8Array {
  const p = new Uint8Array(size);
  p[0] = id;
  const t = utf8(text);
  for (let i = 1; i < size; i++) p[i] = t[(i - 1) % t.length]!;
  return p;
}

function contentsFor(session: string): Contents {
  const hello = Uint8Array.from([CUSTOM_LOSSLESS, ...utf8(`hello from c-toxcore (${session})`)]);
  return {
    message: `a message from c-toxcore (${session})`,
    lossless: [
      hello,
      ...LOSSLESS_SIZES.map((n) => filled(CUSTOM_LOSSLESS, n, `lossless ${n} bytes (${session}) `)),
    ],
    lossy: LOSSY_SIZES.map((n) => filled(CUSTOM_LOSSY, n, `lossy ${n} bytes (${session}) `)),
  };
}

/** Tells c-toxcore we are online, and waits until its Messenger says so and says it back. */
async function bringOnline(conn: CryptoConnection, c: CPeer, fromC: Uint8Array[]): Promise<void> {
  conn.sendLossless(Uint8Array.of(PACKET_ID_ONLINE));
  await c.peer.waitFor('friend_connection', (e) => e.friend === c.friend && e.status === 'udp', STEP_TIMEOUT_MS);
  await until('PACKET_ID_ONLINE from the C peer', () => fromC.some((p) => p.length === 1 && p[0] === PACKET_ID_ONLINE));
}

/** Has the C peer send the contents; waits until toxlink's session delivered them all. */
async function cSends(c: CPeer, contents: Contents, losslessAtToxlink: Uint8Array[], lossyAtToxlink: Uint8Array[]): Promise<void> {
  await c.peer.sendMessage(c.friend, contents.message);
  for (const p of contents.lossless) await c.peer.sendLossless(c.friend, p);
  for (const p of contents.lossy) await c.peer.sendLossy(c.friend, p);
  const has = (list: Uint8Array[], p: Uint8Array): boolean => list.some((q) => q.length === p.length && constantTimeEqual(q, p));
  await until('the C peer\'s payloads at toxlink', () =>
    contents.lossless.every((p) => has(losslessAtToxlink, p)) && contents.lossy.every((p) => has(lossyAtToxlink, p)));
}

/** The C peer quits (tox_kill sends a kill packet): toxlink's session must close killed-by-peer. */
async function cQuits(c: CPeer, conn: CryptoConnection): Promise<void> {
  const closed = new Promise<CloseReason>((resolve) => conn.on('closed', resolve));
  await c.peer.quit();
  const reason = await within(closed, STEP_TIMEOUT_MS, 'toxlink\'s session to close');
  if (reason !== 'killed-by-peer') throw new Error(`toxlink's session closed ${reason}, not killed-by-peer`);
}

function listen(conn: CryptoConnection): { lossless: Uint8Array[]; lossy: Uint8Array[] } {
  const lossless: Uint8Array[] = [];
  const lossy: Uint8Array[] = [];
  conn.on('lossless', (p) => lossless.push(p.slice()));
  conn.on('lossy', (p) => lossy.push(p.slice()));
  return { lossless, lossy };
}

/* ---- the sessions ---- */

interface Session {
  readonly name: string;
  readonly opener: 'toxlink' | 'c-toxcore';
  readonly toxlink: Recorded;
  readonly secrets: SessionSecrets;
  readonly c: PeerIdentity;
  readonly datagrams: Datagram[];
  readonly contents: Contents;
  /** What toxlink's session delivered, in order. */
  readonly delivered: { lossless: Uint8Array[]; lossy: Uint8Array[] };
  readonly notes: string[];
}

async function toxlinkOpens(): Promise<Session> {
  const label = 'toxlink opens';
  let c: CPeer | undefined;
  const toxlink = await startToxlink(label, keyPairFromSecretKey(C_SECRET_KEY).publicKey, () => c?.address);
  try {
    c = await startC('c-session-1', toxlink.real.publicKey);
    const contents = contentsFor('session 1');
    toxlink.start();
    const conn = toxlink.node.connect(fromHex(c.me.publicKey), fromHex(c.me.dhtId), c.address);
    const secrets = toxlink.secrets.at(-1)!;
    const delivered = listen(conn);
    await within(conn.established(), STEP_TIMEOUT_MS, 'the session to be established');
    await bringOnline(conn, c, delivered.lossless);
    await cSends(c, contents, delivered.lossless, delivered.lossy);
    await sleep(IDLE_MS);
    await cQuits(c, conn);
    await sleep(TAIL_MS);
    const datagrams = toxlink.stop();
    return { name: label, opener: 'toxlink', toxlink, secrets, c: c.me, datagrams, contents, delivered, notes: [] };
  } finally {
    await c?.peer.stop();
    await toxlink.close();
  }
}

async function cOpens(): Promise<Session> {
  const label = 'c-toxcore opens';
  let c: CPeer | undefined;
  const toxlink = await startToxlink(label, keyPairFromSecretKey(C_SECRET_KEY).publicKey, () => c?.address);
  try {
    c = await startC('c-session-2', toxlink.real.publicKey);
    const contents = contentsFor('session 2');
    // A first session, made by toxlink and closed by it, so that c-toxcore learns our DHT
    // key and address and reconnects by itself. It is recorded only to tell what c-toxcore
    // sends between our kill and its new session; it is not part of the vector.
    toxlink.start();
    const first = toxlink.node.connect(fromHex(c.me.publicKey), fromHex(c.me.dhtId), c.address);
    const firstHeard = listen(first);
    await within(first.established(), STEP_TIMEOUT_MS, 'the first session to be established');
    await bringOnline(first, c, firstHeard.lossless);
    // Listen to the C peer's session from the moment it is made, before any data arrives.
    let delivered: { lossless: Uint8Array[]; lossy: Uint8Array[] } | undefined;
    toxlink.node.on('connection', (conn) => { delivered ??= listen(conn); });
    first.close(); // the kill packet goes out now
    const killed = toxlink.recorded;
    const cPeer = c;
    await c.peer.waitFor('friend_connection', (e) => e.friend === cPeer.friend && e.status === 'none', STEP_TIMEOUT_MS);
    await until('the C peer to reconnect', () => toxlink.accepted.length > 0);
    const conn = toxlink.accepted[0]!;
    const secrets = toxlink.secrets.at(-1)!;
    if (toxlink.secrets.length !== 2) throw new Error(`expected 2 sessions' secrets, the node asked for ${toxlink.secrets.length}`);
    if (delivered === undefined) throw new Error('bug: no listener on the C peer\'s session');
    await within(conn.established(), STEP_TIMEOUT_MS, 'the C peer\'s session to be established');
    await bringOnline(conn, c, delivered.lossless);
    await cSends(c, contents, delivered.lossless, delivered.lossy);
    await sleep(IDLE_MS);
    await cQuits(c, conn);
    await sleep(TAIL_MS);
    const all = toxlink.stop();
    // The session starts with the C peer's cookie request; anything before it belongs to
    // the first session (late packets of it) and cannot be read with this one's keys.
    const start = all.findIndex((d) => d.direction === 'from-c' && d.packet[0] === NetPacket.COOKIE_REQUEST);
    if (start < 0) throw new Error('no cookie request from the C peer after the kill');
    if (start < killed) throw new Error('a cookie request from the C peer before toxlink\'s kill');
    const notes: string[] = [];
    const origin = all[start]!.atMs;
    const firstSession: Session = {
      name: 'the first session (not in the vector)', opener: 'toxlink', toxlink, secrets: toxlink.secrets[0]!, c: c.me,
      datagrams: all.slice(0, start), contents, delivered, notes: [],
    };
    let firstFields: Json[] = [];
    try {
      firstFields = decodeSession(firstSession).fields;
    } catch (error) {
      notes.push(`the first session does not decode: ${(error as Error).message}`);
    }
    for (let i = killed; i < start; i++) {
      const d = all[i]!;
      const f = firstFields[i] ?? { kind: `undecoded (id ${d.packet[0]})` };
      const payload = f['kind'] === 'data' ? ` (${String(f['payload_kind'])} payload ${String(f['payload'])})` : '';
      notes.push(`${d.direction === 'from-c' ? 'the C peer' : 'toxlink'} sent a ${d.packet.length}-byte ${String(f['kind'])} ` +
        `packet of the first session${payload} ${d.atMs - all[killed - 1]!.atMs} ms after toxlink's kill, before the ` +
        `C peer's cookie request; it is left out (the first session's keys are not in the vector)`);
    }
    const datagrams = all.slice(start).map((d) => ({ ...d, atMs: d.atMs - origin }));
    return { name: label, opener: 'c-toxcore', toxlink, secrets, c: c.me, datagrams, contents, delivered, notes };
  } finally {
    await c?.peer.stop();
    await toxlink.close();
  }
}

/* ---- decoding, as the vector's reader does ---- */

type Json = Record<string, unknown>;

/**
 * Reads every datagram of a session with the vector's data alone, as test/vectors.test.ts
 * does, and returns the expected fields of each and the receive nonce of each data packet.
 * Throws if a packet of the C peer does not decode.
 */
function decodeSession(s: Session): { fields: Json[]; receiveNonces: (Uint8Array | undefined)[]; sessionKey: Uint8Array } {
  const cReal = fromHex(s.c.publicKey);
  const cDht = fromHex(s.c.dhtId);
  const dhtKey = precompute(cDht, s.toxlink.dht.secretKey)!;
  const realKey = precompute(cReal, s.toxlink.real.secretKey)!;
  let sessionKey: Uint8Array | undefined;
  let fromCNonce: Uint8Array | undefined;
  let fromCOpened = false;
  let toCNonce: Uint8Array = s.secrets.baseNonce.slice();
  let toxlinkEcho: Uint8Array | undefined;
  let cEcho: Uint8Array | undefined;
  const fields: Json[] = [];
  const receiveNonces: (Uint8Array | undefined)[] = [];
  s.datagrams.forEach((d, i) => {
    const fail = (why: string): never => { throw new Error(`${s.name}: datagram ${i} (${d.direction}, id ${d.packet[0]}): ${why}`); };
    const fromC = d.direction === 'from-c';
    const id = d.packet[0]!;
    let receiveNonce: Uint8Array | undefined;
    let f: Json;
    if (id === NetPacket.COOKIE_REQUEST) {
      const env = decodeCookieRequest(d.packet);
      const k = fromC ? precompute(env.senderDhtPublicKey, s.toxlink.dht.secretKey) : dhtKey;
      const opened = k === undefined ? undefined : openCookieRequest(env, k);
      if (opened === undefined) fail('does not open');
      if (fromC) cEcho = opened!.echoId; else toxlinkEcho = opened!.echoId;
      f = {
        kind: 'cookie-request', sender_dht_public_key: toHex(env.senderDhtPublicKey), nonce: toHex(env.nonce),
        sender_real_public_key: toHex(opened!.senderRealPublicKey), echo_id: toHex(opened!.echoId),
      };
    } else if (id === NetPacket.COOKIE_RESPONSE) {
      const env = decodeCookieResponse(d.packet);
      const opened = openCookieResponse(env, dhtKey);
      if (opened === undefined) fail('does not open');
      const echo = fromC ? toxlinkEcho : cEcho;
      f = {
        kind: 'cookie-response', nonce: toHex(env.nonce), cookie: toHex(opened!.cookie), echo_id: toHex(opened!.echoId),
        answers_request: echo !== undefined && answersRequest(opened!, echo),
      };
      if (!fromC) f['cookie_contents'] = cookieJson(s.toxlink.cookieKey, opened!.cookie);
    } else if (id === NetPacket.CRYPTO_HS && fromC) {
      const verdict = readHandshake(d.packet, {
        realSecretKey: s.toxlink.real.secretKey, cookieKey: s.toxlink.cookieKey, nowSeconds: d.nowSeconds!, expectedRealPublicKey: cReal,
      });
      if (!verdict.ok) return fail(`refused: ${verdict.reason}`);
      const h = verdict.handshake;
      sessionKey = precompute(h.sessionPublicKey, s.secrets.keyPair.secretKey);
      if (!fromCOpened) fromCNonce = h.baseNonce.slice();
      f = {
        kind: 'handshake', cookie_timestamp: String(h.cookieTimestamp), peer_real_public_key: toHex(h.peerRealPublicKey),
        peer_dht_public_key: toHex(h.peerDhtPublicKey), base_nonce: toHex(h.baseNonce),
        session_public_key: toHex(h.sessionPublicKey), other_cookie: toHex(h.otherCookie),
      };
    } else if (id === NetPacket.CRYPTO_HS) {
      const env = decodeHandshake(d.packet);
      const opened = openHandshakeBox(env, realKey);
      if (opened === undefined) fail('does not open');
      f = {
        kind: 'handshake', cookie: toHex(env.cookie), nonce: toHex(env.nonce), base_nonce: toHex(opened!.baseNonce),
        session_public_key: toHex(opened!.sessionPublicKey), other_cookie: toHex(opened!.otherCookie),
        other_cookie_contents: cookieJson(s.toxlink.cookieKey, opened!.otherCookie),
      };
    } else if (id === NetPacket.CRYPTO_DATA) {
      if (sessionKey === undefined) fail('a data packet before the C peer\'s handshake');
      receiveNonce = fromC ? fromCNonce : toCNonce;
      if (receiveNonce === undefined) fail('no receive nonce');
      const opened = openDataPacket(decodeDataPacket(d.packet), sessionKey!, receiveNonce!);
      if (opened === undefined) fail('does not open');
      if (fromC) {
        fromCNonce = opened!.nextReceiveNonce;
        fromCOpened = true;
      } else {
        toCNonce = opened!.nextReceiveNonce;
      }
      f = {
        kind: 'data', nonce: toHex(opened!.nonce), buffer_start: opened!.bufferStart, packet_number: opened!.packetNumber,
        payload: toHex(opened!.payload), payload_kind: payloadKind(opened!.payload[0]!),
        next_receive_nonce: toHex(opened!.nextReceiveNonce),
      };
    } else {
      f = { kind: 'other', packet_id: id, name: netPacketName(id) };
    }
    fields.push(f);
    receiveNonces.push(receiveNonce?.slice());
  });
  if (sessionKey === undefined) throw new Error(`${s.name}: no handshake from the C peer`);
  return { fields, receiveNonces, sessionKey };
}

function cookieJson(cookieKey: Uint8Array, cookie: Uint8Array): Json {
  const c = openCookie(cookieKey, cookie);
  if (c === undefined) throw new Error('toxlink\'s cookie does not open with its cookie key');
  return { timestamp: String(c.timestamp), real_public_key: toHex(c.realPublicKey), dht_public_key: toHex(c.dhtPublicKey) };
}

/** Checks the decoding against what the live session did; returns a summary line. */
function check(s: Session, fields: Json[]): string {
  const fromC = fields.filter((_, i) => s.datagrams[i]!.direction === 'from-c');
  const data = fromC.filter((f) => f['kind'] === 'data');
  const byPayload = (kind: string): Json[] => data.filter((f) => f['payload_kind'] === kind);
  // Lossless payloads in packet-number order, each once: what a receiver delivers.
  const lossless = new Map<number, string>();
  for (const f of byPayload('lossless')) lossless.set(f['packet_number'] as number, f['payload'] as string);
  const inOrder = [...lossless.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
  const delivered = s.delivered.lossless.map(toHex);
  if (inOrder.join() !== delivered.join()) {
    throw new Error(`${s.name}: the decoded lossless payloads are not those toxlink's session delivered`);
  }
  const lossy = new Set(byPayload('lossy').map((f) => f['payload'] as string));
  const wanted = [
    toHex(Uint8Array.from([PACKET_ID_MESSAGE, ...utf8(s.contents.message)])),
    ...s.contents.lossless.map(toHex),
  ];
  let at = -1;
  for (const p of wanted) {
    at = inOrder.indexOf(p, at + 1);
    if (at < 0) throw new Error(`${s.name}: the payload ${p.slice(0, 40)}… the C peer was asked to send is not among its packets, in order`);
  }
  for (const p of s.contents.lossy) {
    if (!lossy.has(toHex(p))) throw new Error(`${s.name}: the lossy payload ${toHex(p).slice(0, 40)}… is not among the C peer's packets`);
  }
  const last = fromC.at(-1);
  if (last?.['payload_kind'] !== 'kill') throw new Error(`${s.name}: the C peer's last packet is not a kill packet`);
  const count = new Map<string, number>();
  for (const f of fromC) {
    const k = f['kind'] === 'data' ? `data/${String(f['payload_kind'])}` : String(f['kind']);
    count.set(k, (count.get(k) ?? 0) + 1);
  }
  const ids = [...new Set(byPayload('lossless').map((f) => (f['payload'] as string).slice(0, 2)))].map((h) => parseInt(h, 16));
  return `${s.name}: ${s.datagrams.length} datagrams, from the C peer ${[...count].map(([k, n]) => `${k} ${n}`).join(', ')}; ` +
    `lossless ids from the C peer: ${ids.join(', ')}`;
}

function vectorOf(s: Session): Json {
  const { fields, receiveNonces, sessionKey } = decodeSession(s);
  console.log(check(s, fields));
  for (const n of s.notes) console.log(`  note: ${n}`);
  const dropped = s.toxlink.node.stats.dropped;
  console.log(`  toxlink node drops: ${JSON.stringify(dropped)}; datagrams from strangers: ${s.toxlink.strangers}`);
  if (s.toxlink.errors.length > 0) throw new Error(`${s.name}: toxlink node errors: ${s.toxlink.errors.map((e) => e.message).join('; ')}`);
  const datagrams = s.datagrams.map((d, i): Json => {
    const o: Json = { at_ms: d.atMs, direction: d.direction, packet: toHex(d.packet) };
    if (d.direction === 'from-c') o['now'] = String(d.nowSeconds);
    const n = receiveNonces[i];
    if (n !== undefined) o['receive_nonce'] = toHex(n);
    return o;
  });
  const description = s.opener === 'toxlink'
    ? 'toxlink opens (connect to the C peer\'s DHT key at its address): toxlink\'s cookie request, the C peer\'s cookie response and handshake (carrying back the cookie toxlink put in its own handshake), then data packets both ways; the C peer is asked to send a message, custom lossless and lossy payloads; it quits (tox_kill) and sends a kill packet.'
    : 'c-toxcore opens: after toxlink closed an earlier session (not recorded) with a kill packet, c-toxcore reconnects by itself: its cookie request to toxlink\'s DHT key, toxlink\'s cookie response, the C peer\'s handshake (carrying toxlink\'s cookie), then data packets both ways; the C peer is asked to send a message, custom lossless and lossy payloads; it quits (tox_kill) and sends a kill packet.';
  return {
    name: s.name,
    description: [description, ...s.notes.map((n) => `Seen in this capture: ${n}.`)].join(' '),
    input: {
      opener: s.opener,
      toxlink_real_secret_key: toHex(s.toxlink.real.secretKey),
      toxlink_real_public_key: toHex(s.toxlink.real.publicKey),
      toxlink_dht_secret_key: toHex(s.toxlink.dht.secretKey),
      toxlink_dht_public_key: toHex(s.toxlink.dht.publicKey),
      cookie_key: toHex(s.toxlink.cookieKey),
      toxlink_session_secret_key: toHex(s.secrets.keyPair.secretKey),
      toxlink_session_public_key: toHex(s.secrets.keyPair.publicKey),
      toxlink_base_nonce: toHex(s.secrets.baseNonce),
      c_real_public_key: s.c.publicKey.toLowerCase(),
      c_dht_public_key: s.c.dhtId.toLowerCase(),
      datagrams,
    },
    expected: {
      session_shared_key: toHex(sessionKey),
      c_sent: {
        lossless: [toHex(Uint8Array.from([PACKET_ID_MESSAGE, ...utf8(s.contents.message)])), ...s.contents.lossless.map(toHex)],
        lossy: s.contents.lossy.map(toHex),
      },
      datagrams: fields,
    },
  };
}

async function main(): Promise<void> {
  const available = cToxcoreAvailable();
  if (!available.ok) throw new Error(`c-toxcore is needed to capture the sessions: ${available.why}`);
  const sessions = [await toxlinkOpens(), await cOpens()];
  const vectors = sessions.map(vectorOf);
  const suite = {
    format: 1,
    suite: 'netcrypto-session',
    description:
      'Whole net_crypto sessions between toxlink and c-toxcore 0.2.18 on loopback, every UDP datagram both ways in order: ' +
      'the cookie request, cookie response, handshake and data packets (request, kill, lossless and lossy payloads). Each ' +
      'vector holds toxlink\'s secrets (real and DHT secret keys, cookie key, the session\'s secret key and base nonce), the ' +
      'C peer\'s real and DHT public keys, and per datagram its time, direction and bytes, for a packet of the C peer the ' +
      'cookie seconds of toxlink\'s clock when it arrived (now), and for a data packet the receiver\'s stored nonce. ' +
      'Everything the C peer sent decodes with those alone, as toxlink received it; toxlink\'s own packets decode as their ' +
      'sender reads them (same shared keys, and the C peer\'s stored nonce, which starts at toxlink\'s base nonce). ' +
      'expected.c_sent lists the payloads the capture had c-toxcore send (tox_friend_send_message, ' +
      'tox_friend_send_lossless_packet, tox_friend_send_lossy_packet): the lossless ones appear in order among the C peer\'s ' +
      'lossless payloads, the lossy ones among its lossy payloads.',
    source:
      'test/vectors/capture/netcrypto-session.ts: a toxlink NetCrypto node on a UDP socket and the C test peer ' +
      '(test/interop/peer/toxpeer.c, the Debian libtoxcore of c-toxcore 0.2.18, libtoxcore-dev 0.2.18-1) talking on ' +
      '127.0.0.1; every datagram recorded at toxlink\'s socket. toxlink\'s secrets and the C peer\'s long-term key are ' +
      'fixed (SHA-512 of labels); the rest is random in each capture. The packet bytes come from c-toxcore (from-c) and ' +
      'toxlink (to-c); the C peer\'s keys from tox_self_get_public_key and tox_self_get_dht_id; the expected fields are ' +
      'what toxlink\'s decoders read from those bytes, written only when the live session agreed (toxlink\'s session ' +
      'delivered the same lossless payloads, and c-toxcore delivered the payloads the capture asked it to send).',
    vectors,
  };
  writeFileSync(OUTPUT, `${JSON.stringify(suite, null, 2)}\n`);
  console.log(`wrote ${OUTPUT}: ${vectors.length} vectors`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
