/**
 * Every frame type: its exact bytes, a round trip through the one decoder, its refusals,
 * and the generic property of every codec here: arbitrary bytes either fail to decode with a
 * `DecodeError` or encode back to themselves.
 */
import test from 'ava';
import fc from 'fast-check';
import { DecodeError, TcpPacket } from '../../src/wire/index.ts';
import {
  type RelayPacket, MAX_OOB_SIZE, MIN_OOB_SIZE, NOTIFICATION_SIZE, NUM_CLIENT_CONNECTIONS, NUM_RESERVED_PORTS, PING_SIZE,
  RelayError, ROUTING_REQUEST_SIZE, ROUTING_RESPONSE_SIZE, TCP_MAX_OOB_DATA_LENGTH, decodeConnectNotification, decodeData,
  decodeDisconnectNotification, decodeOnionRequest, decodeOobReceive, decodeOobSend, decodePing, decodeRelayPacket,
  decodeRoutingRequest, decodeRoutingResponse, encodeData, encodeDisconnectNotification, encodeOobSend, encodeRelayPacket,
  encodeRoutingResponse, isConnectionId, isZeroPingId,
} from '../../src/relay/index.ts';

const key = (b: number) => new Uint8Array(32).fill(b);
const bytes = (...xs: number[]) => Uint8Array.from(xs);
const code = (t: import('ava').ExecutionContext, fn: () => unknown) => t.throws(fn, { instanceOf: DecodeError })?.code;

test('ids and sizes agree with c-toxcore 0.2.18 (TCP_common.h)', (t) => {
  t.deepEqual(
    [TcpPacket.ROUTING_REQUEST, TcpPacket.ROUTING_RESPONSE, TcpPacket.CONNECTION_NOTIFICATION, TcpPacket.DISCONNECT_NOTIFICATION,
      TcpPacket.PING, TcpPacket.PONG, TcpPacket.OOB_SEND, TcpPacket.OOB_RECV, TcpPacket.ONION_REQUEST, TcpPacket.ONION_RESPONSE,
      TcpPacket.FORWARD_REQUEST, TcpPacket.FORWARDING],
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  t.is(NUM_RESERVED_PORTS, 16);
  t.is(NUM_CLIENT_CONNECTIONS, 240);
  t.is(TCP_MAX_OOB_DATA_LENGTH, 1024);
  t.is(ROUTING_REQUEST_SIZE, 33);
  t.is(ROUTING_RESPONSE_SIZE, 34);
  t.is(NOTIFICATION_SIZE, 2);
  t.is(PING_SIZE, 9);
  t.is(MIN_OOB_SIZE, 34);
  t.is(MAX_OOB_SIZE, 1057);
  t.true(isConnectionId(16) && isConnectionId(255));
  t.false(isConnectionId(15) || isConnectionId(256) || isConnectionId(0));
});

/** One sample of each packet, with its bytes written out by hand. */
const samples: Array<[string, RelayPacket, Uint8Array]> = [
  ['routing request', { kind: 'routing-request', publicKey: key(0xaa) }, bytes(0, ...key(0xaa))],
  ['routing response', { kind: 'routing-response', connectionId: 16, publicKey: key(0xbb) }, bytes(1, 16, ...key(0xbb))],
  ['routing refusal', { kind: 'routing-response', connectionId: 0, publicKey: key(0xbb) }, bytes(1, 0, ...key(0xbb))],
  ['connect notification', { kind: 'connect-notification', connectionId: 255 }, bytes(2, 255)],
  ['disconnect notification', { kind: 'disconnect-notification', connectionId: 17 }, bytes(3, 17)],
  ['ping', { kind: 'ping', pingId: bytes(1, 2, 3, 4, 5, 6, 7, 8) }, bytes(4, 1, 2, 3, 4, 5, 6, 7, 8)],
  ['pong', { kind: 'pong', pingId: bytes(8, 7, 6, 5, 4, 3, 2, 1) }, bytes(5, 8, 7, 6, 5, 4, 3, 2, 1)],
  ['OOB send', { kind: 'oob-send', publicKey: key(0xcc), data: bytes(0x18, 9) }, bytes(6, ...key(0xcc), 0x18, 9)],
  ['OOB receive', { kind: 'oob-receive', publicKey: key(0xdd), data: bytes(0x1a) }, bytes(7, ...key(0xdd), 0x1a)],
  ['onion request', { kind: 'onion-request', nonce: new Uint8Array(24).fill(5), payload: bytes(2, 1, 2) }, bytes(8, ...new Uint8Array(24).fill(5), 2, 1, 2)],
  ['onion response', { kind: 'onion-response', data: bytes(0x84, 1) }, bytes(9, 0x84, 1)],
  ['forward request', { kind: 'forward-request', body: bytes(1, 2) }, bytes(10, 1, 2)],
  ['forwarding', { kind: 'forwarding', body: bytes(3) }, bytes(11, 3)],
  ['data', { kind: 'data', connectionId: 200, data: bytes(0x1b, 0, 1) }, bytes(200, 0x1b, 0, 1)],
];

for (const [name, packet, wire] of samples) {
  test(`${name}: exact bytes and a round trip`, (t) => {
    t.deepEqual(encodeRelayPacket(packet), wire);
    t.deepEqual(decodeRelayPacket(wire), packet);
  });
}

test('lengths are exact where c-toxcore checks them exactly', (t) => {
  t.is(code(t, () => decodeRoutingRequest(bytes(0, ...key(1), 0))), 'trailing-bytes');
  t.is(code(t, () => decodeRoutingRequest(bytes(0, 1))), 'truncated');
  t.is(code(t, () => decodeRoutingResponse(bytes(1, 16, ...key(1), 0))), 'trailing-bytes');
  t.is(code(t, () => decodeConnectNotification(bytes(2, 16, 0))), 'trailing-bytes');
  t.is(code(t, () => decodeDisconnectNotification(bytes(3))), 'truncated');
  t.is(code(t, () => decodePing(bytes(4, 1, 2, 3, 4, 5, 6, 7))), 'truncated');
  t.is(code(t, () => decodePing(bytes(4, 1, 2, 3, 4, 5, 6, 7, 8, 9))), 'trailing-bytes');
});

test('a notification for a reserved id (below 16) is refused, as c-toxcore closes on it', (t) => {
  t.is(code(t, () => decodeConnectNotification(bytes(2, 15))), 'bad-value');
  t.is(code(t, () => decodeDisconnectNotification(bytes(3, 0))), 'bad-value');
  t.throws(() => encodeDisconnectNotification(15), { instanceOf: RelayError });
});

test('an OOB send payload is 1 to 1024 bytes', (t) => {
  t.is(code(t, () => decodeOobSend(bytes(6, ...key(1)))), 'truncated');
  t.is(decodeOobSend(bytes(6, ...key(1), ...new Uint8Array(1024))).data.length, 1024);
  t.is(code(t, () => decodeOobSend(bytes(6, ...key(1), ...new Uint8Array(1025)))), 'trailing-bytes');
  // A client takes a longer OOB receive, as c-toxcore's does (no relay sends one).
  t.is(decodeOobReceive(bytes(7, ...key(1), ...new Uint8Array(1999))).data.length, 1999);
  t.is(code(t, () => decodeOobReceive(bytes(7, ...key(1)))), 'truncated');
  t.throws(() => encodeOobSend(key(1), new Uint8Array(0)), { instanceOf: RelayError });
  t.throws(() => encodeOobSend(key(1), new Uint8Array(1025)), { instanceOf: RelayError });
});

test('data needs a connection id and at least one byte', (t) => {
  t.is(code(t, () => decodeData(bytes(16))), 'truncated');
  t.is(code(t, () => decodeData(bytes(15, 1))), 'bad-value');
  t.throws(() => encodeData(16, new Uint8Array(0)), { instanceOf: RelayError });
  t.throws(() => encodeData(15, bytes(1)), { instanceOf: RelayError });
  t.throws(() => encodeData(16, new Uint8Array(2032)), { instanceOf: RelayError });
  t.is(encodeData(16, new Uint8Array(2031)).length, 2032);
});

test('an onion request needs a nonce and a payload', (t) => {
  t.is(code(t, () => decodeOnionRequest(bytes(8, ...new Uint8Array(24)))), 'truncated');
});

test('types 12 to 15 are unassigned, and an empty frame is nothing', (t) => {
  for (const type of [12, 13, 14, 15]) t.is(code(t, () => decodeRelayPacket(bytes(type, 1, 2))), 'bad-value');
  t.is(code(t, () => decodeRelayPacket(new Uint8Array(0))), 'truncated');
});

test('the routing response encodes any connection id byte; the receiver judges it', (t) => {
  t.is(decodeRoutingResponse(encodeRoutingResponse(7, key(2))).connectionId, 7);
  t.throws(() => encodeRoutingResponse(256, key(2)));
});

test('ping ids: all zero is the one that is never sent', (t) => {
  t.true(isZeroPingId(new Uint8Array(8)));
  t.false(isZeroPingId(bytes(0, 0, 0, 0, 0, 0, 0, 1)));
});

test('arbitrary bytes either fail with a DecodeError or round-trip exactly', (t) => {
  const interesting = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 1100 })).map(([b, rest]) => Uint8Array.of(b, ...rest)),
    fc.tuple(fc.integer({ min: 0, max: 11 }), fc.constantFrom(1, 2, 8, 9, 33, 34, 57, 1056, 1057, 1058)).map(([b, n]) => {
      const out = new Uint8Array(n);
      out[0] = b;
      return out;
    }),
  );
  fc.assert(fc.property(interesting, (input) => {
    let packet: RelayPacket;
    try {
      packet = decodeRelayPacket(input);
    } catch (error) {
      if (error instanceof DecodeError) return;
      throw error;
    }
    const again = encodeRelayPacket(packet);
    if (Buffer.compare(Buffer.from(again), Buffer.from(input)) !== 0) throw new Error(`no round trip for ${Buffer.from(input).toString('hex')}`);
  }), { numRuns: 5000 });
  t.pass();
});
