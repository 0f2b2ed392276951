/**
 * The secure stream on its own, with no socket: handshakes both ways, frames in any
 * chunking, nonces per direction, and every way a stream breaks.
 */
import test from 'ava';
import fc from 'fast-check';
import { generateKeyPair, incrementNonce, keyPairFromSecretKey, precompute } from '../../src/crypto/index.ts';
import { fromHex, toHex } from '../../src/wire/index.ts';
import {
  type HandshakeSecrets, type StreamEvent, RelayError, SecureStream, encodeClientHandshake, encodeFrame,
} from '../../src/relay/index.ts';

const relayKeys = generateKeyPair();
const clientKeys = generateKeyPair();
const filled = (n: number, b: number) => new Uint8Array(n).fill(b);

function drain(stream: SecureStream): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (let e = stream.next(); e !== undefined; e = stream.next()) out.push(e);
  return out;
}

/** A client and a relay stream past the handshake, with fixed secrets. */
function pair(): { client: SecureStream; relay: SecureStream; clientSecrets: HandshakeSecrets; relaySecrets: HandshakeSecrets } {
  const clientSecrets = { keyPair: generateKeyPair(), baseNonce: filled(24, 0x01), nonce: filled(24, 0x02) };
  const relaySecrets = { keyPair: generateKeyPair(), baseNonce: filled(24, 0xf0), nonce: filled(24, 0x03) };
  const client = SecureStream.client(clientKeys, relayKeys.publicKey, clientSecrets);
  const relay = SecureStream.server(relayKeys, () => relaySecrets);
  relay.push(client.hello);
  const [hs] = drain(relay);
  if (hs?.kind !== 'handshake') throw new Error('no handshake');
  client.push(hs.reply!);
  drain(client);
  return { client, relay, clientSecrets, relaySecrets };
}

test('the handshake: 128 bytes in, 96 back, both sides open and know each other', (t) => {
  const client = SecureStream.client(clientKeys, relayKeys.publicKey);
  const relay = SecureStream.server(relayKeys);
  t.is(client.hello.length, 128);
  t.is(relay.hello.length, 0);
  t.is(client.state, 'handshake');
  relay.push(client.hello.subarray(0, 127));
  t.is(relay.next(), undefined);
  relay.push(client.hello.subarray(127));
  const hs = relay.next();
  t.is(hs?.kind, 'handshake');
  if (hs?.kind !== 'handshake') return;
  t.deepEqual(hs.peerPublicKey, clientKeys.publicKey);
  t.is(hs.reply?.length, 96);
  t.is(relay.state, 'open');
  client.push(hs.reply!);
  const done = client.next();
  t.deepEqual(done, { kind: 'handshake', peerPublicKey: relayKeys.publicKey, reply: undefined });
  t.is(client.state, 'open');
});

test('each direction counts from its own base nonce, one per frame', (t) => {
  const { client, relay, clientSecrets, relaySecrets } = pair();
  const session = precompute(relaySecrets.keyPair.publicKey, clientSecrets.keyPair.secretKey)!;
  const nonce = clientSecrets.baseNonce.slice();
  for (let i = 0; i < 3; i++) {
    t.deepEqual(client.seal(Uint8Array.of(16, i)), encodeFrame(session, nonce, Uint8Array.of(16, i)));
    incrementNonce(nonce);
  }
  const back = relaySecrets.baseNonce.slice();
  t.deepEqual(relay.seal(Uint8Array.of(5, 1, 1, 1, 1, 1, 1, 1, 1)), encodeFrame(session, back, Uint8Array.of(5, 1, 1, 1, 1, 1, 1, 1, 1)));
});

test('frames come out whole whatever the chunking', (t) => {
  fc.assert(fc.property(
    fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 12 }),
    fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 20 }),
    (plains, cuts) => {
      const { client, relay } = pair();
      const wire = Buffer.concat(plains.map((p) => client.seal(p)));
      const got: Uint8Array[] = [];
      let at = 0;
      for (let i = 0; at < wire.length; i++) {
        const n = cuts[i % cuts.length]!;
        relay.push(wire.subarray(at, at + n));
        at += n;
        for (const e of drain(relay)) {
          if (e.kind !== 'frame') throw new Error(`unexpected ${e.kind}`);
          got.push(e.plain);
        }
      }
      if (relay.buffered !== 0) throw new Error('bytes left over');
      if (got.length !== plains.length || got.some((g, i) => Buffer.compare(Buffer.from(g), Buffer.from(plains[i]!)) !== 0)) {
        throw new Error('frames differ');
      }
    },
  ), { numRuns: 200 });
  t.pass();
});

test('a frame with a flipped bit fails the stream once, for good', (t) => {
  const { client, relay } = pair();
  const frame = client.seal(Uint8Array.of(4, 1, 2, 3, 4, 5, 6, 7, 8));
  frame[frame.length - 1]! ^= 0x80;
  relay.push(frame);
  t.deepEqual(drain(relay), [{ kind: 'failed', reason: 'frame-bad-mac' }]);
  t.is(relay.state, 'failed');
  t.is(relay.failure, 'frame-bad-mac');
  relay.push(client.seal(Uint8Array.of(4, 1, 2, 3, 4, 5, 6, 7, 8)));
  t.deepEqual(drain(relay), []);
  t.throws(() => relay.seal(Uint8Array.of(1)), { instanceOf: RelayError });
});

test('a frame replayed or out of order fails: its nonce is not the next one', (t) => {
  const { client, relay } = pair();
  const first = client.seal(Uint8Array.of(16, 1));
  const second = client.seal(Uint8Array.of(16, 2));
  relay.push(second);
  t.deepEqual(drain(relay), [{ kind: 'failed', reason: 'frame-bad-mac' }]);
  const again = pair();
  const f = again.client.seal(Uint8Array.of(16, 1));
  again.relay.push(f);
  t.is(drain(again.relay)[0]?.kind, 'frame');
  again.relay.push(f);
  t.deepEqual(drain(again.relay), [{ kind: 'failed', reason: 'frame-bad-mac' }]);
  t.truthy(first);
});

test('a length above 2048 fails at once, before the bytes arrive', (t) => {
  const { relay } = pair();
  relay.push(Uint8Array.of(0x08, 0x01));
  t.deepEqual(drain(relay), [{ kind: 'failed', reason: 'frame-too-long' }]);
});

test('a length of 0 is skipped, as c-toxcore skips it', (t) => {
  const { client, relay } = pair();
  relay.push(Uint8Array.of(0, 0, 0));
  t.deepEqual(drain(relay), []);
  relay.push(Uint8Array.of(0, ...client.seal(Uint8Array.of(16, 1))));
  t.deepEqual(drain(relay), [{ kind: 'frame', plain: Uint8Array.of(16, 1) }]);
});

test('a length too short for a MAC and a byte fails', (t) => {
  for (const length of [1, 16]) {
    const { relay } = pair();
    relay.push(Uint8Array.of(length >> 8, length & 0xff, ...new Uint8Array(length)));
    t.deepEqual(drain(relay), [{ kind: 'failed', reason: 'frame-too-short' }]);
  }
});

test('a partial frame waits; the stream holds only what is incomplete', (t) => {
  const { client, relay } = pair();
  const frame = client.seal(new Uint8Array(2032).fill(9));
  relay.push(frame.subarray(0, 2000));
  t.is(relay.next(), undefined);
  t.is(relay.buffered, 2000);
  relay.push(frame.subarray(2000));
  t.is(drain(relay)[0]?.kind, 'frame');
  t.is(relay.buffered, 0);
});

test('a handshake sealed for another relay fails the relay side', (t) => {
  const client = SecureStream.client(clientKeys, generateKeyPair().publicKey);
  const relay = SecureStream.server(relayKeys);
  relay.push(client.hello);
  t.deepEqual(drain(relay), [{ kind: 'failed', reason: 'handshake-bad-mac' }]);
});

test('128 bytes of garbage fail the relay side; 96 bytes of garbage fail the client side', (t) => {
  const relay = SecureStream.server(relayKeys);
  relay.push(filled(128, 0x41));
  const [e] = drain(relay);
  t.true(e?.kind === 'failed' && (e.reason === 'handshake-bad-mac' || e.reason === 'handshake-bad-key'));
  const client = SecureStream.client(clientKeys, relayKeys.publicKey);
  client.push(filled(96, 0x41));
  t.deepEqual(drain(client), [{ kind: 'failed', reason: 'handshake-bad-mac' }]);
});

test('a handshake naming a low-order client key fails as a bad key', (t) => {
  const relay = SecureStream.server(relayKeys);
  const zeroKey = new Uint8Array(32);
  relay.push(encodeClientHandshake(zeroKey, filled(32, 1), filled(24, 2), { tempPublicKey: filled(32, 3), baseNonce: filled(24, 4) }));
  t.deepEqual(drain(relay), [{ kind: 'failed', reason: 'handshake-bad-key' }]);
});

test('a client refuses a relay key X25519 refuses; nothing is sent before the handshake', (t) => {
  t.throws(() => SecureStream.client(clientKeys, new Uint8Array(32)), { instanceOf: RelayError });
  t.throws(() => SecureStream.client(clientKeys, new Uint8Array(31)));
  const client = SecureStream.client(clientKeys, relayKeys.publicKey);
  t.throws(() => client.seal(Uint8Array.of(1)), { instanceOf: RelayError });
});

test('bytes that follow the handshake in the same chunk are read as frames', (t) => {
  const clientSecrets = { keyPair: generateKeyPair(), baseNonce: filled(24, 7), nonce: filled(24, 8) };
  const client = SecureStream.client(clientKeys, relayKeys.publicKey, clientSecrets);
  const relay = SecureStream.server(relayKeys);
  relay.push(client.hello);
  const hs = relay.next();
  if (hs?.kind !== 'handshake') return t.fail();
  client.push(hs.reply!);
  client.next();
  const relayFrame = relay.seal(Uint8Array.of(2, 16));
  // The relay's answer and its first frame in one chunk, as TCP may deliver them.
  const fresh = SecureStream.client(clientKeys, relayKeys.publicKey, clientSecrets);
  fresh.push(new Uint8Array([...hs.reply!, ...relayFrame]));
  const events = drain(fresh);
  t.deepEqual(events.map((e) => e.kind), ['handshake', 'frame']);
});

test('with c-toxcore\'s draws, the streams write c-toxcore\'s bytes (relay-handshake.json, relay-frame.json)', (t) => {
  // Client "a" and the relay of the generator's session: keys, temp keys, nonces as drawn there.
  const client = keyPairFromSecretKey(fromHex('25baa7a59f3dd04c8d40795d50f7f39dcf3a4883139e303a3e0abec6d53acaca'));
  const relay = keyPairFromSecretKey(fromHex('110fa064e49213bded846f9189570442c8031a425336740f337d55ef3baffa3d'));
  const clientStream = SecureStream.client(client, relay.publicKey, {
    keyPair: keyPairFromSecretKey(fromHex('71a431190400e1122ea42ac7fad09d9768fe9351883eae3b7a688bfb06a299f9')),
    baseNonce: fromHex('d1297abf14c9ade3ca7619d7a0252927e9a0eea8ebae8429'),
    nonce: fromHex('8f75707215061611a4b13d408dce3a5bbacfd29ca553a2d1'),
  });
  t.is(toHex(clientStream.hello),
    '1d0a4b8d27dbaa841426c927a7c8394e0c905fba36f4e440e9f59d3b2a49ed458f75707215061611a4b13d408dce3a5bbacfd29ca553a2d1'
    + 'e1f2577c81caf0a2d57a3433a06d4750901f21ba0ab20339b7d203fa3ebb43ca2cfd74ad18f1a2e70d1591f469f45446fbd8ae5adaa00901'
    + 'b0c8283099b104fa3ffc0210ea1923f7');
  const relayStream = SecureStream.server(relay, () => ({
    keyPair: keyPairFromSecretKey(fromHex('937d162e2deb4a4bf337a8f76975d738b6b07e3026d7ee394edc01faae0de04b')),
    baseNonce: fromHex('a35907fb9f3eda9533aab8f203e1eb84f685bbba6179d5c3'),
    nonce: fromHex('b2df2e162985207529d48a7360a5a96c1b535f7e550f502f'),
  }));
  relayStream.push(clientStream.hello);
  const hs = relayStream.next();
  if (hs?.kind !== 'handshake') return t.fail();
  t.is(toHex(hs.reply!),
    'b2df2e162985207529d48a7360a5a96c1b535f7e550f502fe21cb23be38b3932f6799d5562c9c9bab19d94710e58f8304b336289c42c38bb'
    + '15966ff40d7edcfd49a6201dd880a7cd6a0b10f3de4b1086b1e344bceff694d6dd8e720333c4031a');
  clientStream.push(hs.reply!);
  t.is(clientStream.next()?.kind, 'handshake');
  // The client's first frame, c-toxcore's ping.
  const ping = clientStream.seal(fromHex('047495c876fd6b184a'));
  t.is(toHex(ping), '0019531fde9ffe48f193cd230a75b5206df5d0667cb80beb8128fb');
  relayStream.push(ping);
  t.deepEqual(relayStream.next(), { kind: 'frame', plain: fromHex('047495c876fd6b184a') });
});
