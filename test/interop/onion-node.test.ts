/**
 * toxlink nodes carry the onion for real c-toxcore 0.2.18 clients, on loopback.
 *
 * Eight toxlink nodes — each a DhtNode and an OnionNode on one real UDP socket, in this
 * process — form the network. Two C peers (`peer/toxpeer.c`) bootstrap from toxlink nodes
 * only; their onion paths, announce nodes and search nodes are drawn from what they learn,
 * which is the toxlink nodes and each other. Both must become onion-connected (c-toxcore's
 * `onion_isconnected`: announced at half or more of its live announce nodes, which must be
 * at least half of min(path nodes, 12); held for 3 s), and a friend request from one reaches
 * the other with its message: it travels as onion data (0x85) to an announce node holding
 * the receiver's announcement, which passes it (0x86) down the receiver's return path.
 *
 * On loopback c-toxcore reports the onion connection as 'tcp': `onion_connection_status`
 * says UDP only when `dht_non_lan_connected`, and 127.0.0.1 is a LAN address. The onion
 * itself runs over UDP (`random_nodes_path_onion` uses `dht_isconnected`, which counts LAN
 * nodes, and the C peers have no TCP relay to use).
 */
import type { ExecutionContext } from 'ava';
import { NodeNetwork, SystemClock } from '../../src/io/index.ts';
import { DhtNode } from '../../src/dht/index.ts';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { OnionNode } from '../../src/onion/index.ts';
import { fromHex, toHex } from '../../src/wire/index.ts';
import { freePort } from './bootstrapd.ts';
import { startPeer, type PeerIdentity, type ToxPeer } from './peer.ts';
import { until } from './dht-node.ts';
import { interopGate } from './skip.ts';

const gate = interopGate();
const LOCAL = '127.0.0.1';
const TOXLINK_NODES = 8;
/** The toxlink nodes know one another within a second or two on loopback. */
const MESH_TIMEOUT_MS = 10_000;
/**
 * c-toxcore starts announcing 3 s after its first run, needs a ping id round trip per node,
 * then 3 connected seconds in a row. Measured here: about 10 s.
 */
const ONION_CONNECTED_TIMEOUT_MS = 30_000;
/** Friend search every 3 s while new, then the request at the next `do_friends`. Measured: a few seconds. */
const FRIEND_REQUEST_TIMEOUT_MS = 20_000;

interface LiveToxNode {
  readonly dht: DhtNode;
  readonly onion: OnionNode;
  readonly port: number;
  readonly clock: SystemClock;
}

/** A toxlink node (DHT + onion) on one UDP socket on loopback; closed by the test's teardown. */
async function startToxNode(t: ExecutionContext): Promise<LiveToxNode> {
  const socket = await new NodeNetwork().bindUdp({ host: LOCAL, port: 0 });
  const clock = new SystemClock();
  const dhtKeyPair = generateKeyPair();
  const dht = new DhtNode({ clock, sender: socket, keyPair: dhtKeyPair });
  const onion = new OnionNode({ clock, sender: socket, dhtKeyPair, closeNodes: (key, n) => dht.closeNodes(key, n) });
  socket.onReceive((data, from) => {
    if (!onion.receive(data, from)) dht.receive(data, from);
  });
  t.teardown(async () => {
    onion.close();
    dht.close();
    await socket.close();
  });
  return { dht, onion, port: socket.local.port, clock };
}

async function cPeer(t: ExecutionContext, name: string): Promise<{ peer: ToxPeer; me: PeerIdentity }> {
  const peer = await startPeer(t, { name });
  const start = await freePort('udp');
  const me = await peer.create({ udpPortStart: start, udpPortEnd: Math.min(start + 20, 65535) });
  return { peer, me };
}

const sum = (nodes: readonly LiveToxNode[], read: (n: LiveToxNode) => number | undefined): number =>
  nodes.reduce((a, n) => a + (read(n) ?? 0), 0);

gate.test('two C peers bootstrapped only from toxlink nodes get onion-connected, and a friend request between them arrives', async (t) => {
  t.timeout(60_000);
  const started = Date.now();
  const nodes: LiveToxNode[] = [];
  for (let i = 0; i < TOXLINK_NODES; i++) nodes.push(await startToxNode(t));
  for (let i = 1; i < nodes.length; i++) nodes[i]!.dht.bootstrap({ host: LOCAL, port: nodes[0]!.port }, nodes[0]!.dht.publicKey);
  nodes[0]!.dht.bootstrap({ host: LOCAL, port: nodes[1]!.port }, nodes[1]!.dht.publicKey);
  const meshed = await until('every toxlink node knows at least 4 others',
    () => nodes.every((n) => n.dht.closeList.size >= 4), MESH_TIMEOUT_MS);
  t.log(`${TOXLINK_NODES} toxlink nodes meshed after ${meshed} ms`);

  const [a, b] = await Promise.all([cPeer(t, 'alice'), cPeer(t, 'bob')]);
  // Each C peer knows two toxlink nodes, and nothing else.
  for (const [{ peer }, first] of [[a, 2], [b, 5]] as const) {
    for (const node of [nodes[first]!, nodes[first + 1]!]) await peer.bootstrap(LOCAL, node.port, toHex(node.dht.publicKey).toUpperCase());
  }

  const connectedAt = Date.now();
  const onion = await Promise.all([a, b].map(({ peer }) =>
    peer.waitFor('self_connection', (e) => e.status !== 'none', ONION_CONNECTED_TIMEOUT_MS)));
  t.log(`both C peers onion-connected (status ${onion.map((e) => e.status).join(', ')}) after ${Date.now() - connectedAt} ms`);
  const stored = sum(nodes, (n) => n.onion.stats.accepted['announce-stored']);
  t.true(stored > 0, 'toxlink announce nodes stored C peers\' announcements');
  const announcedAt = (key: string): number => nodes.filter((n) => n.onion.announceStore.find(fromHex(key), n.clock.now())).length;
  t.log(`alice announced at ${announcedAt(a.me.publicKey)}, bob at ${announcedAt(b.me.publicKey)} of ${TOXLINK_NODES} toxlink nodes`);
  t.true(announcedAt(a.me.publicKey) > 0 && announcedAt(b.me.publicKey) > 0, 'both C peers\' real keys are announced at toxlink nodes');

  const message = 'hello bob, through toxlink onion nodes';
  const requestAt = Date.now();
  await a.peer.addFriend(b.me.toxId, message);
  const request = await b.peer.waitFor('friend_request', (e) => e.message === message, FRIEND_REQUEST_TIMEOUT_MS);
  t.is(request.publicKey.toUpperCase(), a.me.publicKey.toUpperCase());
  t.log(`bob got alice's friend request ${Date.now() - requestAt} ms after add_friend; whole test ${Date.now() - started} ms`);

  const hops = sum(nodes, (n) => (n.onion.stats.accepted['request-hop-1'] ?? 0) + (n.onion.stats.accepted['request-hop-2'] ?? 0)
    + (n.onion.stats.accepted['request-hop-3'] ?? 0));
  const back = sum(nodes, (n) => (n.onion.stats.accepted['response-hop-1'] ?? 0) + (n.onion.stats.accepted['response-hop-2'] ?? 0)
    + (n.onion.stats.accepted['response-hop-3'] ?? 0));
  const dataRequests = sum(nodes, (n) => n.onion.stats.accepted['data-request']);
  const drops: Record<string, number> = {};
  for (const n of nodes) for (const [reason, count] of Object.entries(n.onion.stats.dropped)) drops[reason] = (drops[reason] ?? 0) + count;
  t.log(`toxlink onion: ${hops} request layers forwarded, ${back} response layers, ${stored} announcements stored, `
    + `${sum(nodes, (n) => n.onion.stats.accepted['announce-request'])} announce requests answered, ${dataRequests} data requests passed on; `
    + `drops ${JSON.stringify(drops)}`);
  t.true(hops > 0 && back > 0, 'toxlink nodes forwarded onion traffic both ways');
  t.true(dataRequests >= 1, 'a toxlink announce node passed the friend request on to bob');
  t.is(drops['bad-mac'] ?? 0, 0, 'every box c-toxcore sealed to a toxlink node opened');
  t.is(drops['internal-error'] ?? 0, 0);
  t.is(drops['malformed-truncated'] ?? 0, 0);
});
