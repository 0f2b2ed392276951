/**
 * Runners for the onion known-answer suites (test/vectors/onion-*.json, written by
 * generator/gen-onion.c from c-toxcore 0.2.18). test/vectors.test.ts spreads
 * {@link ONION_RUNNERS} into its table of runners; the layout of each suite is in
 * test/vectors/README.md.
 *
 * Most runners compute toxlink's whole answer to a vector as plain JSON (the forwarded
 * packet and where it goes, or the error code) and compare it with the expected object in
 * one `deepEqual`, so a difference shows field by field.
 */
import type { ExecutionContext } from 'ava';
import { type KeyPair, keyPairFromSecretKey, precompute } from '../../src/crypto/index.ts';
import { DecodeError, EncodeError, type IpPort, type PackedNode, toHex } from '../../src/wire/index.ts';
import { decodeDhtRequestHeader, encodeDhtRequest, openDhtRequest } from '../../src/dht/dht-request.ts';
import {
  type AnnounceFormat, type DecodedDhtPkAnnounce, type ReturnAddress, type SocketKind, announcePingId, checkAnnouncePingId,
  checkTimedAuth, createOnionPath, decodeAnnounceRequest, decodeAnnounceResponse, decodeDhtPkAnnounce, decodeFriendRequest,
  decodeOnionDataRequest, decodeOnionDataResponse, decodeOnionRequest, decodeOnionResponse, decodeRoutedDhtPk,
  decodeTcpOnionRequest, encodeAnnounceRequest, encodeAnnounceResponse, encodeForwardedRequest, encodeForwardedResponse,
  encodeOnionDataRequest, encodeOnionDataResponse, encodeOnionRequest, encodeOnionResponse, encodeTcpOnionRequest,
  openAnnounceRequest, openAnnounceResponse, openOnionData, openOnionDataResponse, openOnionRequest, openReturnPath,
  openRoutedDhtPk, sealOnionData, sealReturnPath, sealRoutedDhtPk, timedAuth, type OnionHop, type OnionPath, type PathNode,
} from '../../src/onion/index.ts';
import { type Json, field, str, int, decimal, bytes, obj, list, bool, strings } from './fields.ts';
import { onionCapture } from './onion-capture-runner.ts';

/** One vector, as test/vectors.test.ts reads it. */
export interface OnionVector {
  readonly name: string;
  readonly input: Json;
  readonly expected: Json;
}

/** A runner, in the shape of test/vectors.test.ts's. */
export type OnionRunner = (t: ExecutionContext, v: OnionVector) => void;

/* ---- reading onion fields (the general ones are in fields.ts) ---- */

function seconds(o: Json, key: string): number {
  return Number(decimal(o, key));
}

function address(o: Json, key: string): IpPort {
  const a = obj(o, key);
  return { host: str(a, 'host'), port: int(a, 'port') };
}

function keyPair(o: Json, key: string): KeyPair {
  return keyPairFromSecretKey(bytes(o, key));
}

function shared(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array {
  const k = precompute(publicKey, secretKey);
  if (k === undefined) throw new TypeError('a vector key that libsodium refuses');
  return k;
}

/* ---- toxlink's answers as plain JSON ---- */

const plainAddress = (a: IpPort): Json => ({ host: a.host, port: a.port });

const plainNode = (n: PackedNode): Json => ({ protocol: n.protocol, host: n.ipPort.host, port: n.ipPort.port, public_key: toHex(n.publicKey) });

function nodeFromJson(o: Json): PackedNode {
  const protocol = str(o, 'protocol');
  if (protocol !== 'udp' && protocol !== 'tcp') throw new TypeError(`unknown protocol ${protocol}`);
  return { protocol, ipPort: { host: str(o, 'host'), port: int(o, 'port') }, publicKey: bytes(o, 'public_key') };
}

function plainReturnAddress(a: ReturnAddress): Json {
  return a.kind === 'udp'
    ? { kind: 'udp', host: a.ipPort.host, port: a.ipPort.port }
    : { kind: 'tcp-client', connection_id: a.connectionId, identifier: a.identifier.toString() };
}

/** Runs `f`; a `DecodeError` becomes `{ error: code }`, `undefined` (a box that does not open) `{ error: 'bad-mac' }`. */
function verdict(f: () => Json | undefined): Json {
  try {
    return f() ?? { error: 'bad-mac' };
  } catch (error) {
    if (error instanceof DecodeError) return { error: error.code };
    throw error;
  }
}

/* ---- onion-request ---- */

function pathOf(input: Json): { path: OnionPath; nodes: Json[] } {
  const nodes = list(input, 'nodes');
  const pathNodes = nodes.map((n): PathNode => ({ ipPort: { host: str(n, 'host'), port: int(n, 'port') }, publicKey: bytes(n, 'public_key') }));
  const path = createOnionPath(keyPair(input, 'originator_dht_secret_key'), pathNodes as [PathNode, PathNode, PathNode],
    keyPair(input, 'hop2_secret_key'), keyPair(input, 'hop3_secret_key'));
  if (path === undefined) throw new TypeError('a path node key that libsodium refuses');
  return { path, nodes };
}

/** Walks a request from hop `from` on, as the vector's nodes would, and returns what reaches the destination. */
function walk(t: ExecutionContext, first: Uint8Array, from: OnionHop, nodes: Json[], destination: IpPort): Uint8Array | undefined {
  let packet = first;
  for (let hop = from; hop <= 3; hop++) {
    const env = decodeOnionRequest(packet);
    t.is(env.hop, hop, `hop ${hop} reads the packet`);
    const layer = openOnionRequest(env, shared(env.publicKey, bytes(nodes[hop - 1]!, 'secret_key')));
    if (layer === undefined) return t.fail(`hop ${hop} cannot open its box`);
    const next = hop === 3 ? destination : { host: str(nodes[hop]!, 'host'), port: int(nodes[hop]!, 'port') };
    t.deepEqual(plainAddress(layer.next), plainAddress(next), `hop ${hop} sends to the next`);
    if (hop === 3) return layer.inner.slice();
    const blob = new Uint8Array(hop === 1 ? 59 : 118);
    packet = encodeForwardedRequest(hop as OnionHop, env.nonce, layer.inner, blob);
  }
  return undefined;
}

const onionRequest: OnionRunner = (t, { input, expected }) => {
  const kind = str(input, 'kind');
  if (kind === 'build' || kind === 'build-tcp') {
    const { path, nodes } = pathOf(input);
    const nonce = bytes(input, 'nonce');
    const destination = address(input, 'destination');
    const payload = bytes(input, 'payload');
    if (kind === 'build') {
      const packet = encodeOnionRequest(path, nonce, destination, payload);
      t.is(toHex(packet), str(expected, 'packet'), 'the 0x80 packet');
      t.is(toHex(walk(t, packet, 1, nodes, destination) ?? new Uint8Array(0)), toHex(payload), 'the payload arrives');
    } else {
      const body = encodeTcpOnionRequest(path, nonce, destination, payload);
      t.is(toHex(body), str(expected, 'body'), 'the TCP request body');
      const read = decodeTcpOnionRequest(body);
      t.deepEqual(plainAddress(read.layer.next), { host: str(nodes[1]!, 'host'), port: int(nodes[1]!, 'port') }, 'the relay sends to hop 2');
      const first = encodeForwardedRequest(1, read.nonce, read.layer.inner, new Uint8Array(59));
      t.is(toHex(walk(t, first, 2, nodes, destination) ?? new Uint8Array(0)), toHex(payload), 'the payload arrives');
    }
    return;
  }
  if (kind === 'hop') {
    const onionKey = bytes(input, 'onion_secret_key');
    const from = address(input, 'from');
    const got = verdict(() => {
      const env = decodeOnionRequest(bytes(input, 'packet'));
      const layer = openOnionRequest(env, shared(env.publicKey, bytes(input, 'node_secret_key')));
      if (layer === undefined) return undefined;
      const blob = sealReturnPath(onionKey, bytes(input, 'return_nonce'), { kind: 'udp', ipPort: from }, env.returnPath);
      const opened = openReturnPath(onionKey, blob);
      t.deepEqual(opened && plainReturnAddress(opened.from), { kind: 'udp', ...plainAddress(from) }, 'the blob opens to the sender');
      t.is(opened && toHex(opened.previous), toHex(env.returnPath), 'and to the previous blob');
      return { next: plainAddress(layer.next), forwarded: toHex(encodeForwardedRequest(env.hop, env.nonce, layer.inner, blob)), return_path: toHex(blob) };
    });
    t.deepEqual(got, expected);
    return;
  }
  if (kind === 'tcp-hop') {
    const onionKey = bytes(input, 'onion_secret_key');
    const client: ReturnAddress = { kind: 'tcp-client', connectionId: int(input, 'connection_id'), identifier: decimal(input, 'identifier') };
    const got = verdict(() => {
      const req = decodeTcpOnionRequest(bytes(input, 'body'));
      const blob = sealReturnPath(onionKey, bytes(input, 'return_nonce'), client, new Uint8Array(0));
      t.deepEqual(plainReturnAddress(openReturnPath(onionKey, blob)!.from), plainReturnAddress(client), 'the blob names the client');
      return { next: plainAddress(req.layer.next), forwarded: toHex(encodeForwardedRequest(1, req.nonce, req.layer.inner, blob)), return_path: toHex(blob) };
    });
    t.deepEqual(got, expected);
    return;
  }
  throw new TypeError(`unknown kind ${kind}`);
};

/* ---- onion-response ---- */

const onionResponse: OnionRunner = (t, { input, expected }) => {
  const got = verdict(() => {
    const env = decodeOnionResponse(bytes(input, 'packet'));
    const opened = openReturnPath(bytes(input, 'onion_secret_key'), env.returnPath);
    if (opened === undefined) return undefined;
    return { next: plainReturnAddress(opened.from), forwarded: toHex(encodeForwardedResponse(env.hop, opened.previous, env.data)) };
  });
  t.deepEqual(got, expected);
};

/* ---- onion-announce ---- */

function socketOf(input: Json): SocketKind {
  const s = str(input, 'socket');
  if (s !== 'dual-stack' && s !== 'ipv4') throw new TypeError(`unknown socket ${s}`);
  return s;
}

const onionAnnounce: OnionRunner = (t, { input, expected }) => {
  const kind = str(input, 'kind');
  if (kind === 'request') {
    const sender = keyPair(input, 'sender_secret_key');
    const k = shared(bytes(input, 'node_public_key'), sender.secretKey);
    const request = {
      pingId: bytes(input, 'ping_id'), searchPublicKey: bytes(input, 'search_public_key'),
      dataPublicKey: bytes(input, 'data_public_key'), sendback: bytes(input, 'sendback'),
    };
    const packet = encodeAnnounceRequest('old', k, sender.publicKey, bytes(input, 'nonce'), request);
    t.is(toHex(packet), str(expected, 'packet'), 'the request');
    // As the node reads it, with a return blob appended (the key is symmetric).
    const arrived = new Uint8Array(packet.length + 177);
    arrived.set(packet, 0);
    const env = decodeAnnounceRequest(arrived);
    const opened = openAnnounceRequest(env, k);
    t.deepEqual(opened && { ...opened, pingId: toHex(opened.pingId), searchPublicKey: toHex(opened.searchPublicKey),
      dataPublicKey: toHex(opened.dataPublicKey), sendback: toHex(opened.sendback) },
    { pingId: toHex(request.pingId), searchPublicKey: toHex(request.searchPublicKey), dataPublicKey: toHex(request.dataPublicKey),
      sendback: toHex(request.sendback) }, 'the node reads the fields back');
    return;
  }
  if (kind !== 'node') throw new TypeError(`unknown kind ${kind}`);
  const node = keyPair(input, 'node_secret_key');
  const hmacKey = bytes(input, 'hmac_key');
  const now = seconds(input, 'now');
  const from = address(input, 'from');
  const socket = socketOf(input);
  const sender = keyPair(input, 'sender_secret_key');
  const packet = bytes(input, 'packet');
  if ('error' in expected) {
    t.deepEqual(verdict(() => {
      const env = decodeAnnounceRequest(packet);
      return openAnnounceRequest(env, shared(env.senderPublicKey, node.secretKey)) && {};
    }), expected);
    return;
  }
  const env = decodeAnnounceRequest(packet);
  const k = shared(env.senderPublicKey, node.secretKey);
  const req = openAnnounceRequest(env, k);
  if (req === undefined) return t.fail('the request does not open');
  const request = obj(expected, 'request');
  t.deepEqual({
    format: env.format, sender_public_key: toHex(env.senderPublicKey), ping_id: toHex(req.pingId),
    search_public_key: toHex(req.searchPublicKey), data_public_key: toHex(req.dataPublicKey), sendback: toHex(req.sendback),
  }, request, 'the request');
  t.is(checkAnnouncePingId(hmacKey, now, env.senderPublicKey, from, req.pingId, socket), bool(expected, 'ping_id_accepted'), 'the ping id verdict');

  const response = obj(expected, 'response');
  const isStored = int(response, 'is_stored');
  const pingIdOrKey = bytes(response, 'ping_id_or_key');
  if (isStored !== 1) {
    t.is(toHex(announcePingId(hmacKey, now, env.senderPublicKey, from, socket)), toHex(pingIdOrKey), 'the ping id the node gives');
  }
  const nodes = list(response, 'nodes').map(nodeFromJson);
  const format: AnnounceFormat = env.format;
  const built = encodeAnnounceResponse(format, k, bytes(input, 'response_nonce'), req.sendback, { isStored, pingIdOrKey, nodes });
  t.is(toHex(encodeOnionResponse(env.returnPath, built)), str(expected, 'packet'), 'the 0x8c packet');
  t.deepEqual(plainAddress(from), address(expected, 'to'));

  // And as the sender reads the response.
  const renv = decodeAnnounceResponse(built);
  const opened = openAnnounceResponse(renv, shared(node.publicKey, sender.secretKey));
  t.deepEqual(opened && {
    format: renv.format, is_stored: opened.isStored, ping_id_or_key: toHex(opened.pingIdOrKey), nodes: opened.nodes.map(plainNode),
  }, response, 'the sender reads the response');
  t.is(opened?.nodesError, undefined);
};

/* ---- onion-data ---- */

/** What a client does with an opened payload: which handler, whether it takes it, and what it reports. */
function clientVerdict(input: Json, sender: Uint8Array, payload: Uint8Array): Json {
  const friend = bytes(input, 'friend_public_key');
  const lastNoReplay = decimal(input, 'last_no_replay');
  const id = payload[0];
  if (id === 0x9c) return dhtPkVerdict(friend, lastNoReplay, sender, () => decodeDhtPkAnnounce(payload));
  if (id === 0x20) {
    const received = strings(input, 'received_requests');
    let request;
    try {
      request = decodeFriendRequest(payload);
    } catch (error) {
      if (error instanceof DecodeError) return { handler: 'friend-request', accepted: false };
      throw error;
    }
    const accepted = toHex(request.nospam) === str(input, 'nospam') && !received.includes(toHex(sender));
    return accepted ? { handler: 'friend-request', accepted, message: toHex(request.message) } : { handler: 'friend-request', accepted };
  }
  if (id === 0x70) return { handler: 'probe', accepted: true, probe_data: toHex(payload) };
  return { handler: 'none', accepted: false };
}

function dhtPkVerdict(friend: Uint8Array, lastNoReplay: bigint, sender: Uint8Array, read: () => DecodedDhtPkAnnounce | undefined): Json {
  let announce;
  try {
    announce = read();
  } catch (error) {
    if (error instanceof DecodeError) return { handler: 'dhtpk', accepted: false };
    throw error;
  }
  if (announce === undefined || toHex(sender) !== toHex(friend) || announce.noReplay <= lastNoReplay) return { handler: 'dhtpk', accepted: false };
  return {
    handler: 'dhtpk',
    accepted: true,
    dht_public_key: toHex(announce.dhtPublicKey),
    relays: announce.nodes.filter((n) => n.protocol === 'tcp').map(plainNode),
    getnodes_to: announce.nodes.filter((n) => n.protocol === 'udp').map((n) => plainAddress(n.ipPort)),
  };
}

const onionData: OnionRunner = (t, { input, expected }) => {
  const kind = str(input, 'kind');
  if (kind === 'request') {
    const sender = keyPair(input, 'sender_real_secret_key');
    const destination = bytes(input, 'destination_real_public_key');
    const nonce = bytes(input, 'nonce');
    const data = sealOnionData(shared(destination, sender.secretKey), nonce, sender.publicKey, bytes(input, 'payload'));
    t.is(toHex(data), str(expected, 'data'), 'the sealed data');
    const ephemeral = keyPair(input, 'ephemeral_secret_key');
    const packet = encodeOnionDataRequest(destination, nonce, ephemeral.publicKey,
      shared(bytes(input, 'destination_data_public_key'), ephemeral.secretKey), data);
    t.is(toHex(packet), str(expected, 'packet'), 'the data request');
    return;
  }
  if (kind === 'node') {
    const got = verdict(() => {
      const env = decodeOnionDataRequest(bytes(input, 'packet'));
      if (toHex(env.destinationRealPublicKey) !== str(input, 'stored_public_key')) return { error: 'not-announced' };
      return {
        to: address(input, 'stored_to'),
        packet: toHex(encodeOnionResponse(bytes(input, 'stored_return_path'), encodeOnionDataResponse(env))),
      };
    });
    t.deepEqual(got, expected);
    return;
  }
  if (kind !== 'client') throw new TypeError(`unknown kind ${kind}`);
  const dataKey = bytes(input, 'data_secret_key');
  const realKey = bytes(input, 'real_secret_key');
  const got = verdict(() => {
    const env = decodeOnionDataResponse(bytes(input, 'packet'));
    const sealed = openOnionDataResponse(env, shared(env.ephemeralPublicKey, dataKey));
    if (sealed === undefined) return undefined;
    const payload = openOnionData(sealed, shared(sealed.senderRealPublicKey, realKey), env.nonce);
    if (payload === undefined) return undefined;
    return clientVerdict(input, sealed.senderRealPublicKey, payload);
  });
  t.deepEqual(got, expected);
};

/* ---- onion-dhtpk-routed ---- */

const onionDhtPkRouted: OnionRunner = (t, { input, expected }) => {
  const kind = str(input, 'kind');
  if (kind === 'encode') {
    const senderReal = keyPair(input, 'sender_real_secret_key');
    const senderDht = keyPair(input, 'sender_dht_secret_key');
    const receiverReal = bytes(input, 'receiver_real_public_key');
    const receiverDht = bytes(input, 'receiver_dht_public_key');
    const announcement = bytes(input, 'announcement');
    const realShared = shared(receiverReal, senderReal.secretKey);
    if (announcement.length < 41 || announcement.length > 297) {
      t.throws(() => sealRoutedDhtPk(realShared, bytes(input, 'nonce'), senderReal.publicKey, announcement), { instanceOf: EncodeError },
        'toxlink does not build what a 0.2.18 receiver refuses');
      t.throws(() => decodeRoutedDhtPk(bytes(expected, 'data')), { instanceOf: DecodeError }, 'nor does it read it');
      return;
    }
    const data = sealRoutedDhtPk(realShared, bytes(input, 'nonce'), senderReal.publicKey, announcement);
    t.is(toHex(data), str(expected, 'data'), 'the routed payload');
    const packet = encodeDhtRequest(receiverDht, senderDht.publicKey, shared(receiverDht, senderDht.secretKey),
      bytes(input, 'request_nonce'), 0x9c, data);
    t.is(toHex(packet), str(expected, 'packet'), 'the DHT request');
    return;
  }
  if (kind !== 'decode') throw new TypeError(`unknown kind ${kind}`);
  const header = decodeDhtRequestHeader(bytes(input, 'packet'));
  const request = openDhtRequest(header, shared(header.senderPublicKey, bytes(input, 'receiver_dht_secret_key')));
  const friend = bytes(input, 'friend_public_key');
  const got = (() => {
    // A request that does not open never reaches the onion client.
    if (request === undefined || request.requestId !== 0x9c) return { handler: 'dhtpk', accepted: false };
    let env;
    try {
      env = decodeRoutedDhtPk(request.payload);
    } catch (error) {
      if (error instanceof DecodeError) return { handler: 'dhtpk', accepted: false };
      throw error;
    }
    const e = env;
    return dhtPkVerdict(friend, decimal(input, 'last_no_replay'), e.senderRealPublicKey,
      () => openRoutedDhtPk(e, shared(e.senderRealPublicKey, bytes(input, 'receiver_real_secret_key')), header.senderPublicKey));
  })();
  const { handler: _handler, ...rest } = got;
  t.deepEqual(rest, expected);
};

/* ---- onion-ping-id ---- */

const onionPingId: OnionRunner = (t, { input, expected }) => {
  const key = bytes(input, 'key');
  const now = seconds(input, 'now');
  const timeout = int(input, 'timeout');
  const data = bytes(input, 'data');
  const kind = str(input, 'kind');
  if (kind === 'generate') {
    t.is(toHex(timedAuth(key, now, timeout, data)), str(expected, 'auth'));
    return;
  }
  if (kind !== 'check') throw new TypeError(`unknown kind ${kind}`);
  t.is(checkTimedAuth(key, now, timeout, data, bytes(input, 'auth')), bool(expected, 'valid'));
};

/** The onion suites, by name, to spread into test/vectors.test.ts's runners. */
export const ONION_RUNNERS: Readonly<Record<string, OnionRunner>> = {
  'onion-request': onionRequest,
  'onion-response': onionResponse,
  'onion-announce': onionAnnounce,
  'onion-data': onionData,
  'onion-dhtpk-routed': onionDhtPkRouted,
  'onion-ping-id': onionPingId,
  'onion-capture': onionCapture,
};
