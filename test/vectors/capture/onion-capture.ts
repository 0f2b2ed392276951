/**
 * Captures the `onion-capture` known-answer suite (test/vectors/onion-capture.json): onion
 * packets that a live c-toxcore 0.2.18 peer (our C test peer, test/interop/peer) sent to
 * toxlink on loopback, each with the toxlink secret keys that open it. Run by hand; it needs
 * c-toxcore (see test/interop/build.ts):
 *
 * ```sh
 * TOXLINK_INTEROP=required node --import=tsx test/vectors/capture/onion-capture.ts
 * ```
 *
 * The network: eight toxlink nodes (a DhtNode and an OnionNode on one UDP socket each) and
 * a toxlink client node (the same, plus an OnionClient) on 127.0.0.1, and one C peer
 * bootstrapped from two of the nodes. The C peer announces itself at the toxlink nodes
 * closest to its key; then it sends a friend request to the client's Tox ID, the client adds
 * it back, and the two exchange DHT key announcements, through the onion and through the DHT.
 * Recorded at toxlink's sockets, from the C peer:
 *
 * - its self-announce requests (0x83) at a toxlink announce node: the first, with a zero
 *   ping id, and the next one to the same node with the ping id that node gave it; and a
 *   search request for the client's key. Each with toxlink's answer (0x8c), which the C peer
 *   took (it echoed the ping id; it went on to send onion data to the client).
 * - its onion data requests (0x85) for the client at a toxlink announce node, and the onion
 *   data responses (0x86) that reached the client: a friend request, a DHT key announcement.
 * - its DHT key announcement routed through the DHT (a DHT request 0x20, id 0x9c) to the
 *   client's DHT key, if one arrives within 45 s of the client adding it.
 *
 * toxlink's keys are fixed (SHA-512 of labels), except the client's data key, which the
 * OnionClient makes at start: every vector records the secret keys it needs. What c-toxcore
 * draws (its DHT key, its temporary keys, nonces, ping ids) changes from run to run. The
 * expected fields are what toxlink's reader (test/vectors/onion-capture-runner.ts) finds in
 * the bytes; the script writes nothing unless they agree with what the live run did: the
 * senders are the C peer's keys as tox_self_get_public_key and tox_self_get_dht_id give them,
 * the ping id echoed is the one toxlink gave, the search found the client's data key, the
 * friend request holds the message and nospam the C peer was given, and the client's own
 * OnionClient reported the same request and DHT key.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type KeyPair, keyPairFromSecretKey, precompute, sha512 } from '../../../src/crypto/index.ts';
import { DhtNode } from '../../../src/dht/index.ts';
import { decodeDhtRequestHeader, openDhtRequest } from '../../../src/dht/dht-request.ts';
import { NodeNetwork, SystemClock, type Address, type DatagramTransport } from '../../../src/io/index.ts';
import {
  AnnounceStatus, OnionClient, OnionNode, decodeAnnounceRequest, decodeOnionDataRequest, openAnnounceRequest,
} from '../../../src/onion/index.ts';
import { CryptoPacket, NetPacket, formatToxId, fromHex, toHex } from '../../../src/wire/index.ts';
import { cToxcoreAvailable } from '../../interop/build.ts';
import { freePort } from '../../interop/bootstrapd.ts';
import { ToxPeer, type PeerIdentity } from '../../interop/peer.ts';
import { type Json } from '../fields.ts';
import { readOnionCapture } from '../onion-capture-runner.ts';

const OUTPUT = fileURLToPath(new URL('../onion-capture.json', import.meta.url));
const LOCAL = '127.0.0.1';
const NODES = 8;
const NOSPAM = 0x70c1_1e57;
const MESSAGE = 'a friend request from c-toxcore to toxlink, captured';
const STEP_TIMEOUT_MS = 40_000;
/** How long to wait for the C peer's DHT-routed announcement after the client added it (it sends every 20 s). */
const ROUTED_TIMEOUT_MS = 45_000;

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const upperHex = (b: Uint8Array): string => toHex(b).toUpperCase();
const derived = (label: string): Uint8Array => sha512(utf8(`toxlink test/vectors onion-capture: ${label}`)).slice(0, 32);
const derivedKeyPair = (label: string): KeyPair => keyPairFromSecretKey(derived(label));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean, ms = STEP_TIMEOUT_MS): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
  return Date.now() - start;
}

/** One announce request the C peer sent to a toxlink node, with the node's answer. */
interface AnnounceCapture {
  readonly node: number;
  readonly from: Address;
  readonly packet: Uint8Array;
  readonly sender: string;
  readonly search: string;
  readonly pingId: string;
  answer: Uint8Array | undefined;
}

interface Node {
  readonly index: number;
  readonly keys: KeyPair;
  readonly socket: DatagramTransport;
  readonly dht: DhtNode;
  readonly onion: OnionNode;
  readonly port: number;
  /** The node's dispatch (the onion node, then the DHT), recording what the C peer sent it. */
  readonly receive: (data: Uint8Array, from: Address) => boolean;
}

interface Recorder {
  readonly announces: AnnounceCapture[];
  readonly dataRequests: Uint8Array[];
  readonly dataResponses: Uint8Array[];
  readonly routed: Uint8Array[];
}

const recorder: Recorder = { announces: [], dataRequests: [], dataResponses: [], routed: [] };
const MAX_RECORDED = 400;
let cReal: string | undefined;
const clientReal = derivedKeyPair('toxlink client real key');
const clientDht = derivedKeyPair('toxlink client DHT key');

async function startNode(index: number, keys: KeyPair, network: NodeNetwork, clock: SystemClock): Promise<Node> {
  const socket = await network.bindUdp({ host: LOCAL, port: 0 });
  let answering: AnnounceCapture | undefined;
  const sender = {
    send: (to: Address, data: Uint8Array): void => {
      if (answering !== undefined && data[0] === NetPacket.ONION_RECV_3) answering.answer ??= data.slice();
      socket.send(to, data);
    },
  };
  const dht = new DhtNode({ clock, sender, keyPair: keys });
  const onion = new OnionNode({ clock, sender, dhtKeyPair: keys, closeNodes: (k, n) => dht.closeNodes(k, n) });
  const receive = (data: Uint8Array, from: Address): boolean => {
    const id = data[0];
    if ((id === NetPacket.ANNOUNCE_REQUEST_OLD || id === NetPacket.ANNOUNCE_REQUEST) && cReal !== undefined) {
      answering = announceFromC(index, keys, data, from);
      try {
        return onion.receive(data, from);
      } finally {
        answering = undefined;
      }
    }
    if (id === NetPacket.ONION_DATA_REQUEST && recorder.dataRequests.length < MAX_RECORDED) {
      try {
        if (toHex(decodeOnionDataRequest(data).destinationRealPublicKey) === toHex(clientReal.publicKey)) recorder.dataRequests.push(data.slice());
      } catch { /* not ours to judge: the node counts it */ }
    }
    return onion.receive(data, from) || dht.receive(data, from);
  };
  return { index, keys, socket, dht, onion, port: socket.local.port, receive };
}

/** Records an announce request if the C peer sent it (a self-announce, or a search for the client). */
function announceFromC(node: number, keys: KeyPair, data: Uint8Array, from: Address): AnnounceCapture | undefined {
  if (recorder.announces.length >= MAX_RECORDED) return undefined;
  try {
    const env = decodeAnnounceRequest(data);
    const k = precompute(env.senderPublicKey, keys.secretKey);
    const req = k && openAnnounceRequest(env, k);
    if (req === undefined) return undefined;
    const sender = toHex(env.senderPublicKey);
    const search = toHex(req.searchPublicKey);
    const self = sender === cReal && search === cReal;
    const searchForClient = search === toHex(clientReal.publicKey) && sender !== toHex(clientReal.publicKey);
    if (!self && !searchForClient) return undefined;
    const c: AnnounceCapture = { node, from: { ...from }, packet: data.slice(), sender, search, pingId: toHex(req.pingId), answer: undefined };
    recorder.announces.push(c);
    return c;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const available = cToxcoreAvailable();
  if (!available.ok) throw new Error(`c-toxcore is needed to capture: ${available.why}`);
  const network = new NodeNetwork();
  const clock = new SystemClock();
  const nodes: Node[] = [];
  let peer: ToxPeer | undefined;
  let client: OnionClient | undefined;
  try {
    for (let i = 0; i < NODES; i++) nodes.push(await startNode(i, derivedKeyPair(`toxlink node ${i} DHT key`), network, clock));
    const clientNode = await startNode(NODES, clientDht, network, clock);
    nodes.push(clientNode);
    const oc = new OnionClient({
      clock, sender: { send: (to, d) => clientNode.socket.send(to, d) }, dht: clientNode.dht, realKeyPair: clientReal, dhtKeyPair: clientDht,
      config: { noReplayOffsetS: Math.floor(Date.now() / 1000) },
    });
    client = oc;
    const requests: Array<{ key: string; nospam: number; message: string }> = [];
    const dhtKeys: Array<{ key: string; via: string }> = [];
    const errors: Error[] = [];
    oc.events.on('friend-request', (e) => requests.push({ key: toHex(e.realPublicKey), nospam: e.nospam, message: new TextDecoder().decode(e.message) }));
    oc.events.on('dht-key', (e) => dhtKeys.push({ key: toHex(e.dhtPublicKey), via: e.via }));
    oc.events.on('error', (e) => errors.push(e));
    for (const node of nodes) {
      node.socket.onReceive((data, from) => {
        if (node === clientNode) {
          if (data[0] === NetPacket.ONION_DATA_RESPONSE && recorder.dataResponses.length < MAX_RECORDED) recorder.dataResponses.push(data.slice());
          if (data[0] === NetPacket.CRYPTO && isRoutedDhtPk(data) && recorder.routed.length < MAX_RECORDED) recorder.routed.push(data.slice());
          if (oc.receive(data, from)) return;
        }
        node.receive(data, from);
      });
    }
    for (const node of nodes.slice(1)) node.dht.bootstrap({ host: LOCAL, port: nodes[0]!.port }, nodes[0]!.keys.publicKey);
    nodes[0]!.dht.bootstrap({ host: LOCAL, port: nodes[1]!.port }, nodes[1]!.keys.publicKey);
    oc.addBootstrapNode(nodes[0]!.keys.publicKey, { host: LOCAL, port: nodes[0]!.port });
    await until('the toxlink nodes to know one another', () => nodes.every((n) => n.dht.closeList.size >= 4));

    peer = await ToxPeer.start({ name: 'c-onion-capture' });
    const start = await freePort('udp');
    const me: PeerIdentity = await peer.create({ udpPortStart: start, udpPortEnd: Math.min(start + 20, 65535) });
    cReal = me.publicKey.toLowerCase();
    for (const node of nodes.slice(2, 4)) await peer.bootstrap(LOCAL, node.port, upperHex(node.keys.publicKey));
    const connected = await peer.waitFor('self_connection', (e) => e.status !== 'none', STEP_TIMEOUT_MS);
    await until('the toxlink client to be onion-connected', () => oc.isConnected);
    console.log(`the C peer is onion-connected (${connected.status}); so is the toxlink client`);

    await peer.addFriend(formatToxId({ publicKey: clientReal.publicKey, nospam: NOSPAM }), MESSAGE);
    const took = await until('the C peer\'s friend request at the toxlink client', () => requests.length > 0);
    console.log(`friend request taken ${took} ms after tox_friend_add`);
    oc.addFriend(fromHex(cReal));
    const addedAt = Date.now();
    await until('the C peer\'s DHT key announcement through the onion', () => dhtKeys.some((k) => k.via === 'onion'));
    const routed = await until('the C peer\'s DHT-routed announcement', () => recorder.routed.length > 0, ROUTED_TIMEOUT_MS)
      .then(() => true, (error: Error) => { console.log(`note: ${error.message}; the suite has no dht-routed vector`); return false; });
    if (routed) console.log(`DHT-routed announcement by ${Date.now() - addedAt} ms after the client added the C peer`);
    await sleep(500);

    const vectors = pick(me, oc, requests, dhtKeys);
    if (errors.length > 0) throw new Error(`toxlink client errors: ${errors.map((e) => e.message).join('; ')}`);
    const suite = {
      format: 1,
      suite: 'onion-capture',
      description:
        'Onion packets a live c-toxcore 0.2.18 peer sent to toxlink on loopback, each with the toxlink secret keys that open it: ' +
        'its self-announce requests at a toxlink announce node (the first, and the next one echoing the ping id toxlink gave) and a ' +
        'search for toxlink\'s client, each with toxlink\'s answer; its onion data for the client at a toxlink announce node (0x85) and ' +
        'as the client received it (0x86): a friend request and a DHT key announcement; and, when one arrived, its DHT key ' +
        'announcement routed through the DHT. expected is what toxlink reads with the vector\'s keys (test/vectors/onion-capture-runner.ts).',
      source:
        'test/vectors/capture/onion-capture.ts: eight toxlink onion nodes and a toxlink onion client on 127.0.0.1 and the C test peer ' +
        '(test/interop/peer/toxpeer.c on the Debian libtoxcore of c-toxcore 0.2.18) bootstrapped from them; every packet recorded ' +
        'at a toxlink socket as it arrived. toxlink\'s keys are fixed (SHA-512 of labels) but for the client\'s data key; the rest ' +
        'is random in each capture. The packets (but toxlink\'s answers) come from c-toxcore; the C peer\'s keys from ' +
        'tox_self_get_public_key and tox_self_get_dht_id. Written only when the reading agreed with the live run.',
      vectors,
    };
    writeFileSync(OUTPUT, `${JSON.stringify(suite, null, 2)}\n`);
    console.log(`wrote ${OUTPUT}: ${vectors.length} vectors`);
  } finally {
    client?.close();
    await peer?.stop();
    for (const node of nodes) {
      node.onion.close();
      node.dht.close();
      await node.socket.close();
    }
  }
}

/** Whether a DHT request is for the client's DHT key and carries a DHT key announcement (id 0x9c). */
function isRoutedDhtPk(data: Uint8Array): boolean {
  try {
    const header = decodeDhtRequestHeader(data);
    if (toHex(header.receiverPublicKey) !== toHex(clientDht.publicKey)) return false;
    const k = precompute(header.senderPublicKey, clientDht.secretKey);
    return k !== undefined && openDhtRequest(header, k)?.requestId === CryptoPacket.DHTPK;
  } catch {
    return false;
  }
}

/** Chooses the vectors, reads them, and checks the reading against the live run. */
function pick(
  me: PeerIdentity, oc: OnionClient, requests: ReadonlyArray<{ key: string; nospam: number; message: string }>,
  dhtKeys: ReadonlyArray<{ key: string; via: string }>,
): Json[] {
  const c = me.publicKey.toLowerCase();
  const cDht = me.dhtId.toLowerCase();
  const nodeKey = (i: number): string => toHex(i === NODES ? clientDht.secretKey : derived(`toxlink node ${i} DHT key`));
  const context = {
    c_real_public_key: c, c_dht_public_key: cDht, toxlink_real_public_key: toHex(clientReal.publicKey),
    toxlink_data_public_key: toHex(oc.dataKeyPair.publicKey),
  };
  const fail = (why: string): never => { throw new Error(`the capture disagrees with the live run: ${why}`); };
  const vectors: Json[] = [];
  const add = (name: string, input: Json, check: (got: Json) => boolean | string): void => {
    const expected = readOnionCapture(input);
    const verdict = 'error' in expected ? `does not read: ${JSON.stringify(expected)}` : check(expected);
    if (verdict !== true) fail(`${name}: ${verdict === false ? 'unexpected fields' : verdict} ${JSON.stringify(expected).slice(0, 300)}`);
    vectors.push({ name, input, expected });
  };
  const zero = '00'.repeat(32);
  const answered = (a: AnnounceCapture): a is AnnounceCapture & { answer: Uint8Array } => a.answer !== undefined;
  const announceInput = (a: AnnounceCapture & { answer: Uint8Array }, given?: Uint8Array): Json => ({
    kind: 'announce-request', ...context, node_dht_secret_key: nodeKey(a.node), node_dht_public_key: toHex(keyPairFromSecretKey(fromHex(nodeKey(a.node))).publicKey),
    from: { host: a.from.host, port: a.from.port }, packet: toHex(a.packet), answer: toHex(a.answer),
    ...(given === undefined ? {} : { ping_id_given_in: toHex(given) }),
  });
  const answerOf = (got: Json): Json => got['answer'] as Json;

  // A self-announce with a zero ping id, and the next one to the same node with the ping id it gave.
  const selfs = recorder.announces.filter((a) => a.sender === c && a.search === c).filter(answered);
  let pair: [AnnounceCapture & { answer: Uint8Array }, AnnounceCapture & { answer: Uint8Array }] | undefined;
  for (const first of selfs.filter((a) => a.pingId === zero)) {
    const given = readOnionCapture(announceInput(first));
    const ping = (answerOf(given)?.['ping_id_or_key'] as string | undefined) ?? '';
    const second = selfs.find((a) => a.node === first.node && a.pingId === ping && selfs.indexOf(a) > selfs.indexOf(first));
    if (second !== undefined) { pair = [first, second]; break; }
  }
  if (pair === undefined) return fail('no self-announce of the C peer echoing a ping id a toxlink node gave it');
  const [first, second] = pair;
  add('self-announce, zero ping id', announceInput(first), (got) =>
    got['sender_public_key'] === c && got['search_public_key'] === c && got['ping_id'] === zero && got['data_public_key'] !== zero
    && answerOf(got)['is_stored'] === AnnounceStatus.NOT_STORED);
  add('self-announce, with the ping id the node gave', announceInput(second, first.answer), (got) =>
    got['sender_public_key'] === c && got['ping_id'] === (got['ping_id_given_in'] as Json)['ping_id_or_key']
    && answerOf(got)['is_stored'] === AnnounceStatus.STORED ? true : `answer ${JSON.stringify(answerOf(got))}`);

  // A search for the client, answered with the client's data key.
  const found = recorder.announces.filter((a) => a.search === toHex(clientReal.publicKey)).filter(answered)
    .find((a) => answerOf(readOnionCapture(announceInput(a)))?.['is_stored'] === AnnounceStatus.FOUND);
  if (found === undefined) return fail('no search of the C peer for the client answered with its data key');
  add('search for toxlink\'s client, found', announceInput(found), (got) =>
    got['sender_public_key'] !== c && got['data_public_key'] === zero && answerOf(got)['ping_id_or_key'] === toHex(oc.dataKeyPair.publicKey));

  // Onion data: at an announce node (0x85) and at the client (0x86), a friend request and a DHT key announcement.
  const dataInput = (kind: string, packet: Uint8Array): Json => ({
    kind, ...context, toxlink_real_secret_key: toHex(clientReal.secretKey), toxlink_data_secret_key: toHex(oc.dataKeyPair.secretKey), packet: toHex(packet),
  });
  const message = toHex(utf8(MESSAGE));
  const nospam = NOSPAM.toString(16).padStart(8, '0');
  const isRequest = (got: Json): boolean => got['payload_kind'] === 'friend-request' && got['sender_real_public_key'] === c
    && got['nospam'] === nospam && got['message'] === message;
  const isDhtPk = (got: Json): boolean => got['payload_kind'] === 'dhtpk' && got['sender_real_public_key'] === c && got['dht_public_key'] === cDht;
  if (!requests.some((r) => r.key === c && r.nospam === NOSPAM && r.message === MESSAGE)) fail('the client did not report the friend request');
  if (!dhtKeys.some((k) => k.key === cDht && k.via === 'onion')) fail('the client did not report the C peer\'s DHT key through the onion');
  for (const [kind, packets] of [['data-request', recorder.dataRequests], ['data-response', recorder.dataResponses]] as const) {
    for (const [what, test] of [['friend request', isRequest], ['DHT key announcement', isDhtPk]] as const) {
      const packet = packets.find((p) => { const got = readOnionCapture(dataInput(kind, p)); return !('error' in got) && test(got); });
      if (packet === undefined) return fail(`no ${kind} holding the C peer's ${what}`);
      const where = kind === 'data-request' ? 'at a toxlink announce node (0x85)' : 'at toxlink\'s client (0x86)';
      add(`${what} ${where}`, dataInput(kind, packet), (got) => test(got) && (kind !== 'data-request' || got['destination_real_public_key'] === toHex(clientReal.publicKey)));
    }
  }

  // The DHT key announcement routed through the DHT, if one came.
  const routed = recorder.routed[0];
  if (routed !== undefined) {
    if (!dhtKeys.some((k) => k.key === cDht && k.via === 'dht')) fail('the client did not report the routed DHT key');
    add('DHT key announcement routed through the DHT', {
      kind: 'dht-routed', ...context, toxlink_dht_secret_key: toHex(clientDht.secretKey), toxlink_real_secret_key: toHex(clientReal.secretKey), packet: toHex(routed),
    }, (got) => got['sender_dht_public_key'] === cDht && got['sender_real_public_key'] === c && got['dht_public_key'] === cDht
      && got['receiver_public_key'] === toHex(clientDht.publicKey) && got['request_id'] === CryptoPacket.DHTPK);
  }
  console.log(`recorded ${recorder.announces.length} announce requests of the C peer, ${recorder.dataRequests.length} data requests, ` +
    `${recorder.dataResponses.length} data responses, ${recorder.routed.length} routed announcements; kept ${vectors.length}`);
  return vectors;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
