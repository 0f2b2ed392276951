import test from 'ava';
import {
  ByteReader, DecodeError, ToxIdError, decodePackedNode, formatToxId, fromHex, packNodes, parseToxId, unpackNodes,
  PACKED_NODE_SIZE_IPV4,
} from '../../src/wire/index.ts';
import { fuzzParser } from './harness.ts';

const key = (b: number) => new Uint8Array(32).fill(b);
const samples = [
  packNodes([{ protocol: 'udp', ipPort: { host: '127.0.0.1', port: 33445 }, publicKey: key(1) }]),
  packNodes([
    { protocol: 'udp', ipPort: { host: '2001:db8::1', port: 1 }, publicKey: key(2) },
    { protocol: 'tcp', ipPort: { host: '10.0.0.1', port: 443 }, publicKey: key(3) },
    { protocol: 'tcp', ipPort: { host: '::ffff:1.2.3.4', port: 9 }, publicKey: key(4) },
  ]),
];

test('unpackNodes (TCP allowed) fails only with DecodeError and returns at most one node per 39 bytes', (t) => {
  fuzzParser(t, {
    parse: (b) => unpackNodes(b, 8, { allowTcp: true }),
    errors: [DecodeError],
    samples,
    outputSize: (r) => r.nodes.length * PACKED_NODE_SIZE_IPV4,
  });
});

test('unpackNodes (UDP only) fails only with DecodeError', (t) => {
  fuzzParser(t, { parse: (b) => unpackNodes(b, 4, { allowTcp: false }), errors: [DecodeError], samples });
});

test('decodePackedNode fails only with DecodeError', (t) => {
  fuzzParser(t, { parse: (b) => decodePackedNode(new ByteReader(b), { allowTcp: true }), errors: [DecodeError], samples });
});

test('ByteReader reads of every width fail only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (b) => {
      const r = new ByteReader(b);
      const out = [r.u8(), r.u16(), r.u32(), Number(r.u64() & 0xffn), r.bytes(r.u8()).length];
      r.end();
      return out;
    },
    errors: [DecodeError],
    samples: [fromHex('01' + '0203' + '04050607' + '08090a0b0c0d0e0f' + '02' + 'aabb')],
    outputSize: () => 0,
  });
});

test('parseToxId fails only with ToxIdError, on bytes read as text', (t) => {
  const id = new TextEncoder().encode(formatToxId({ publicKey: key(9), nospam: 0xdeadbeef }));
  fuzzParser(t, {
    parse: (b) => parseToxId(new TextDecoder().decode(b)),
    errors: [ToxIdError],
    samples: [id],
    maxLength: 200,
  });
});

test('fromHex fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (b) => fromHex(new TextDecoder().decode(b)),
    errors: [DecodeError],
    samples: [new TextEncoder().encode('00ff7f80aB')],
    outputSize: (r) => r.length,
  });
});
