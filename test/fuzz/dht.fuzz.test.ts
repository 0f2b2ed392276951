import test from 'ava';
import { generateKeyPair, precompute } from '../../src/crypto/index.ts';
import { CryptoPacket, DecodeError, PACKED_NODE_SIZE_IPV4, type PackedNode, packNodes } from '../../src/wire/index.ts';
import { decodeDhtEnvelope, openDhtPacket } from '../../src/dht/dht-packet.ts';
import { type PingKind, decodePingPlain, encodePing } from '../../src/dht/ping-packet.ts';
import {
  decodeNodesRequestPlain, decodeNodesResponsePlain, encodeNodesRequest, encodeNodesResponse,
} from '../../src/dht/nodes-packet.ts';
import { decodeDhtRequestHeader, encodeDhtRequest, openDhtRequest } from '../../src/dht/dht-request.ts';
import { decodeNatPing, encodeNatPing } from '../../src/dht/nat-ping.ts';
import { decodeLanDiscovery, encodeLanDiscovery } from '../../src/dht/lan-discovery.ts';
import { fuzzParser } from './harness.ts';

const key = (b: number) => new Uint8Array(32).fill(b);
const alice = generateKeyPair();
const bob = generateKeyPair();
const shared = precompute(bob.publicKey, alice.secretKey)!;
const bobShared = precompute(alice.publicKey, bob.secretKey)!;
const nonce = new Uint8Array(24).fill(7);
const id8 = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
const nodes: PackedNode[] = [
  { protocol: 'udp', ipPort: { host: '192.0.2.1', port: 33445 }, publicKey: key(1) },
  { protocol: 'udp', ipPort: { host: '2001:db8::1', port: 1 }, publicKey: key(2) },
];

const pings = (['request', 'response'] as const).map((kind) => encodePing(kind, alice.publicKey, shared, nonce, id8));
const nodesRequest = encodeNodesRequest(alice.publicKey, shared, nonce, key(9), id8);
const nodesResponse = encodeNodesResponse(alice.publicKey, shared, nonce, nodes, id8);
const natRequest = encodeDhtRequest(bob.publicKey, alice.publicKey, shared, nonce, CryptoPacket.NAT_PING, encodeNatPing('request', id8));
const bigRequest = encodeDhtRequest(bob.publicKey, alice.publicKey, shared, nonce, 100, new Uint8Array(300).fill(5));

test('decodeDhtEnvelope fails only with DecodeError and returns no more than it was given', (t) => {
  fuzzParser(t, {
    parse: decodeDhtEnvelope,
    errors: [DecodeError],
    samples: [...pings, nodesRequest, nodesResponse],
    outputSize: (env) => 1 + env.senderPublicKey.length + env.nonce.length + env.box.length,
  });
});

test('a whole ping or nodes packet, opened with the right key, fails only with DecodeError', (t) => {
  // The receive path as the DHT node runs it: envelope, box, then the plaintext decoder for
  // the kind. Bit flips of the header and box mostly stop at the MAC; the plaintext
  // decoders are fuzzed on their own below.
  fuzzParser(t, {
    parse: (bytes) => {
      const env = decodeDhtEnvelope(bytes);
      const plain = openDhtPacket(env, bobShared);
      if (plain === undefined) return 0;
      switch (env.kind) {
        case 0: return decodePingPlain('request', plain).length;
        case 1: return decodePingPlain('response', plain).length;
        case 2: return decodeNodesRequestPlain(plain).target.length;
        case 4: return decodeNodesResponsePlain(plain).nodes.length;
        default: return 0;
      }
    },
    errors: [DecodeError],
    samples: [...pings, nodesRequest, nodesResponse],
    runs: 500,
  });
});

for (const kind of ['request', 'response'] as PingKind[]) {
  test(`decodePingPlain('${kind}') fails only with DecodeError`, (t) => {
    fuzzParser(t, {
      parse: (bytes) => decodePingPlain(kind, bytes),
      errors: [DecodeError],
      samples: [Uint8Array.of(kind === 'request' ? 0 : 1, ...id8)],
      outputSize: (id) => id.length,
      maxLength: 64,
    });
  });
}

test('decodeNodesRequestPlain fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: decodeNodesRequestPlain,
    errors: [DecodeError],
    samples: [Uint8Array.of(...key(9), ...id8)],
    outputSize: (r) => r.target.length + r.sendback.length,
    maxLength: 128,
  });
});

test('decodeNodesResponsePlain fails only with DecodeError and returns at most one node per 39 bytes', (t) => {
  const one = Uint8Array.of(1, ...packNodes(nodes.slice(0, 1)), ...id8);
  const two = Uint8Array.of(2, ...packNodes(nodes), ...id8);
  fuzzParser(t, {
    parse: decodeNodesResponsePlain,
    errors: [DecodeError],
    samples: [one, two],
    outputSize: (r) => r.nodes.length * PACKED_NODE_SIZE_IPV4 + r.sendback.length,
    maxLength: 512,
  });
});

test('decodeDhtRequestHeader fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: decodeDhtRequestHeader,
    errors: [DecodeError],
    samples: [natRequest, bigRequest],
    outputSize: (h) => 1 + h.receiverPublicKey.length + h.senderPublicKey.length + h.nonce.length + h.box.length,
  });
});

test('a whole DHT request, opened and its NAT ping read, fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => {
      const opened = openDhtRequest(decodeDhtRequestHeader(bytes), bobShared);
      if (opened === undefined) return 0;
      return opened.requestId === CryptoPacket.NAT_PING ? decodeNatPing(opened.payload).pingId.length : opened.payload.length;
    },
    errors: [DecodeError],
    samples: [natRequest, bigRequest],
    runs: 500,
  });
});

test('openDhtRequest on any header shape fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (box) => openDhtRequest({ receiverPublicKey: bob.publicKey, senderPublicKey: alice.publicKey, nonce, box }, bobShared),
    errors: [DecodeError],
    samples: [decodeDhtRequestHeader(natRequest).box.slice()],
    outputSize: (r) => (r === undefined ? 0 : 1 + r.payload.length),
  });
});

test('decodeNatPing fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: decodeNatPing,
    errors: [DecodeError],
    samples: [encodeNatPing('request', id8), encodeNatPing('response', id8)],
    outputSize: (p) => p.pingId.length,
    maxLength: 64,
  });
});

test('decodeLanDiscovery fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: decodeLanDiscovery,
    errors: [DecodeError],
    samples: [encodeLanDiscovery(alice.publicKey)],
    outputSize: (k) => k.length,
    maxLength: 128,
  });
});
