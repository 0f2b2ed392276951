/**
 * Runs every known-answer suite in test/vectors/*.json (layout: test/vectors/README.md)
 * against toxlink. The expected values come from c-toxcore 0.2.18 itself, written by
 * test/vectors/generator; a failure here means toxlink disagrees with c-toxcore.
 *
 * Each vector is its own test, named `suite: vector name`. A file whose `format` this
 * runner does not know, or whose `suite` it cannot run, fails instead of being skipped.
 */
import test, { type ExecutionContext } from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import {
  decryptPrecomputed, encryptPrecomputed, incrementNonce, incrementNonceBy, keyPairFromSecretKey, precompute,
} from '../src/crypto/index.ts';
import {
  DecodeError, type PackedNode, type Protocol, ToxIdError, formatToxId, packNodes, parseToxId, toHex,
  unpackNodes, NetPacket, CryptoPacket, netPacketName,
} from '../src/wire/index.ts';
import { decodeDhtEnvelope, openDhtPacket } from '../src/dht/dht-packet.ts';
import { type PingKind, decodePingPlain, encodePing } from '../src/dht/ping-packet.ts';
import {
  decodeNodesRequestPlain, decodeNodesResponsePlain, encodeNodesRequest, encodeNodesResponse,
} from '../src/dht/nodes-packet.ts';
import { decodeDhtRequestHeader, encodeDhtRequest, openDhtRequest } from '../src/dht/dht-request.ts';
import { decodeNatPing, encodeNatPing } from '../src/dht/nat-ping.ts';
import { decodeLanDiscovery, encodeLanDiscovery } from '../src/dht/lan-discovery.ts';
import { cookieAge, openCookie, sealCookie } from '../src/netcrypto/cookie.ts';
import { decodeCookieRequest, encodeCookieRequest, openCookieRequest } from '../src/netcrypto/cookie-request.ts';
import {
  answersRequest, decodeCookieResponse, encodeCookieResponse, openCookieResponse,
} from '../src/netcrypto/cookie-response.ts';
import {
  cookieHashMatches, decodeHandshake, encodeHandshake, openHandshakeBox, readHandshake,
} from '../src/netcrypto/handshake.ts';
import { decodeDataPacket, encodeDataPacket, openDataPacket, payloadKind } from '../src/netcrypto/data-packet.ts';
import { decodeRequestPayload, encodeRequestPayload } from '../src/netcrypto/request-packet.ts';
import { ONION_RUNNERS } from './vectors/onion-runners.ts';
import { RELAY_RUNNERS } from './vectors/relay-runners.ts';
import { SAVEDATA_RUNNERS } from './vectors/savedata-runners.ts';
import { type Json, isObject, field, str, int, bool, bytes, list } from './vectors/fields.ts';

/** The layouts of test/vectors/README.md this runner understands. */
const KNOWN_FORMATS: ReadonlySet<number> = new Set([1]);

const VECTORS_DIR = new URL('./vectors/', import.meta.url);

interface Vector {
  readonly name: string;
  readonly input: Json;
  readonly expected: Json;
}

interface Suite {
  readonly file: string;
  readonly format: unknown;
  readonly suite: unknown;
  readonly vectors: readonly Vector[];
}

/* ---- loading the suites (test/vectors/fields.ts checks each field's type) ---- */

function loadSuites(): Suite[] {
  const files = readdirSync(VECTORS_DIR).filter((f) => f.endsWith('.json')).sort();
  return files.map((file) => {
    const data: unknown = JSON.parse(readFileSync(new URL(file, VECTORS_DIR), 'utf8'));
    if (!isObject(data)) throw new TypeError(`${file}: not a JSON object`);
    const vectors = list(data, 'vectors').map((v): Vector => ({
      name: str(v, 'name'),
      input: isObject(v['input']) ? v['input'] : {},
      expected: isObject(v['expected']) ? v['expected'] : {},
    }));
    return { file, format: data['format'], suite: data['suite'], vectors };
  });
}

/* ---- one runner per suite ---- */

type Runner = (t: ExecutionContext, v: Vector) => void | Promise<void>;

const naclBox: Runner = (t, { input, expected }) => {
  const sharedKey = precompute(bytes(input, 'public_key'), bytes(input, 'secret_key'));
  if (sharedKey === undefined) return t.fail('precompute refused the public key');
  t.is(toHex(sharedKey), str(expected, 'shared_key'), 'shared key');

  const nonce = bytes(input, 'nonce');
  const plaintext = bytes(input, 'plaintext');
  const box = encryptPrecomputed(sharedKey, nonce, plaintext);
  t.is(toHex(box), str(expected, 'box'), 'box');

  const opened = decryptPrecomputed(sharedKey, nonce, bytes(expected, 'box'));
  t.is(opened === undefined ? 'refused' : toHex(opened), toHex(plaintext), 'the expected box opens to the plaintext');
};

const nonceIncrement: Runner = (t, { input, expected }) => {
  const nonce = bytes(input, 'nonce');
  if ('increment' in input) {
    const increment = int(input, 'increment');
    incrementNonceBy(nonce, increment);
  } else {
    incrementNonce(nonce);
  }
  t.is(toHex(nonce), str(expected, 'nonce'));
};

function nodeFromJson(o: Json): PackedNode {
  const protocol = str(o, 'protocol');
  if (protocol !== 'udp' && protocol !== 'tcp') throw new TypeError(`unknown protocol ${protocol}`);
  return {
    protocol: protocol satisfies Protocol,
    ipPort: { host: str(o, 'host'), port: int(o, 'port') },
    publicKey: bytes(o, 'public_key'),
  };
}

/** A node as plain JSON-like data, so t.deepEqual shows readable differences. */
function nodeToPlain(n: PackedNode): Json {
  return { protocol: n.protocol, host: n.ipPort.host, port: n.ipPort.port, public_key: toHex(n.publicKey) };
}

const packedNodes: Runner = (t, { input, expected }) => {
  if ('nodes' in input) {
    // Encode vector: the bytes, then the way back.
    const nodes = list(input, 'nodes').map(nodeFromJson);
    const packed = packNodes(nodes);
    t.is(toHex(packed), str(expected, 'bytes'), 'packed bytes');

    const encoded = bytes(expected, 'bytes');
    const back = unpackNodes(encoded, 0xffff, { allowTcp: true });
    t.deepEqual(back.nodes.map(nodeToPlain), nodes.map(nodeToPlain), 'decoding the bytes gives the nodes back');
    t.is(back.consumed, encoded.length, 'decoding reads every byte');
    return;
  }

  // Decode vector.
  const data = bytes(input, 'bytes');
  const max = int(input, 'max');
  const allowTcp = bool(input, 'tcp_enabled');
  if ('error' in expected) {
    const err = t.throws(() => unpackNodes(data, max, { allowTcp }), { instanceOf: DecodeError });
    t.is<string | undefined, string>(err?.code, str(expected, 'error'), 'error code');
    return;
  }
  const got = unpackNodes(data, max, { allowTcp });
  t.deepEqual(got.nodes.map(nodeToPlain), list(expected, 'nodes').map(nodeFromJson).map(nodeToPlain), 'nodes');
  t.is(got.consumed, int(expected, 'consumed'), 'bytes consumed');
};

const toxId: Runner = (t, { input, expected }) => {
  if ('public_key' in input) {
    // Format vector, and the way back.
    const publicKey = bytes(input, 'public_key');
    const nospam = int(input, 'nospam');
    const text = str(expected, 'tox_id');
    t.is(formatToxId({ publicKey, nospam }), text, 'formatted Tox ID');
    const id = parseToxId(text);
    t.is(toHex(id.publicKey), toHex(publicKey), 'parsed public key');
    t.is(id.nospam, nospam, 'parsed nospam');
    return;
  }

  // Parse vector.
  const text = str(input, 'text');
  if ('error' in expected) {
    const err = t.throws(() => parseToxId(text), { instanceOf: ToxIdError });
    t.is<string | undefined, string>(err?.code, str(expected, 'error'), 'error code');
    return;
  }
  const id = parseToxId(text);
  t.is(toHex(id.publicKey), str(expected, 'public_key'), 'public key');
  t.is(id.nospam, int(expected, 'nospam'), 'nospam');
  t.is(formatToxId(id), text.toUpperCase(), 'formats back to the upper-case text');
};

/* ---- DHT packets: a decode vector's outcome is its fields, or the reason it is refused ---- */

/**
 * Runs `decode` and turns a refusal into `{ error }`: a `DecodeError`'s code, or `bad-mac`
 * when `decode` returns `undefined` (a box that does not open). Anything else thrown fails
 * the test, as it should.
 */
function outcome(decode: () => Json | undefined): Json {
  try {
    return decode() ?? { error: 'bad-mac' };
  } catch (error) {
    if (error instanceof DecodeError) return { error: error.code };
    throw error;
  }
}

/** The expected outcome of a decode vector: `{ error }`, or its fields, hex kept as text. */
function expectedOutcome(expected: Json): Json {
  return 'error' in expected ? { error: str(expected, 'error') } : expected;
}

function pingKind(o: Json): PingKind {
  const kind = str(o, 'kind');
  if (kind !== 'request' && kind !== 'response') throw new TypeError(`unknown kind ${kind}`);
  return kind;
}

/** The shared key as the receiver computes it: its secret key and the sender's public key. */
function receiverKey(senderPublicKey: Uint8Array, receiverSecretKey: Uint8Array): Uint8Array {
  const k = precompute(senderPublicKey, receiverSecretKey);
  if (k === undefined) throw new TypeError('precompute refused the sender key');
  return k;
}

/** Opens a ping or nodes packet as its receiver; the plaintext, or `undefined` on a bad MAC. */
function openAsReceiver(packet: Uint8Array, kindByte: number, receiverSecretKey: Uint8Array) {
  const env = decodeDhtEnvelope(packet);
  if (env.kind !== kindByte) throw new TypeError(`packet kind ${env.kind}, vector says ${kindByte}`);
  const plain = openDhtPacket(env, receiverKey(env.senderPublicKey, receiverSecretKey));
  return plain === undefined ? undefined : { env, plain };
}

function decodePingPacket(kind: PingKind, packet: Uint8Array, receiverSecretKey: Uint8Array): Json {
  return outcome(() => {
    const opened = openAsReceiver(packet, kind === 'request' ? NetPacket.PING_REQUEST : NetPacket.PING_RESPONSE, receiverSecretKey);
    if (opened === undefined) return undefined;
    const pingId = decodePingPlain(kind, opened.plain);
    return { sender_public_key: toHex(opened.env.senderPublicKey), nonce: toHex(opened.env.nonce), ping_id: toHex(pingId) };
  });
}

const dhtPing: Runner = (t, { input, expected }) => {
  const kind = pingKind(input);
  if ('packet' in input) {
    t.deepEqual(decodePingPacket(kind, bytes(input, 'packet'), bytes(input, 'receiver_secret_key')), expectedOutcome(expected));
    return;
  }
  const senderPublicKey = bytes(input, 'sender_public_key');
  const sharedKey = receiverKey(bytes(input, 'receiver_public_key'), bytes(input, 'sender_secret_key'));
  t.is(toHex(sharedKey), str(expected, 'shared_key'), 'shared key');
  const packet = encodePing(kind, senderPublicKey, sharedKey, bytes(input, 'nonce'), bytes(input, 'ping_id'));
  t.is(toHex(packet), str(expected, 'packet'), 'packet');
  t.deepEqual(
    decodePingPacket(kind, bytes(expected, 'packet'), bytes(input, 'receiver_secret_key')),
    { sender_public_key: toHex(senderPublicKey), nonce: str(input, 'nonce'), ping_id: str(input, 'ping_id') },
    'the receiver decodes the packet back',
  );
};

function decodeNodesPacket(kind: PingKind, packet: Uint8Array, receiverSecretKey: Uint8Array): Json {
  return outcome(() => {
    const opened = openAsReceiver(packet, kind === 'request' ? NetPacket.GET_NODES : NetPacket.SEND_NODES_IPV6, receiverSecretKey);
    if (opened === undefined) return undefined;
    const head = { sender_public_key: toHex(opened.env.senderPublicKey), nonce: toHex(opened.env.nonce) };
    if (kind === 'request') {
      const { target, sendback } = decodeNodesRequestPlain(opened.plain);
      return { ...head, target: toHex(target), sendback: toHex(sendback) };
    }
    const { nodes, sendback } = decodeNodesResponsePlain(opened.plain);
    return { ...head, nodes: nodes.map(nodeToPlain), sendback: toHex(sendback) };
  });
}

const dhtNodes: Runner = (t, { input, expected }) => {
  const kind = pingKind(input);
  if ('packet' in input) {
    const want = expectedOutcome(expected);
    if ('nodes' in want) want['nodes'] = list(want, 'nodes').map(nodeFromJson).map(nodeToPlain);
    t.deepEqual(decodeNodesPacket(kind, bytes(input, 'packet'), bytes(input, 'receiver_secret_key')), want);
    return;
  }
  const senderPublicKey = bytes(input, 'sender_public_key');
  const sharedKey = receiverKey(bytes(input, 'receiver_public_key'), bytes(input, 'sender_secret_key'));
  t.is(toHex(sharedKey), str(expected, 'shared_key'), 'shared key');
  const nonce = bytes(input, 'nonce');
  const sendback = bytes(input, 'sendback');
  const head = { sender_public_key: toHex(senderPublicKey), nonce: toHex(nonce) };
  let packet: Uint8Array, fields: Json;
  if (kind === 'request') {
    const target = bytes(input, 'target');
    packet = encodeNodesRequest(senderPublicKey, sharedKey, nonce, target, sendback);
    fields = { ...head, target: toHex(target), sendback: toHex(sendback) };
  } else {
    const nodes = list(input, 'nodes').map(nodeFromJson);
    packet = encodeNodesResponse(senderPublicKey, sharedKey, nonce, nodes, sendback);
    fields = { ...head, nodes: nodes.map(nodeToPlain), sendback: toHex(sendback) };
  }
  t.is(toHex(packet), str(expected, 'packet'), 'packet');
  t.deepEqual(decodeNodesPacket(kind, bytes(expected, 'packet'), bytes(input, 'receiver_secret_key')), fields,
    'the receiver decodes the packet back');
};

function natPingOutcome(payload: Uint8Array): Json {
  return outcome(() => {
    const ping = decodeNatPing(payload);
    return { kind: ping.kind, ping_id: toHex(ping.pingId) };
  });
}

function decodeRequestPacket(packet: Uint8Array, receiverSecretKey: Uint8Array): Json {
  return outcome(() => {
    const header = decodeDhtRequestHeader(packet);
    const opened = openDhtRequest(header, receiverKey(header.senderPublicKey, receiverSecretKey));
    if (opened === undefined) return undefined;
    const fields: Json = {
      receiver_public_key: toHex(header.receiverPublicKey),
      sender_public_key: toHex(header.senderPublicKey),
      nonce: toHex(header.nonce),
      request_id: opened.requestId,
      payload: toHex(opened.payload),
    };
    if (opened.requestId === CryptoPacket.NAT_PING) fields['nat_ping'] = natPingOutcome(opened.payload);
    return fields;
  });
}

const dhtRequest: Runner = (t, { input, expected }) => {
  if ('packet' in input) {
    t.deepEqual(decodeRequestPacket(bytes(input, 'packet'), bytes(input, 'receiver_secret_key')), expectedOutcome(expected));
    return;
  }
  const receiverPublicKey = bytes(input, 'receiver_public_key');
  const senderPublicKey = bytes(input, 'sender_public_key');
  const sharedKey = receiverKey(receiverPublicKey, bytes(input, 'sender_secret_key'));
  t.is(toHex(sharedKey), str(expected, 'shared_key'), 'shared key');
  const requestId = int(input, 'request_id');
  const payload = bytes(input, 'payload');
  const fields: Json = {
    receiver_public_key: toHex(receiverPublicKey),
    sender_public_key: toHex(senderPublicKey),
    nonce: str(input, 'nonce'),
    request_id: requestId,
    payload: toHex(payload),
  };
  if ('nat_ping' in input) {
    const nat = field(input, 'nat_ping');
    if (!isObject(nat)) throw new TypeError('nat_ping must be an object');
    t.is(toHex(encodeNatPing(pingKind(nat), bytes(nat, 'ping_id'))), toHex(payload), 'NAT ping payload');
    fields['nat_ping'] = { kind: str(nat, 'kind'), ping_id: str(nat, 'ping_id') };
  }
  const packet = encodeDhtRequest(receiverPublicKey, senderPublicKey, sharedKey, bytes(input, 'nonce'), requestId, payload);
  t.is(toHex(packet), str(expected, 'packet'), 'packet');
  t.deepEqual(decodeRequestPacket(bytes(expected, 'packet'), bytes(input, 'receiver_secret_key')), fields,
    'the receiver decodes the packet back');
};

const dhtLanDiscovery: Runner = (t, { input, expected }) => {
  const decode = (packet: Uint8Array): Json => outcome(() => ({ public_key: toHex(decodeLanDiscovery(packet)) }));
  if ('packet' in input) {
    t.deepEqual(decode(bytes(input, 'packet')), expectedOutcome(expected));
    return;
  }
  const publicKey = bytes(input, 'public_key');
  t.is(toHex(encodeLanDiscovery(publicKey)), str(expected, 'packet'), 'packet');
  t.deepEqual(decode(bytes(expected, 'packet')), { public_key: toHex(publicKey) }, 'decodes back');
};

/* ---- net_crypto packets ---- */

/** A 64-bit count of seconds, written as decimal text, as a number (they are all far below 2^53). */
function seconds(o: Json, key: string): number {
  const text = str(o, key);
  if (!/^\d+$/.test(text)) throw new TypeError(`field ${key} must be decimal text`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new TypeError(`field ${key} is beyond 2^53`);
  return value;
}

function numbers(o: Json, key: string): number[] {
  const v = field(o, key);
  if (!Array.isArray(v) || !v.every((n) => typeof n === 'number' && Number.isSafeInteger(n))) {
    throw new TypeError(`field ${key} must be a list of integers`);
  }
  return v as number[];
}

const netcryptoCookie: Runner = (t, { input, expected }) => {
  if ('cookie' in input) {
    const decode = (): Json => outcome(() => {
      const opened = openCookie(bytes(input, 'cookie_key'), bytes(input, 'cookie'));
      if (opened === undefined) return undefined;
      const age = cookieAge(opened.timestamp, seconds(input, 'now'));
      if (age !== 'fresh') return { error: age };
      return {
        timestamp: String(opened.timestamp),
        real_public_key: toHex(opened.realPublicKey),
        dht_public_key: toHex(opened.dhtPublicKey),
      };
    });
    t.deepEqual(decode(), expectedOutcome(expected));
    return;
  }
  const key = bytes(input, 'cookie_key');
  const contents = {
    timestamp: seconds(input, 'timestamp'),
    realPublicKey: bytes(input, 'real_public_key'),
    dhtPublicKey: bytes(input, 'dht_public_key'),
  };
  t.is(toHex(sealCookie(key, bytes(input, 'nonce'), contents)), str(expected, 'cookie'), 'cookie');
  const back = openCookie(key, bytes(expected, 'cookie'));
  t.deepEqual(back, contents, 'opens to its contents');
};

const netcryptoCookieRequest: Runner = (t, { input, expected }) => {
  const decode = (packet: Uint8Array, receiverSecretKey: Uint8Array): Json => outcome(() => {
    const envelope = decodeCookieRequest(packet);
    const k = precompute(envelope.senderDhtPublicKey, receiverSecretKey);
    const opened = k === undefined ? undefined : openCookieRequest(envelope, k);
    if (opened === undefined) return undefined;
    return {
      sender_dht_public_key: toHex(envelope.senderDhtPublicKey),
      nonce: toHex(envelope.nonce),
      sender_real_public_key: toHex(opened.senderRealPublicKey),
      echo_id: toHex(opened.echoId),
    };
  });
  if ('packet' in input) {
    t.deepEqual(decode(bytes(input, 'packet'), bytes(input, 'receiver_dht_secret_key')), expectedOutcome(expected));
    return;
  }
  const sharedKey = receiverKey(bytes(input, 'receiver_dht_public_key'), bytes(input, 'sender_dht_secret_key'));
  t.is(toHex(sharedKey), str(expected, 'shared_key'), 'shared key');
  const packet = encodeCookieRequest(bytes(input, 'sender_dht_public_key'), sharedKey, bytes(input, 'nonce'),
    bytes(input, 'sender_real_public_key'), bytes(input, 'echo_id'));
  t.is(toHex(packet), str(expected, 'packet'), 'packet');
  t.deepEqual(decode(bytes(expected, 'packet'), bytes(input, 'receiver_dht_secret_key')), {
    sender_dht_public_key: str(input, 'sender_dht_public_key'),
    nonce: str(input, 'nonce'),
    sender_real_public_key: str(input, 'sender_real_public_key'),
    echo_id: str(input, 'echo_id'),
  }, 'the receiver decodes the packet back');
};

const netcryptoCookieResponse: Runner = (t, { input, expected }) => {
  const decode = (packet: Uint8Array, k: Uint8Array, requestEchoId: Uint8Array): Json => outcome(() => {
    const envelope = decodeCookieResponse(packet);
    const opened = openCookieResponse(envelope, k);
    if (opened === undefined) return undefined;
    return {
      nonce: toHex(envelope.nonce),
      cookie: toHex(opened.cookie),
      echo_id: toHex(opened.echoId),
      answers_request: answersRequest(opened, requestEchoId),
    };
  });
  if ('packet' in input) {
    const k = receiverKey(bytes(input, 'responder_dht_public_key'), bytes(input, 'requester_dht_secret_key'));
    t.deepEqual(decode(bytes(input, 'packet'), k, bytes(input, 'request_echo_id')), expectedOutcome(expected));
    return;
  }
  const sharedKey = receiverKey(bytes(input, 'requester_dht_public_key'), bytes(input, 'responder_dht_secret_key'));
  t.is(toHex(sharedKey), str(expected, 'shared_key'), 'shared key');
  const packet = encodeCookieResponse(sharedKey, bytes(input, 'nonce'), bytes(input, 'cookie'), bytes(input, 'echo_id'));
  t.is(toHex(packet), str(expected, 'packet'), 'packet');
  const requesterKey = receiverKey(bytes(input, 'responder_dht_public_key'), bytes(input, 'requester_dht_secret_key'));
  t.deepEqual(decode(bytes(expected, 'packet'), requesterKey, bytes(input, 'echo_id')), {
    nonce: str(input, 'nonce'), cookie: str(input, 'cookie'), echo_id: str(input, 'echo_id'), answers_request: true,
  }, 'the requester decodes the packet back');
};

const netcryptoHandshake: Runner = (t, { input, expected }) => {
  if ('packet' in input) {
    const got = outcome(() => {
      const verdict = readHandshake(bytes(input, 'packet'), {
        realSecretKey: bytes(input, 'receiver_real_secret_key'),
        cookieKey: bytes(input, 'cookie_key'),
        nowSeconds: seconds(input, 'now'),
        expectedRealPublicKey: 'expected_real_public_key' in input ? bytes(input, 'expected_real_public_key') : undefined,
      });
      if (!verdict.ok) return { error: verdict.reason };
      const h = verdict.handshake;
      return {
        peer_real_public_key: toHex(h.peerRealPublicKey),
        peer_dht_public_key: toHex(h.peerDhtPublicKey),
        base_nonce: toHex(h.baseNonce),
        session_public_key: toHex(h.sessionPublicKey),
        other_cookie: toHex(h.otherCookie),
      };
    });
    t.deepEqual(got, expectedOutcome(expected));
    return;
  }
  const sharedKey = receiverKey(bytes(input, 'receiver_real_public_key'), bytes(input, 'sender_real_secret_key'));
  t.is(toHex(sharedKey), str(expected, 'shared_key'), 'shared key');
  const other = field(input, 'other_cookie');
  if (!isObject(other)) throw new TypeError('other_cookie must be an object');
  const otherCookie = sealCookie(bytes(other, 'cookie_key'), bytes(other, 'nonce'), {
    timestamp: seconds(other, 'timestamp'),
    realPublicKey: bytes(other, 'real_public_key'),
    dhtPublicKey: bytes(other, 'dht_public_key'),
  });
  t.is(toHex(otherCookie), str(expected, 'other_cookie'), 'the cookie made for the receiver');
  const cookie = bytes(input, 'cookie');
  const packet = encodeHandshake(sharedKey, bytes(input, 'nonce'), cookie, bytes(input, 'base_nonce'),
    bytes(input, 'session_public_key'), otherCookie);
  t.is(toHex(packet), str(expected, 'packet'), 'packet');
  const envelope = decodeHandshake(bytes(expected, 'packet'));
  const opened = openHandshakeBox(envelope,
    receiverKey(bytes(input, 'sender_real_public_key'), bytes(input, 'receiver_real_secret_key')));
  if (opened === undefined) return t.fail('the receiver cannot open the box');
  t.is(toHex(envelope.cookie), toHex(cookie), 'cookie in clear');
  t.true(cookieHashMatches(envelope.cookie, opened.cookieHash), 'the hash is the cookie\'s');
  t.is(toHex(opened.baseNonce), str(input, 'base_nonce'));
  t.is(toHex(opened.sessionPublicKey), str(input, 'session_public_key'));
  t.is(toHex(opened.otherCookie), str(expected, 'other_cookie'));
};

function decodeData(packet: Uint8Array, sharedKey: Uint8Array, receiveNonce: Uint8Array): Json {
  return outcome(() => {
    const opened = openDataPacket(decodeDataPacket(packet), sharedKey, receiveNonce);
    if (opened === undefined) return undefined;
    return {
      nonce: toHex(opened.nonce),
      buffer_start: opened.bufferStart,
      packet_number: opened.packetNumber,
      payload: toHex(opened.payload),
      kind: payloadKind(opened.payload[0]!),
      next_receive_nonce: toHex(opened.nextReceiveNonce),
    };
  });
}

const netcryptoData: Runner = (t, { input, expected }) => {
  if ('packet' in input) {
    t.deepEqual(decodeData(bytes(input, 'packet'), bytes(input, 'shared_key'), bytes(input, 'receive_nonce')),
      expectedOutcome(expected));
    return;
  }
  const sharedKey = receiverKey(bytes(input, 'receiver_session_public_key'), bytes(input, 'sender_session_secret_key'));
  t.is(toHex(sharedKey), str(expected, 'shared_key'), 'shared key');
  const nonce = bytes(input, 'nonce');
  const payload = bytes(input, 'payload');
  const packet = encodeDataPacket(sharedKey, nonce, int(input, 'buffer_start'), int(input, 'packet_number'), payload);
  t.is(toHex(packet), str(expected, 'packet'), 'packet');
  t.deepEqual(decodeData(bytes(expected, 'packet'), sharedKey, nonce), {
    nonce: toHex(nonce),
    buffer_start: int(input, 'buffer_start'),
    packet_number: int(input, 'packet_number'),
    payload: toHex(payload),
    kind: payloadKind(payload[0]!),
    next_receive_nonce: toHex(nonce),
  }, 'a receiver whose stored nonce is the packet\'s decodes it back');
};

const netcryptoRequest: Runner = (t, { input, expected }) => {
  const start = int(input, 'buffer_start');
  const end = int(input, 'buffer_end');
  if ('missing' in input) {
    const missing = new Set(numbers(input, 'missing'));
    t.is(toHex(encodeRequestPayload(start, end, (n) => !missing.has(n))), str(expected, 'payload'), 'payload');
    return;
  }
  const got = decodeRequestPayload(bytes(input, 'payload'), start, end);
  t.deepEqual({ requested: got.requested, end: got.end }, { requested: numbers(expected, 'requested'), end: int(expected, 'end') });
};

/* ---- whole sessions captured from c-toxcore ---- */

function strings(o: Json, key: string): string[] {
  const v = field(o, key);
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new TypeError(`field ${key} must be a list of strings`);
  return v as string[];
}

/** A cookie toxlink made (in its own packets), opened with its cookie key. */
function cookieFields(cookieKey: Uint8Array, cookie: Uint8Array): Json {
  const c = openCookie(cookieKey, cookie);
  if (c === undefined) return { error: 'bad-mac' };
  return { timestamp: String(c.timestamp), real_public_key: toHex(c.realPublicKey), dht_public_key: toHex(c.dhtPublicKey) };
}

/**
 * Replays a recorded session: every datagram, in order, decoded with toxlink's codecs from
 * the vector alone. The C peer's packets are read as toxlink received them; toxlink's own
 * as their sender can read them (the DHT and real shared keys are the same both ways; the
 * C peer's stored nonce starts at toxlink's base nonce). The session key is the one of
 * toxlink's session secret key and the session public key in the C peer's handshake.
 */
const netcryptoSession: Runner = (t, { input, expected }) => {
  const real = keyPairFromSecretKey(bytes(input, 'toxlink_real_secret_key'));
  const dht = keyPairFromSecretKey(bytes(input, 'toxlink_dht_secret_key'));
  const session = keyPairFromSecretKey(bytes(input, 'toxlink_session_secret_key'));
  t.is(toHex(real.publicKey), str(input, 'toxlink_real_public_key'), 'toxlink\'s real public key');
  t.is(toHex(dht.publicKey), str(input, 'toxlink_dht_public_key'), 'toxlink\'s DHT public key');
  t.is(toHex(session.publicKey), str(input, 'toxlink_session_public_key'), 'toxlink\'s session public key');
  const cookieKey = bytes(input, 'cookie_key');
  const baseNonce = bytes(input, 'toxlink_base_nonce');
  const cReal = bytes(input, 'c_real_public_key');
  const cDht = bytes(input, 'c_dht_public_key');
  const dhtKey = receiverKey(cDht, dht.secretKey);
  const realKey = receiverKey(cReal, real.secretKey);

  const datagrams = list(input, 'datagrams');
  const want = list(expected, 'datagrams');
  t.is(want.length, datagrams.length, 'one expected entry per datagram');

  let sessionKey: Uint8Array | undefined;
  // Each receiver's stored nonce: toxlink's for the C peer's data packets starts at the base
  // nonce of the C peer's handshake (taken again from a repeated handshake until a data
  // packet opens); the C peer's for toxlink's starts at toxlink's base nonce.
  let fromCNonce: Uint8Array | undefined;
  let fromCOpened = false;
  let toCNonce: Uint8Array = baseNonce;
  let toxlinkEcho: Uint8Array | undefined;
  let cEcho: Uint8Array | undefined;
  let lastAt = 0;
  const fromCData: Json[] = [];

  datagrams.forEach((d, i) => {
    const direction = str(d, 'direction');
    if (direction !== 'from-c' && direction !== 'to-c') throw new TypeError(`datagram ${i}: unknown direction ${direction}`);
    const fromC = direction === 'from-c';
    const what = `datagram ${i} (${direction})`;
    const at = int(d, 'at_ms');
    t.true(at >= lastAt, `${what}: in time order`);
    lastAt = at;
    const packet = bytes(d, 'packet');
    const got = outcome((): Json | undefined => {
      const id = packet[0];
      if (id === NetPacket.COOKIE_REQUEST) {
        const envelope = decodeCookieRequest(packet);
        const opened = openCookieRequest(envelope, fromC ? receiverKey(envelope.senderDhtPublicKey, dht.secretKey) : dhtKey);
        if (opened === undefined) return undefined;
        if (fromC) cEcho = opened.echoId;
        else toxlinkEcho = opened.echoId;
        return {
          kind: 'cookie-request',
          sender_dht_public_key: toHex(envelope.senderDhtPublicKey),
          nonce: toHex(envelope.nonce),
          sender_real_public_key: toHex(opened.senderRealPublicKey),
          echo_id: toHex(opened.echoId),
        };
      }
      if (id === NetPacket.COOKIE_RESPONSE) {
        const envelope = decodeCookieResponse(packet);
        const opened = openCookieResponse(envelope, dhtKey);
        if (opened === undefined) return undefined;
        // A response answers the other side's latest request.
        const echo = fromC ? toxlinkEcho : cEcho;
        const fields: Json = {
          kind: 'cookie-response',
          nonce: toHex(envelope.nonce),
          cookie: toHex(opened.cookie),
          echo_id: toHex(opened.echoId),
          answers_request: echo !== undefined && answersRequest(opened, echo),
        };
        if (!fromC) fields['cookie_contents'] = cookieFields(cookieKey, opened.cookie);
        return fields;
      }
      if (id === NetPacket.CRYPTO_HS && fromC) {
        const verdict = readHandshake(packet, {
          realSecretKey: real.secretKey, cookieKey, nowSeconds: seconds(d, 'now'), expectedRealPublicKey: cReal,
        });
        if (!verdict.ok) return { error: verdict.reason };
        const h = verdict.handshake;
        t.is(toHex(h.peerRealPublicKey), toHex(cReal), `${what}: the cookie names the C peer's real key`);
        t.is(toHex(h.peerDhtPublicKey), toHex(cDht), `${what}: the cookie names the C peer's DHT key`);
        sessionKey = receiverKey(h.sessionPublicKey, session.secretKey);
        if (!fromCOpened) fromCNonce = h.baseNonce.slice();
        return {
          kind: 'handshake',
          cookie_timestamp: String(h.cookieTimestamp),
          peer_real_public_key: toHex(h.peerRealPublicKey),
          peer_dht_public_key: toHex(h.peerDhtPublicKey),
          base_nonce: toHex(h.baseNonce),
          session_public_key: toHex(h.sessionPublicKey),
          other_cookie: toHex(h.otherCookie),
        };
      }
      if (id === NetPacket.CRYPTO_HS) {
        const envelope = decodeHandshake(packet);
        const opened = openHandshakeBox(envelope, realKey);
        if (opened === undefined) return undefined;
        t.true(cookieHashMatches(envelope.cookie, opened.cookieHash), `${what}: the hash is the cookie's`);
        t.is(toHex(opened.baseNonce), toHex(baseNonce), `${what}: toxlink's base nonce`);
        t.is(toHex(opened.sessionPublicKey), toHex(session.publicKey), `${what}: toxlink's session key`);
        return {
          kind: 'handshake',
          cookie: toHex(envelope.cookie),
          nonce: toHex(envelope.nonce),
          base_nonce: toHex(opened.baseNonce),
          session_public_key: toHex(opened.sessionPublicKey),
          other_cookie: toHex(opened.otherCookie),
          other_cookie_contents: cookieFields(cookieKey, opened.otherCookie),
        };
      }
      if (id === NetPacket.CRYPTO_DATA) {
        if (sessionKey === undefined) throw new TypeError(`${what}: a data packet before the C peer's handshake`);
        const receiveNonce = bytes(d, 'receive_nonce');
        const stored = fromC ? fromCNonce : toCNonce;
        t.is(toHex(receiveNonce), stored === undefined ? 'none' : toHex(stored), `${what}: the receiver's stored nonce`);
        const opened = openDataPacket(decodeDataPacket(packet), sessionKey, receiveNonce);
        if (opened === undefined) return undefined;
        if (fromC) {
          fromCNonce = opened.nextReceiveNonce;
          fromCOpened = true;
        } else {
          toCNonce = opened.nextReceiveNonce;
        }
        return {
          kind: 'data',
          nonce: toHex(opened.nonce),
          buffer_start: opened.bufferStart,
          packet_number: opened.packetNumber,
          payload: toHex(opened.payload),
          payload_kind: payloadKind(opened.payload[0]!),
          next_receive_nonce: toHex(opened.nextReceiveNonce),
        };
      }
      return { kind: 'other', packet_id: id, name: netPacketName(id ?? -1) };
    });
    t.deepEqual(got, want[i], what);
    if (fromC && got['kind'] === 'data') fromCData.push(got);
  });

  t.is(sessionKey === undefined ? 'no handshake from the C peer' : toHex(sessionKey), str(expected, 'session_shared_key'),
    'the session key: toxlink\'s session secret key and the C peer\'s session public key');

  // The payloads the capture had c-toxcore send: the lossless ones in order among the C
  // peer's lossless payloads (each packet number once, as a receiver delivers them), the
  // lossy ones among its lossy payloads.
  const sent = field(expected, 'c_sent');
  if (!isObject(sent)) throw new TypeError('c_sent must be an object');
  const byNumber = new Map<number, string>();
  for (const f of fromCData) if (f['payload_kind'] === 'lossless') byNumber.set(f['packet_number'] as number, f['payload'] as string);
  const delivered = [...byNumber].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
  let at = -1;
  for (const p of strings(sent, 'lossless')) {
    at = delivered.indexOf(p, at + 1);
    t.true(at >= 0, `the C peer sent lossless ${p.slice(0, 32)}… (${p.length / 2} bytes), in order`);
    if (at < 0) break;
  }
  const lossy = new Set(fromCData.filter((f) => f['payload_kind'] === 'lossy').map((f) => f['payload']));
  for (const p of strings(sent, 'lossy')) t.true(lossy.has(p), `the C peer sent lossy ${p.slice(0, 32)}… (${p.length / 2} bytes)`);
};

const RUNNERS: Readonly<Record<string, Runner>> = {
  'nacl-box': naclBox,
  'nonce-increment': nonceIncrement,
  'packed-nodes': packedNodes,
  'tox-id': toxId,
  'dht-ping': dhtPing,
  'dht-nodes': dhtNodes,
  'dht-request': dhtRequest,
  'dht-lan-discovery': dhtLanDiscovery,
  'netcrypto-cookie': netcryptoCookie,
  'netcrypto-cookie-request': netcryptoCookieRequest,
  'netcrypto-cookie-response': netcryptoCookieResponse,
  'netcrypto-handshake': netcryptoHandshake,
  'netcrypto-data': netcryptoData,
  'netcrypto-request': netcryptoRequest,
  'netcrypto-session': netcryptoSession,
  ...ONION_RUNNERS,
  ...RELAY_RUNNERS,
  ...SAVEDATA_RUNNERS,
};

/* ---- registration ---- */

const suites = loadSuites();

test('test/vectors holds every suite this runner knows', (t) => {
  const present = new Set(suites.map((s) => s.suite));
  t.deepEqual(Object.keys(RUNNERS).filter((name) => !present.has(name)), [], 'suites without a file');
});

for (const s of suites) {
  const runner = typeof s.suite === 'string' ? RUNNERS[s.suite] : undefined;

  if (typeof s.format !== 'number' || !KNOWN_FORMATS.has(s.format)) {
    test(`${s.file}: format`, (t) => {
      t.fail(`${s.file} has format ${JSON.stringify(s.format)}; this runner knows ${[...KNOWN_FORMATS].join(', ')}`);
    });
    continue;
  }
  if (runner === undefined) {
    test(`${s.file}: suite`, (t) => {
      t.fail(`${s.file} is suite ${JSON.stringify(s.suite)}, which this runner cannot run`);
    });
    continue;
  }

  test(`${s.file}: vector names are unique and the suite is not empty`, (t) => {
    const names = s.vectors.map((v) => v.name);
    t.true(names.length > 0);
    t.is(new Set(names).size, names.length);
  });

  for (const v of s.vectors) {
    test(`${String(s.suite)}: ${v.name}`, (t) => runner(t, v));
  }
}
