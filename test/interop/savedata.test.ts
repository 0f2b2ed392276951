/**
 * c-toxcore savedata both ways, with real c-toxcore 0.2.18 on loopback:
 * (a) toxlink reads the save of a live C peer (online through a tox-bootstrapd, with friends
 *     added with and without a request) and finds the same Tox ID and friends, and writes
 *     the save back byte for byte;
 * (b) a C peer started from a save that toxlink wrote (from a toxlink profile) reports the
 *     same Tox ID and friend list, comes online from the DHT node the save lists without
 *     being told to bootstrap, and saves the same friends, names and request again.
 */
import { generateKeyPair } from '../../src/crypto/index.ts';
import {
  type Profile, type ProfileFriend, decodeToxSave, encodeToxSave, newProfile, profileFromToxSave, toxSaveFromProfile,
} from '../../src/messenger/index.ts';
import { formatToxId, toHex } from '../../src/wire/index.ts';
import { freePort, startBootstrapdFor } from './bootstrapd.ts';
import { startPeer, type NewOptions } from './peer.ts';
import { interopGate } from './skip.ts';

const gate = interopGate();

/** How long a fresh C peer may take to come online (measured 7–11 s in smoke.test.ts). */
const ONLINE_TIMEOUT_MS = 20_000;
/** How long to wait for the live peer's DHT to list the bootstrap node. */
const DHT_TIMEOUT_MS = 15_000;

const te = new TextEncoder();
const hex = (b: Uint8Array): string => toHex(b).toUpperCase();

async function udpRange(): Promise<Pick<NewOptions, 'udpPortStart' | 'udpPortEnd'>> {
  const start = await freePort('udp');
  return { udpPortStart: start, udpPortEnd: Math.min(start + 20, 65535) };
}

/** A public key c-toxcore accepts as a friend's. */
function friendKey(): Uint8Array {
  for (;;) {
    const key = generateKeyPair().publicKey;
    if (key[31]! < 0x80) return key;
  }
}

gate.test('toxlink reads a live C peer\'s save: the same Tox ID and friends, written back byte for byte', async (t) => {
  const node = await startBootstrapdFor(t);
  const peer = await startPeer(t, { name: 'saver' });
  const me = await peer.create({ nospam: 0x5a7ed47a, ...(await udpRange()) });
  const requested = friendKey(), confirmed = friendKey();
  const requestedId = formatToxId({ publicKey: requested, nospam: 0x0badf00d });
  t.is(await peer.addFriend(requestedId, 'hello from c-toxcore'), 0);
  t.is(await peer.addFriendNoRequest(hex(confirmed)), 1);
  await peer.bootstrap(node.host, node.udpPort, node.publicKey);
  await peer.addTcpRelay(node.host, node.tcpPort, node.publicKey);
  await peer.waitFor('self_connection', (e) => e.status !== 'none', ONLINE_TIMEOUT_MS);

  // Wait (bounded) until the save lists the bootstrap node among its DHT nodes.
  let data = await peer.getSavedata();
  for (const deadline = Date.now() + DHT_TIMEOUT_MS; Date.now() < deadline;) {
    if (decodeToxSave(data).dhtNodes.some((n) => hex(n.publicKey) === node.publicKey)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
    data = await peer.getSavedata();
  }
  const save = decodeToxSave(data);
  const info = await peer.info();
  t.log(`save of ${data.length} bytes: ${save.dhtNodes.length} DHT nodes, ${save.tcpRelays.length} TCP relays, ${save.pathNodes.length} path nodes`);

  t.is(formatToxId(save), me.toxId, 'the same Tox ID');
  t.is(formatToxId(save), info.toxId);
  t.deepEqual(save.friends.map((f) => hex(f.publicKey)), info.friends.map((f) => f.publicKey), 'the same friends, in friend-number order');
  const [first, second] = save.friends;
  t.is(first?.kind, 'request');
  if (first?.kind === 'request') {
    t.is(new TextDecoder().decode(first.message), 'hello from c-toxcore');
    t.is(first.nospam, 0x0badf00d);
  }
  t.is(second?.kind, 'confirmed');
  t.true(save.pathNodes.some((n) => hex(n.publicKey) === node.publicKey && n.ipPort.port === node.udpPort), 'the bootstrap node is a path node');
  t.true(save.dhtNodes.some((n) => hex(n.publicKey) === node.publicKey), 'the bootstrap node is in the DHT');
  t.is(toHex(encodeToxSave(save)), toHex(data), 'toxlink writes the same bytes back');

  // As a toxlink profile: the same identity and friends.
  const profile = profileFromToxSave(save);
  t.is(toHex(profile.secretKey), toHex(save.secretKey));
  t.deepEqual(profile.friends.map((f) => hex(f.publicKey)), info.friends.map((f) => f.publicKey));
});

gate.test('a C peer started from a save toxlink wrote has the same Tox ID and friends, and comes online from it', async (t) => {
  const node = await startBootstrapdFor(t);
  const identity = generateKeyPair();
  const base = newProfile(identity.secretKey, 0x13572468);
  const friend = (name: string): ProfileFriend => ({
    publicKey: friendKey(), name: te.encode(name), statusMessage: te.encode(`${name} is away`), userStatus: 1,
    lastSeen: 1_700_000_000n, relays: [], dhtPublicKey: generateKeyPair().publicKey,
  });
  const profile: Profile = {
    ...base,
    name: te.encode('toxlink ☃'),
    statusMessage: te.encode('made by toxlink'),
    userStatus: 2,
    friends: [friend('alice'), { ...friend('bob'), request: { message: te.encode('add me, bob'), nospam: 77, sent: false } }, friend('carol')],
    dhtNodes: [{ protocol: 'udp', ipPort: { host: node.host, port: node.udpPort }, publicKey: Buffer.from(node.publicKey, 'hex') }],
  };
  const data = encodeToxSave(toxSaveFromProfile(profile));

  const peer = await startPeer(t, { name: 'loader' });
  const me = await peer.create({ savedata: data, ...(await udpRange()) });
  t.is(me.toxId, formatToxId({ publicKey: identity.publicKey, nospam: profile.nospam }), 'the same Tox ID');
  const info = await peer.info();
  t.deepEqual(info.friends.map((f) => f.friend), [0, 1, 2]);
  t.deepEqual(info.friends.map((f) => f.publicKey), profile.friends.map((f) => hex(f.publicKey)), 'the same friends, in order');

  // What c-toxcore saves back: the same names, status, friends, request.
  const back = decodeToxSave(await peer.getSavedata());
  t.is(new TextDecoder().decode(back.name), 'toxlink ☃');
  t.is(new TextDecoder().decode(back.statusMessage), 'made by toxlink');
  t.is(back.userStatus, 2);
  t.deepEqual(back.friends.map((f) => (f.kind === 'confirmed' ? new TextDecoder().decode(f.name) : f.kind)), ['alice', 'request', 'carol']);
  const bob = back.friends[1];
  t.true(bob?.kind === 'request' && new TextDecoder().decode(bob.message) === 'add me, bob' && bob.nospam === 77);

  // No bootstrap command: the DHT node in the save is enough to come online.
  const started = Date.now();
  const online = await peer.waitFor('self_connection', (e) => e.status !== 'none', ONLINE_TIMEOUT_MS);
  t.log(`online (${online.status}) ${Date.now() - started} ms after start, from the saved DHT node alone`);
});
