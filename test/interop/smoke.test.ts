/**
 * Smoke tests of the interop harness itself, against real c-toxcore 0.2.18:
 * (a) the C peer starts from a fixed secret key and toxlink's Tox ID parser agrees with it;
 * (b) tox-bootstrapd answers the bootstrap-info request with its version and our motd;
 * (c) two C peers bootstrapped from that tox-bootstrapd on loopback come online over UDP
 *     (0.2.18 reports that as `tcp` on loopback: see LOOPBACK_SELF_STATUS);
 * (d) the same two peers exchange a friend request, a message and custom packets, which
 *     exercises every command and event of the C peer.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatToxId, parseToxId, ToxIdError } from '../../src/wire/index.ts';
import {
  BOOTSTRAP_INFO_PACKET_ID, BOOTSTRAPD_0_2_18_VERSION, decodeBootstrapdVersion, freePort, queryBootstrapInfo,
  startBootstrapdFor, x25519PublicKey,
} from './bootstrapd.ts';
import { startPeer, type NewOptions } from './peer.ts';
import { interopGate } from './skip.ts';

const gate = interopGate();

/** A fixed long-term secret key, so the C peer's identity is the same on every run. */
const SECRET_KEY = '1f2e3d4c5b6a79880102030405060708090a0b0c0d0e0f10111213141516a7b8';
const NOSPAM = 0x1234abcd;
/** How long two fresh C peers may take to come online or connect as friends (measured: 7–11 s). */
const ONLINE_TIMEOUT_MS = 20_000;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

/** UDP options for a C peer: a free start port and a little room above it. */
async function udpRange(): Promise<Pick<NewOptions, 'udpPortStart' | 'udpPortEnd'>> {
  const start = await freePort('udp');
  return { udpPortStart: start, udpPortEnd: Math.min(start + 20, 65535) };
}

/** Replaces the character at `index` with a different hex digit. */
function flipHex(text: string, index: number): string {
  const c = text[index]!;
  const flipped = c === '0' ? '1' : '0';
  return text.slice(0, index) + flipped + text.slice(index + 1);
}

gate.test('C peer with a fixed secret key: Tox ID, public key and DHT id agree with toxlink', async (t) => {
  const peer = await startPeer(t, { name: 'fixed-key' });
  const me = await peer.create({ secretKey: SECRET_KEY, nospam: NOSPAM, ...(await udpRange()) });
  t.log(`tox_id ${me.toxId}`);
  t.log(`dht_id ${me.dhtId}`);

  const derived = hex(x25519PublicKey(Buffer.from(SECRET_KEY, 'hex')));
  t.is(me.publicKey, derived, 'c-toxcore and X25519 derive the same public key');
  t.regex(me.toxId, /^[0-9A-F]{76}$/);
  t.regex(me.dhtId, /^[0-9A-F]{64}$/);
  t.not(me.dhtId, me.publicKey, 'the DHT key is a fresh temporary key, not the long-term one');

  const id = parseToxId(me.toxId);
  t.is(hex(id.publicKey), me.publicKey);
  t.is(id.nospam, NOSPAM);
  t.is(id.nospam, me.nospam);
  t.is(id.checksum, parseInt(me.toxId.slice(72), 16));
  t.is(formatToxId(id), me.toxId);
  t.is(hex(parseToxId(me.toxId.toLowerCase()).publicKey), me.publicKey, 'lower case parses too');

  // Any single changed hex digit of the checksum is caught, by toxlink and by c-toxcore.
  for (let index = 72; index < 76; index++) {
    const bad = flipHex(me.toxId, index);
    const error = t.throws(() => parseToxId(bad), { instanceOf: ToxIdError });
    t.is(error?.code, 'bad-checksum');
  }
  const bad = flipHex(me.toxId, 75);
  await t.throwsAsync(peer.addFriend(bad, 'hello'), { message: /BAD_CHECKSUM/ });
  t.throws(() => parseToxId(me.toxId.slice(1)), { instanceOf: ToxIdError });

  // The same secret key gives the same identity in a second instance; the DHT key is new.
  const again = await startPeer(t, { name: 'fixed-key-2' });
  const second = await again.create({ secretKey: SECRET_KEY, nospam: NOSPAM, ...(await udpRange()) });
  t.is(second.toxId, me.toxId);
  t.not(second.dhtId, me.dhtId);
});

gate.test('tox-bootstrapd answers bootstrap-info with its version and our motd', async (t) => {
  const node = await startBootstrapdFor(t);
  t.log(`tox-bootstrapd pid ${node.pid}, udp ${node.udpPort}, tcp ${node.tcpPort}, key ${node.publicKey}`);

  const info = await queryBootstrapInfo(node.host, node.udpPort, 2_000);
  t.log(`reply (${info.raw.length} bytes): ${hex(info.raw)}`);
  t.is(info.raw[0], BOOTSTRAP_INFO_PACKET_ID);
  t.is(info.version, BOOTSTRAPD_0_2_18_VERSION);
  t.deepEqual(decodeBootstrapdVersion(info.version), { major: 0, minor: 2, patch: 18 });
  t.is(info.motd, node.motd);
  // 0.2.18 sends the motd with its terminating NUL: [0xF0][version 4][motd][0x00].
  t.is(info.raw.length, 1 + 4 + node.motd.length + 1);
  t.is(info.motdBytes[info.motdBytes.length - 1], 0);

  // Only a request of exactly 78 bytes is answered.
  for (const size of [77, 79]) {
    await t.throwsAsync(queryBootstrapInfo(node.host, node.udpPort, 300, size), { message: /no bootstrap-info reply/ });
  }
});

gate.test('tox-bootstrapd dies with the process that started it (a test worker killed on a timeout leaves no daemon)', async (t) => {
  // A child process starts a daemon through the harness, prints its PID, and is killed
  // with SIGKILL: no teardown of it runs, as when ava ends a worker that timed out.
  const script = `import('./test/interop/bootstrapd.ts').then(async (m) => { const d = await m.startBootstrapd(); console.log(d.pid); setInterval(() => {}, 1000); })`;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(process.execPath, ['--import=tsx', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const childPid = child.pid!;
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  let daemonPid = 0;
  t.teardown(() => {
    for (const pid of [childPid, daemonPid]) if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  daemonPid = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no daemon PID within 20 s: ${out}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /^(\d+)$/m.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  t.true(alive(daemonPid), 'the daemon runs');
  process.kill(childPid, 'SIGKILL');
  await exited;
  const deadline = Date.now() + 5_000;
  while (alive(daemonPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  t.false(alive(daemonPid), 'the daemon went with its parent');
});

/**
 * c-toxcore 0.2.18 reports `self_connection: tcp`, never `udp`, on a loopback-only network:
 * it says UDP only while its DHT holds a node with a non-LAN address
 * (`onion_connection_status` / `dht_non_lan_connected`), and 127.0.0.1 counts as LAN.
 * These peers have UDP on and no TCP relay at all, so "tcp" here means online over UDP;
 * the friend connection between them, which has no such rule, does say "udp".
 */
const LOOPBACK_SELF_STATUS = 'tcp';

gate.test('two C peers bootstrapped from tox-bootstrapd come online (over UDP)', async (t) => {
  const node = await startBootstrapdFor(t);
  const peers = await Promise.all([startPeer(t, { name: 'alice' }), startPeer(t, { name: 'bob' })]);
  const started = Date.now();
  const ids = await Promise.all(peers.map(async (peer) => {
    const me = await peer.create(await udpRange());
    await peer.bootstrap(node.host, node.udpPort, node.publicKey);
    return me;
  }));
  const online = await Promise.all(peers.map(async (peer) => {
    const event = await peer.waitFor('self_connection', (e) => e.status !== 'none', ONLINE_TIMEOUT_MS);
    return { status: event.status, ms: Date.now() - started };
  }));
  t.log(`self_connection after: ${peers.map((peer, i) => `${peer.name} ${online[i]!.status} ${online[i]!.ms} ms`).join(', ')}`);
  for (const [i, peer] of peers.entries()) {
    t.is(online[i]!.status, LOOPBACK_SELF_STATUS);
    const info = await peer.info();
    t.is(info.connection, LOOPBACK_SELF_STATUS);
    t.is(info.tcpPort, 0);
    t.not(info.udpPort, 0);
  }

  // Proof that the path is UDP: as friends, the two report a direct UDP connection.
  await peers[0]!.addFriendNoRequest(ids[1]!.publicKey);
  await peers[1]!.addFriendNoRequest(ids[0]!.publicKey);
  const friendTimes = await Promise.all(peers.map(async (peer) => {
    await peer.waitFor('friend_connection', (e) => e.friend === 0 && e.status === 'udp', ONLINE_TIMEOUT_MS);
    return Date.now() - started;
  }));
  t.log(`friend_connection udp after: ${peers.map((peer, i) => `${peer.name} ${friendTimes[i]} ms`).join(', ')}`);
});

gate.test('two C peers: friend request, message, lossless and lossy packets', async (t) => {
  const node = await startBootstrapdFor(t);
  const [alice, bob] = await Promise.all([startPeer(t, { name: 'alice' }), startPeer(t, { name: 'bob' })]);
  const started = Date.now();
  const a = await alice.create(await udpRange());
  const b = await bob.create(await udpRange());
  for (const peer of [alice, bob]) await peer.bootstrap(node.host, node.udpPort, node.publicKey);

  t.is(await alice.addFriend(b.toxId, 'hello from alice'), 0);
  const request = await bob.waitFor('friend_request', () => true, ONLINE_TIMEOUT_MS);
  t.is(request.publicKey, a.publicKey);
  t.is(request.message, 'hello from alice');
  t.log(`friend_request delivered after ${Date.now() - started} ms`);
  t.is(await bob.addFriendNoRequest(request.publicKey), 0);
  await Promise.all([alice, bob].map((peer) =>
    peer.waitFor('friend_connection', (e) => e.friend === 0 && e.status !== 'none', ONLINE_TIMEOUT_MS)));
  t.log(`friends connected after ${Date.now() - started} ms`);

  const text = 'grüße, 🦊 "quoted" \\ back\nslash';
  await alice.sendMessage(0, text);
  const message = await bob.waitFor('friend_message', () => true, 5_000);
  t.is(message.text, text);
  t.is(message.type, 'normal');

  const lossless = new Uint8Array([0xa0, 0x00, 0x01, 0xfe, 0xff]);
  await bob.sendLossless(0, lossless);
  t.deepEqual((await alice.waitFor('lossless', () => true, 5_000)).data, lossless);

  // Lossy packets may be lost even on loopback: send a few, bounded, until one arrives.
  const lossy = new Uint8Array([0xc8, 0x42]);
  const arrived = alice.waitFor('lossy', () => true, 5_000);
  for (let i = 0; i < 5; i++) {
    await bob.sendLossy(0, lossy);
    if (await Promise.race([arrived.then(() => true), delay(200).then(() => false)])) break;
  }
  t.deepEqual((await arrived).data, lossy);

  await t.throwsAsync(bob.sendLossless(0, new Uint8Array([0x10])), { message: /INVALID/ });
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
