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
  unpackNodes,
} from '../src/wire/index.ts';

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

const RUNNERS: Readonly<Record<string, Runner>> = {
  'nacl-box': naclBox,
  'nonce-increment': nonceIncrement,
  'packed-nodes': packedNodes,
  'tox-id': toxId,
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
