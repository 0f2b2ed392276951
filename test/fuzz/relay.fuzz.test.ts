import test from 'ava';
import fc from 'fast-check';
import { generateKeyPair, precompute } from '../../src/crypto/index.ts';
import { SimClock } from '../../src/io/index.ts';
import { DecodeError } from '../../src/wire/index.ts';
import {
  OnionUdpHop, SecureStream, decodeClientHandshake, decodeConnectNotification, decodeData, decodeDisconnectNotification,
  decodeForwarding, decodeFrame, decodeOnionRequest, decodeOnionResponse, decodeOobReceive, decodeOobSend, decodePing,
  decodePong, decodeRelayPacket, decodeRoutingRequest, decodeRoutingResponse, decodeServerHandshake, encodeClientHandshake,
  encodeConnectNotification, encodeData, encodeDisconnectNotification, encodeForwarding, encodeFrame, encodeOnionRequest,
  encodeOnionResponse, encodeOobReceive, encodeOobSend, encodePing, encodePong, encodeRoutingRequest, encodeRoutingResponse,
  encodeServerHandshake, openClientHandshake, openFrame, openServerHandshake, readOnionIpPort,
} from '../../src/relay/index.ts';
import { fuzzParser } from './harness.ts';

const filled = (n: number, b: number) => new Uint8Array(n).fill(b);
const client = generateKeyPair();
const relay = generateKeyPair();
const shared = precompute(relay.publicKey, client.secretKey)!;
const contents = { tempPublicKey: generateKeyPair().publicKey, baseNonce: filled(24, 0xba) };
const clientHandshake = encodeClientHandshake(client.publicKey, shared, filled(24, 1), contents);
const serverHandshake = encodeServerHandshake(shared, filled(24, 2), contents);
const sessionKey = precompute(generateKeyPair().publicKey, generateKeyPair().secretKey)!;
const nonce = filled(24, 3);
const key = filled(32, 0x42);

/** Each frame decoder with valid samples of its own type. */
const decoders: Array<[string, (b: Uint8Array) => unknown, Uint8Array[]]> = [
  ['routing request', decodeRoutingRequest, [encodeRoutingRequest(key)]],
  ['routing response', decodeRoutingResponse, [encodeRoutingResponse(16, key), encodeRoutingResponse(0, key)]],
  ['connect notification', decodeConnectNotification, [encodeConnectNotification(16)]],
  ['disconnect notification', decodeDisconnectNotification, [encodeDisconnectNotification(255)]],
  ['ping', decodePing, [encodePing(filled(8, 1))]],
  ['pong', decodePong, [encodePong(filled(8, 2))]],
  ['OOB send', decodeOobSend, [encodeOobSend(key, filled(40, 0x18))]],
  ['OOB receive', decodeOobReceive, [encodeOobReceive(key, filled(3, 0x1a))]],
  ['onion request', decodeOnionRequest, [encodeOnionRequest(nonce, filled(180, 2))]],
  ['onion response', decodeOnionResponse, [encodeOnionResponse(filled(90, 0x84))]],
  ['forwarding', decodeForwarding, [encodeForwarding('forward-request', filled(5, 1)), encodeForwarding('forwarding', filled(5, 1))]],
  ['data', decodeData, [encodeData(16, filled(30, 0x1b)), encodeData(255, Uint8Array.of(1))]],
];

for (const [name, parse, samples] of decoders) {
  test(`${name}: the decoder fails only with DecodeError and returns no more than it was given`, (t) => {
    fuzzParser(t, { parse, errors: [DecodeError], samples, runs: 1000 });
  });
}

test('decodeRelayPacket fails only with DecodeError on anything', (t) => {
  fuzzParser(t, {
    parse: decodeRelayPacket,
    errors: [DecodeError],
    samples: decoders.flatMap(([, , s]) => s),
    runs: 3000,
  });
});

test('the client handshake, opened as the relay opens it, fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => {
      const envelope = decodeClientHandshake(bytes);
      const k = precompute(envelope.clientPublicKey, relay.secretKey);
      return k === undefined ? undefined : openClientHandshake(envelope, k);
    },
    errors: [DecodeError],
    samples: [clientHandshake],
    outputSize: (c) => (c === undefined ? 0 : c.tempPublicKey.length + c.baseNonce.length),
    runs: 300,
  });
});

test('the relay handshake, opened as the client opens it, fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => openServerHandshake(decodeServerHandshake(bytes), shared),
    errors: [DecodeError],
    samples: [serverHandshake],
    outputSize: (c) => (c === undefined ? 0 : c.tempPublicKey.length + c.baseNonce.length),
    runs: 500,
  });
});

test('a whole frame, opened, fails only with DecodeError', (t) => {
  fuzzParser(t, {
    parse: (bytes) => openFrame(sessionKey, nonce, decodeFrame(bytes)),
    errors: [DecodeError],
    samples: [encodeFrame(sessionKey, nonce, encodePing(filled(8, 9))), encodeFrame(sessionKey, nonce, encodeData(16, filled(100, 1)))],
    outputSize: (p) => p?.length ?? 0,
  });
});

test('onion IP_Ports never throw', (t) => {
  fuzzParser(t, { parse: readOnionIpPort, errors: [], samples: [Uint8Array.of(2, 127, 0, 0, 1, ...new Uint8Array(12), 1, 2)], outputSize: () => 0 });
});

test('a secure stream takes any bytes in any chunks without throwing, at either end', (t) => {
  fc.assert(fc.property(
    fc.boolean(),
    fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 10 }),
    fc.boolean(),
    (serverSide, chunks, startValid) => {
      const stream = serverSide ? SecureStream.server(relay) : SecureStream.client(client, relay.publicKey);
      if (startValid) stream.push(serverSide ? clientHandshake : serverHandshake);
      let failures = 0;
      for (const chunk of chunks) {
        stream.push(chunk);
        for (let e = stream.next(); e !== undefined; e = stream.next()) if (e.kind === 'failed') failures++;
      }
      if (failures > 1) throw new Error('a stream failed twice');
      if (stream.buffered > 2050 + 400) throw new Error(`holds ${stream.buffered} bytes`);
    },
  ), { numRuns: 2000 });
  t.pass();
});

test('the onion hop takes any datagram without throwing', (t) => {
  const clock = new SimClock();
  const hop = new OnionUdpHop({
    socket: { local: { host: '127.0.0.1', port: 1 }, send: () => undefined, onReceive: () => undefined, close: async () => undefined },
    clock,
    deliver: () => true,
  });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 1500 }), fc.boolean(), (bytes, recv1) => {
    if (recv1 && bytes.length > 0) bytes[0] = 0x8e;
    hop.receive(bytes, { host: '127.0.0.1', port: 2 });
  }), { numRuns: 3000 });
  t.is(hop.stats.responsesDelivered, 0);
});
