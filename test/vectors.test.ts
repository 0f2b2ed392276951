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
  decryptPrecomputed, encryptPrecomputed, incrementNonce, incrementNonceBy, precompute,
} from '../src/crypto/index.ts';
import {
  DecodeError, type PackedNode, type Protocol, ToxIdError, formatToxId, fromHex, packNodes, parseToxId, toHex,
  unpackNodes, NetPacket, CryptoPacket,
} from '../src/wire/index.ts';
import { decodeDhtEnvelope, openDhtPacket } from '../src/dht/dht-packet.ts';
import { type PingKind, decodePingPlain, encodePing } from '../src/dht/ping-packet.ts';
import {
  decodeNodesRequestPlain, decodeNodesResponsePlain, encodeNodesRequest, encodeNodesResponse,
} from '../src/dht/nodes-packet.ts';
import { decodeDhtRequestHeader, encodeDhtRequest, openDhtRequest } from '../src/dht/dht-request.ts';
import { decodeNatPing, encodeNatPing } from '../src/dht/nat-ping.ts';
import { decodeLanDiscovery, encodeLanDiscovery } from '../src/dht/lan-discovery.ts';

/** The layouts of test/vectors/README.md this runner understands. */
const KNOWN_FORMATS: ReadonlySet<number> = new Set([1]);

const VECTORS_DIR = new URL('./vectors/', import.meta.url);

type Json = Record<string, unknown>;

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

/* ---- reading fields with their types checked, so a malformed file fails loudly ---- */

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(o: Json, key: string): unknown {
  if (!(key in o)) throw new TypeError(`missing field ${JSON.stringify(key)}`);
  return o[key];
}

function str(o: Json, key: string): string {
  const v = field(o, key);
  if (typeof v !== 'string') throw new TypeError(`field ${key} must be a string`);
  return v;
}

function int(o: Json, key: string): number {
  const v = field(o, key);
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new TypeError(`field ${key} must be an integer`);
  return v;
}

function bool(o: Json, key: string): boolean {
  const v = field(o, key);
  if (typeof v !== 'boolean') throw new TypeError(`field ${key} must be a boolean`);
  return v;
}

function bytes(o: Json, key: string): Uint8Array {
  const text = str(o, key);
  if (!/^(?:[0-9a-f]{2})*$/.test(text)) throw new TypeError(`field ${key} must be lower-case hex`);
  return fromHex(text);
}

function list(o: Json, key: string): Json[] {
  const v = field(o, key);
  if (!Array.isArray(v) || !v.every(isObject)) throw new TypeError(`field ${key} must be a list of objects`);
  return v;
}

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

type Runner = (t: ExecutionContext, v: Vector) => void;

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

const RUNNERS: Readonly<Record<string, Runner>> = {
  'nacl-box': naclBox,
  'nonce-increment': nonceIncrement,
  'packed-nodes': packedNodes,
  'tox-id': toxId,
  'dht-ping': dhtPing,
  'dht-nodes': dhtNodes,
  'dht-request': dhtRequest,
  'dht-lan-discovery': dhtLanDiscovery,
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
