/**
 * Every onion parser, fuzzed: random bytes, every truncation and bit flip of valid packets,
 * and splices. Each may only return or throw a `DecodeError`, and returns no more than it
 * was given.
 */
import test from 'ava';
import { generateKeyPair, precompute } from '../../src/crypto/index.ts';
import { ByteReader, DecodeError, type PackedNode } from '../../src/wire/index.ts';
import {
  createOnionPath, decodeAnnounceRequest, decodeAnnounceResponse, decodeDhtPkAnnounce, decodeFriendRequest, decodeOnionDataRequest,
  decodeOnionDataResponse, decodeOnionIpPort, decodeOnionLayer, decodeOnionRequest, decodeOnionResponse, decodeReturnAddress,
  decodeRoutedDhtPk, decodeTcpOnionRequest, encodeAnnounceRequest, encodeAnnounceResponse, encodeDhtPkAnnounce, encodeForwardedRequest,
  encodeFriendRequest, encodeOnionDataRequest, encodeOnionDataResponse, encodeOnionRequest, encodeOnionResponse, encodeTcpOnionRequest,
  openAnnounceRequest, openAnnounceResponse, openOnionData, openOnionDataResponse, openOnionRequest, openReturnPath, openRoutedDhtPk,
  packOnionIpPort, sealOnionData, sealReturnPath, sealRoutedDhtPk,
} from '../../src/onion/index.ts';
import { fuzzParser } from './harness.ts';

const filled = (n: number, b: number) => new Uint8Array(n).fill(b);
const k = (pk: Uint8Array, sk: Uint8Array) => precompute(pk, sk)!;
const nonce = filled(24, 7);
const dht = generateKeyPair();
const hop = [generateKeyPair(), generateKeyPair(), generateKeyPair()] as const;
const node = (i: number, host: string) => ({ ipPort: { host, port: 33445 + i }, publicKey: hop[i]!.publicKey });
const path = createOnionPath(dht, [node(0, '192.0.2.1'), node(1, '2001:db8::2'), node(2, '192.0.2.3')], generateKeyPair(),
  generateKeyPair())!;
const destination = { host: '203.0.113.4', port: 33445 };
const hopKey = filled(32, 0x5e);
const nodes: PackedNode[] = [
  { protocol: 'udp', ipPort: { host: '198.51.100.31', port: 1 }, publicKey: filled(32, 1) },
  { protocol: 'tcp', ipPort: { host: '2001:db8::9', port: 443 }, publicKey: filled(32, 2) },
];

// A request walked through its three hops, with real blobs.
const request0 = encodeOnionRequest(path, nonce, destination, filled(177, 0x83));
const steps = [request0];
const blobs: Uint8Array[] = [];
for (let i = 0; i < 3; i++) {
  const env = decodeOnionRequest(steps[i]!);
  const layer = openOnionRequest(env, k(env.publicKey, hop[i]!.secretKey))!;
  blobs.push(sealReturnPath(hopKey, nonce, { kind: 'udp', ipPort: { host: '192.0.2.9', port: 9 } }, env.returnPath));
  steps.push(encodeForwardedRequest(env.hop, env.nonce, layer.inner, blobs[i]!));
}
const tcpBody = encodeTcpOnionRequest(path, nonce, destination, Uint8Array.of(0x85, 1));
const tcpBlob = sealReturnPath(hopKey, nonce, { kind: 'tcp-client', connectionId: 3, identifier: 77n }, new Uint8Array(0));

const sender = generateKeyPair();
const announceNode = generateKeyPair();
const announceKey = k(announceNode.publicKey, sender.secretKey);
const announceRequest = (format: 'old' | 'new') => new Uint8Array([...encodeAnnounceRequest(format, announceKey, sender.publicKey, nonce,
  { pingId: filled(32, 1), searchPublicKey: sender.publicKey, dataPublicKey: filled(32, 2), sendback: filled(8, 3) }), ...blobs[2]!]);
const announceResponse = (format: 'old' | 'new') => encodeAnnounceResponse(format, announceKey, nonce, filled(8, 3),
  { isStored: 2, pingIdOrKey: filled(32, 4), nodes: nodes.slice(0, 1) });

const friendReal = generateKeyPair();
const friendData = generateKeyPair();
const ephemeral = generateKeyPair();
const dhtPk = encodeDhtPkAnnounce({ noReplay: 1_700_000_000n, dhtPublicKey: dht.publicKey, nodes });
const friendRequest = encodeFriendRequest({ nospam: Uint8Array.of(1, 2, 3, 4), message: new TextEncoder().encode('hello') });
const dataRequest = (payload: Uint8Array) => encodeOnionDataRequest(friendReal.publicKey, nonce, ephemeral.publicKey,
  k(friendData.publicKey, ephemeral.secretKey), sealOnionData(k(friendReal.publicKey, sender.secretKey), nonce, sender.publicKey, payload));
const dataRequestArrived = new Uint8Array([...dataRequest(dhtPk), ...blobs[2]!]);
const dataResponse = encodeOnionDataResponse(decodeOnionDataRequest(dataRequestArrived));
const routed = sealRoutedDhtPk(k(friendReal.publicKey, sender.secretKey), nonce, sender.publicKey, dhtPk);

test('decodeOnionRequest and openOnionRequest, at every hop, fail only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => {
      const env = decodeOnionRequest(bytes);
      const key = precompute(env.publicKey, hop[env.hop - 1]!.secretKey);
      return key === undefined ? undefined : openOnionRequest(env, key);
    },
    errors: [DecodeError],
    samples: steps.slice(0, 3),
    outputSize: (layer) => (layer === undefined ? 0 : layer.inner.length),
    runs: 500,
  });
});

test('decodeOnionLayer fails only with DecodeError', (t) => {
  const plain = new Uint8Array([...packOnionIpPort(destination), 0x83, 1, 2, 3]);
  for (const h of [1, 2, 3] as const) {
    fuzzParser(t, { parse: (bytes) => decodeOnionLayer(h, bytes), errors: [DecodeError], samples: [plain], outputSize: (l) => l.inner.length, runs: 300 });
  }
});

test('decodeTcpOnionRequest fails only with DecodeError', (t) => {
  fuzzParser(t, { parse: decodeTcpOnionRequest, errors: [DecodeError], samples: [tcpBody], outputSize: (r) => r.nonce.length + r.layer.inner.length });
});

test('openReturnPath fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => openReturnPath(hopKey, bytes),
    errors: [DecodeError],
    samples: [...blobs, tcpBlob],
    outputSize: (p) => (p === undefined ? 0 : p.previous.length),
    maxLength: 256,
  });
});

test('decodeOnionIpPort and decodeReturnAddress fail only with DecodeError', (t) => {
  const sample = packOnionIpPort({ host: '2001:db8::1', port: 7 });
  fuzzParser(t, { parse: (bytes) => decodeOnionIpPort(new ByteReader(bytes)), errors: [DecodeError], samples: [sample], maxLength: 64 });
  for (const allow of [true, false]) {
    fuzzParser(t, { parse: (bytes) => decodeReturnAddress(new ByteReader(bytes), allow), errors: [DecodeError], samples: [sample], maxLength: 64 });
  }
});

test('decodeOnionResponse fails only with DecodeError', (t) => {
  const response = encodeOnionResponse(blobs[2]!, announceResponse('old'));
  fuzzParser(t, {
    parse: decodeOnionResponse,
    errors: [DecodeError],
    samples: [response, Uint8Array.of(0x8e, ...blobs[0]!, 0x86, 1)],
    outputSize: (e) => 1 + e.returnPath.length + e.data.length,
  });
});

test('decodeAnnounceRequest and openAnnounceRequest fail only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => {
      const env = decodeAnnounceRequest(bytes);
      const key = precompute(env.senderPublicKey, announceNode.secretKey);
      return key === undefined ? undefined : openAnnounceRequest(env, key);
    },
    errors: [DecodeError],
    samples: [announceRequest('old'), announceRequest('new')],
    runs: 500,
  });
});

test('decodeAnnounceResponse and openAnnounceResponse fail only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => openAnnounceResponse(decodeAnnounceResponse(bytes), announceKey),
    errors: [DecodeError],
    samples: [announceResponse('old'), announceResponse('new')],
    outputSize: (r) => (r === undefined ? 0 : 1 + r.pingIdOrKey.length + r.nodes.length * 19 + r.extra.length),
  });
});

test('decodeOnionDataRequest fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: decodeOnionDataRequest,
    errors: [DecodeError],
    samples: [dataRequestArrived],
    outputSize: (e) => e.destinationRealPublicKey.length + e.body.length + e.returnPath.length,
  });
});

test('a data response, opened to its payload, fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => {
      const env = decodeOnionDataResponse(bytes);
      const dataKey = precompute(env.ephemeralPublicKey, friendData.secretKey);
      const sealed = dataKey === undefined ? undefined : openOnionDataResponse(env, dataKey);
      if (sealed === undefined) return undefined;
      const realKey = precompute(sealed.senderRealPublicKey, friendReal.secretKey);
      return realKey === undefined ? undefined : openOnionData(sealed, realKey, env.nonce);
    },
    errors: [DecodeError],
    samples: [dataResponse],
    outputSize: (p) => p?.length ?? 0,
    runs: 500,
  });
});

test('decodeDhtPkAnnounce fails only with DecodeError', (t) => {
  for (const checkId of [true, false]) {
    fuzzParser(t, {
      parse: (bytes) => decodeDhtPkAnnounce(bytes, { checkId }),
      errors: [DecodeError],
      samples: [dhtPk],
      outputSize: (a) => 9 + a.dhtPublicKey.length + a.nodes.length * 7,
      maxLength: 512,
    });
  }
});

test('the routed DHT key announcement, opened, fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => {
      const env = decodeRoutedDhtPk(bytes);
      const key = precompute(env.senderRealPublicKey, friendReal.secretKey);
      return key === undefined ? undefined : openRoutedDhtPk(env, key, dht.publicKey);
    },
    errors: [DecodeError],
    samples: [routed],
    maxLength: 512,
    runs: 500,
  });
});

test('decodeFriendRequest fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: decodeFriendRequest,
    errors: [DecodeError],
    samples: [friendRequest],
    outputSize: (r) => 1 + r.nospam.length + r.message.length,
  });
});
