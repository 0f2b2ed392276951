/**
 * toxlink's Messenger against real c-toxcore 0.2.18 on loopback (issue 7's acceptance, part 1):
 * a tox-bootstrapd (DHT node and TCP relay), two C peers and one toxlink node (ToxNode on a
 * real socket + Messenger), every one bootstrapped from tox-bootstrapd.
 *
 * Friend requests both ways, by Tox ID with a message: toxlink asks cA, whose
 * `friend_request` callback shows toxlink's key and message, and cA accepts; cB asks toxlink,
 * whose `friend-request` event shows cB's key and message, and toxlink accepts. Both
 * friendships reach UDP and each side sees the other online (toxlink's `friend-connection`
 * events, the C peers' `friend_connection` callbacks). Then 100 messages each way with each C
 * peer, in order and exact, and 10 MiB of custom lossless packets each way with cA, checked
 * byte for byte (toxlink checks every packet cA sends; cA hashes what it receives, and the
 * hash is compared with toxlink's hash of what it sent).
 *
 * The other parts: messenger-restart.test.ts (a C friend quits and comes back),
 * messenger-tcp.test.ts (a friendship over the TCP relay, then UDP), messenger-save.test.ts
 * (a C save loaded by toxlink).
 */
import type { ExecutionContext } from 'ava';
import { startBootstrapdFor } from './bootstrapd.ts';
import { type CPeer, type Toxlink, keyOf, startCPeer, startToxlink, upperHex, waitSeen, waitUntil } from './messenger-net.ts';
import { LosslessHash } from './peer.ts';
import { interopGate } from './skip.ts';

const gate = interopGate();

/** Bounds (loopback; c-toxcore alone takes about 10 s from start to a friend online). */
const REQUEST_TIMEOUT_MS = 30_000;
const ONLINE_TIMEOUT_MS = 40_000;
const MESSAGES_TIMEOUT_MS = 20_000;
const TRANSFER_TIMEOUT_MS = 60_000;

const MESSAGES = 100;
/** 10 MiB in packets of the largest custom size (1373 bytes, id first). */
const PACKET_SIZE = 1373;
const TRANSFER_BYTES = 10 * 1024 * 1024;
const PACKETS = Math.ceil(TRANSFER_BYTES / PACKET_SIZE);
const CUSTOM_ID = 160;

/** The i-th message of a run: varied length (up to the 1372-byte limit), multi-byte text, the index first. */
function messageText(from: string, i: number): string {
  const tail = i % 10 === 9 ? 'é☃🦊'.repeat(3 + i) : `${'x'.repeat(i * 3)}`;
  const text = `${from} #${i} ${tail}`;
  return i === MESSAGES - 1 ? `${from} #${i} ${'m'.repeat(1372 - `${from} #${i} `.length)}` : text;
}

/** The i-th packet toxlink sends: the custom id, then bytes of a simple generator seeded by i. */
function packetFromToxlink(i: number): Uint8Array {
  const p = new Uint8Array(PACKET_SIZE);
  p[0] = CUSTOM_ID;
  let x = (i + 1) * 0x9e3779b1 >>> 0;
  for (let j = 1; j < PACKET_SIZE; j++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    p[j] = x & 255;
  }
  return p;
}

/** Whether `p` is the C peer's blast packet number `seq`: the id, seq (u32 BE), then byte i = i mod 256. */
function isBlastPacket(p: Uint8Array, seq: number): boolean {
  if (p.length !== PACKET_SIZE || p[0] !== CUSTOM_ID) return false;
  if (((p[1]! << 24 | p[2]! << 16 | p[3]! << 8 | p[4]!) >>> 0) !== seq) return false;
  for (let j = 5; j < p.length; j++) if (p[j] !== (j & 255)) return false;
  return true;
}

/** Sends 100 messages from toxlink to `c` and 100 back, and checks both arrive in order, exact. */
async function messagesBothWays(t: ExecutionContext, tl: Toxlink, c: CPeer, friend: number, cFriend: number): Promise<void> {
  const started = Date.now();
  const sent = Array.from({ length: MESSAGES }, (_, i) => messageText('toxlink', i));
  const receipts: number[] = [];
  const offReceipt = tl.messenger.on('read-receipt', (r) => { if (r.friendNumber === friend) receipts.push(r.messageId); });
  const ids = sent.map((text) => tl.messenger.sendMessage(friend, text));
  const got: string[] = [];
  await waitUntil(`${c.peer.name}: ${MESSAGES} messages from toxlink`, () => {
    for (const e of c.peer.takeEvents()) if (e.event === 'friend_message' && e.friend === cFriend) got.push(e.text);
    return got.length >= MESSAGES ? true : undefined;
  }, MESSAGES_TIMEOUT_MS);
  t.deepEqual(got, sent, `${c.peer.name} got toxlink's messages in order, exact`);
  await waitUntil('read receipts', () => (receipts.length >= MESSAGES ? true : undefined), MESSAGES_TIMEOUT_MS);
  t.deepEqual(receipts, ids, 'a read receipt for each message, in order');
  offReceipt();

  const back = Array.from({ length: MESSAGES }, (_, i) => messageText(c.peer.name, i));
  const before = tl.messages.length;
  for (const text of back) await c.peer.sendMessage(cFriend, text);
  await waitUntil(`toxlink: ${MESSAGES} messages from ${c.peer.name}`, () => (tl.messages.length - before >= MESSAGES ? true : undefined), MESSAGES_TIMEOUT_MS);
  const mine = tl.messages.slice(before).filter((m) => m.friendNumber === friend).map((m) => m.text);
  t.deepEqual(mine, back, `toxlink got ${c.peer.name}'s messages in order, exact`);
  t.log(`${c.peer.name}: ${MESSAGES} messages each way in ${Date.now() - started} ms`);
}

/** 10 MiB from toxlink to cA (cA hashes them), and 10 MiB from cA to toxlink (checked packet by packet). */
async function transferBothWays(t: ExecutionContext, tl: Toxlink, c: CPeer, friend: number, cFriend: number): Promise<void> {
  // toxlink → C.
  await c.peer.resetLosslessStats();
  const hash = new LosslessHash();
  const started = Date.now();
  let waits = 0;
  for (let i = 0; i < PACKETS; i++) {
    const p = packetFromToxlink(i);
    hash.update(p);
    if (!tl.messenger.sendCustomLossless(friend, p)) {
      waits++;
      await tl.messenger.whenWritable(friend, { timeoutMs: TRANSFER_TIMEOUT_MS });
    }
  }
  const queued = Date.now() - started;
  const stats = await waitUntilAsync(`${c.peer.name}: ${PACKETS} packets`, async () => {
    const s = await c.peer.losslessStats(cFriend);
    return s.packets >= PACKETS ? s : undefined;
  }, TRANSFER_TIMEOUT_MS);
  const took = Date.now() - started;
  t.is(stats.packets, PACKETS);
  t.is(stats.bytes, PACKETS * PACKET_SIZE);
  t.is(stats.hash, hash.digest(), 'the C peer received the same bytes, in the same packets, in order');
  t.log(`toxlink → ${c.peer.name}: ${PACKETS} packets, ${stats.bytes} bytes in ${took} ms (${mbps(stats.bytes, took)} MB/s; queued in ${queued} ms, ${waits} waits for the queue)`);

  // C → toxlink.
  let next = 0;
  let bad = 0;
  const rx = new LosslessHash();
  let receivedBytes = 0;
  const off = tl.messenger.on('custom-lossless', (e) => {
    if (e.friendNumber !== friend) return;
    if (!isBlastPacket(e.data, next)) bad++;
    rx.update(e.data);
    receivedBytes += e.data.length;
    next++;
  });
  const from = Date.now();
  const blast = await c.peer.blast(cFriend, { seconds: TRANSFER_TIMEOUT_MS / 1000, packets: PACKETS, size: PACKET_SIZE, byte: CUSTOM_ID });
  t.is(blast.sentPackets, PACKETS, `${c.peer.name} sent every packet within the bound`);
  await waitUntil(`toxlink: ${PACKETS} packets from ${c.peer.name}`, () => (next >= PACKETS ? true : undefined), TRANSFER_TIMEOUT_MS);
  const took2 = Date.now() - from;
  off();
  t.is(next, PACKETS);
  t.is(bad, 0, 'every packet from the C peer is the one expected, in order, byte for byte');
  t.is(receivedBytes, PACKETS * PACKET_SIZE);
  t.log(`${c.peer.name} → toxlink: ${next} packets, ${receivedBytes} bytes in ${took2} ms (${mbps(receivedBytes, took2)} MB/s; the C blast ran ${blast.elapsedMs} ms, ${blast.refused} SENDQ refusals)`);
}

async function waitUntilAsync<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const mbps = (bytes: number, ms: number): string => (bytes / 1e6 / (ms / 1000)).toFixed(2);

gate.test('toxlink and C peers befriend by Tox ID both ways, reach UDP, exchange 100 messages each way and 10 MiB of custom lossless packets byte-exact', async (t) => {
  const t0 = Date.now();
  const bootstrapd = await startBootstrapdFor(t);
  const tl = await startToxlink(t, bootstrapd);
  const [cA, cB] = await Promise.all([
    startCPeer(t, bootstrapd, 'cA', { countLossless: true }),
    startCPeer(t, bootstrapd, 'cB'),
  ]);
  const tlKey = upperHex(tl.keyPair.publicKey);

  // toxlink → cA: a request with a message; cA accepts.
  const toA = tl.messenger.addFriend(cA.me.toxId, 'hello cA, this is toxlink');
  const reqAtA = await cA.peer.waitFor('friend_request', (e) => e.publicKey === tlKey, REQUEST_TIMEOUT_MS);
  t.is(reqAtA.message, 'hello cA, this is toxlink');
  const aFriend = await cA.peer.addFriendNoRequest(tlKey);
  t.log(`toxlink's request reached cA ${Date.now() - t0} ms after start`);

  // cB → toxlink: a request with a message; toxlink accepts.
  const t1 = Date.now();
  const bFriendAtB = await cB.peer.addFriend(tl.messenger.toxId(), 'hello toxlink, this is cB');
  const reqAtTl = await waitUntil('cB\'s request at toxlink', () => tl.requests.find((r) => r.publicKey === cB.me.publicKey), REQUEST_TIMEOUT_MS);
  t.is(reqAtTl.text, 'hello toxlink, this is cB');
  const fromB = tl.messenger.acceptRequest(keyOf(cB.me.publicKey));
  t.log(`cB's request reached toxlink ${reqAtTl.at - t1} ms after cB sent it`);

  // Both friendships online over UDP, seen by both sides.
  const online = async (c: CPeer, cFriend: number, friend: number): Promise<void> => {
    const [mine, theirs] = await Promise.all([
      waitSeen(tl, c.me.publicKey, 0, (s) => s === 'udp', ONLINE_TIMEOUT_MS, `${c.peer.name} online over UDP at toxlink`),
      c.peer.waitFor('friend_connection', (e) => e.friend === cFriend && e.status === 'udp', ONLINE_TIMEOUT_MS),
    ]);
    t.is(mine.friendNumber, friend);
    t.is(tl.status(friend), 'udp');
    t.is(tl.messenger.friend(friend).status, 'online');
    t.truthy(theirs);
    t.log(`${c.peer.name}: online over UDP at toxlink ${mine.at - t0} ms after start`);
  };
  await Promise.all([online(cA, aFriend, toA), online(cB, bFriendAtB, fromB)]);
  t.is(tl.node.friends.path(keyOf(cA.me.publicKey)), 'udp');

  await messagesBothWays(t, tl, cA, toA, aFriend);
  await messagesBothWays(t, tl, cB, fromB, bFriendAtB);
  await transferBothWays(t, tl, cA, toA, aFriend);

  t.deepEqual(tl.errors, []);
  t.is(tl.messenger.stats.dropped.total, 0, `nothing from c-toxcore dropped: ${JSON.stringify(tl.messenger.stats.dropped)}`);
  t.log(`toxlink messenger stats: ${JSON.stringify(tl.messenger.stats)}; total ${Date.now() - t0} ms`);
});
