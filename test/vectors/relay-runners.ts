/**
 * Runners for the TCP relay known-answer suites (test/vectors/relay-*.json, written by
 * generator/gen-relay.c from c-toxcore 0.2.18). test/vectors.test.ts spreads
 * {@link RELAY_RUNNERS} into its table of runners; the layout of each suite is in
 * test/vectors/README.md.
 *
 * The `relay-verdict` runner replays each vector against toxlink's own relay or client on
 * the simulated network, in the state the vector names, and compares what toxlink did with
 * what c-toxcore did. Where toxlink differs on purpose, {@link DEVIATIONS} says what it does
 * instead and why, and the runner checks that.
 */
import type { ExecutionContext } from 'ava';
import { generateKeyPair, keyPairFromSecretKey, precompute } from '../../src/crypto/index.ts';
import { DecodeError, toHex } from '../../src/wire/index.ts';
import {
  type RelayPacket, SecureStream, TcpRelayClient, decodeClientHandshake, decodeFrame, decodeRelayPacket,
  decodeServerHandshake, encodeClientHandshake, encodeFrame, encodePing, encodeRelayPacket, encodeRoutingRequest,
  encodeServerHandshake, judgeFrameLength, openClientHandshake, openFrame, openServerHandshake,
} from '../../src/relay/index.ts';
import { incrementNonce } from '../../src/crypto/index.ts';
import { fakeRelay, rawClient, rig } from '../relay/helpers.ts';
import { type Json, field, str, bytes, strings } from './fields.ts';

/** One vector, as test/vectors.test.ts reads it. */
export interface RelayVector {
  readonly name: string;
  readonly input: Json;
  readonly expected: Json;
}

/** A runner, in the shape of test/vectors.test.ts's (it may return a promise). */
export type RelayRunner = (t: ExecutionContext, v: RelayVector) => void | Promise<void>;

/* ---- relay-handshake ---- */

const relayHandshake: RelayRunner = (t, { input, expected }) => {
  const side = str(input, 'side');
  if ('temp_secret_key' in input) {
    const temp = keyPairFromSecretKey(bytes(input, 'temp_secret_key'));
    t.is(toHex(temp.publicKey), str(input, 'temp_public_key'), 'temp public key');
    const contents = { tempPublicKey: temp.publicKey, baseNonce: bytes(input, 'base_nonce') };
    if (side === 'client') {
      const client = keyPairFromSecretKey(bytes(input, 'client_secret_key'));
      t.is(toHex(client.publicKey), str(input, 'client_public_key'));
      const shared = precompute(bytes(input, 'relay_public_key'), client.secretKey)!;
      t.is(toHex(shared), str(expected, 'shared_key'), 'shared key');
      t.is(toHex(encodeClientHandshake(client.publicKey, shared, bytes(input, 'nonce'), contents)), str(expected, 'packet'));
      // And the secure stream sends exactly these bytes first.
      const stream = SecureStream.client(client, bytes(input, 'relay_public_key'), { keyPair: temp, baseNonce: contents.baseNonce, nonce: bytes(input, 'nonce') });
      t.is(toHex(stream.hello), str(expected, 'packet'), 'SecureStream.hello');
    } else {
      const relay = keyPairFromSecretKey(bytes(input, 'relay_secret_key'));
      const shared = precompute(bytes(input, 'client_public_key'), relay.secretKey)!;
      t.is(toHex(shared), str(expected, 'shared_key'), 'shared key');
      t.is(toHex(encodeServerHandshake(shared, bytes(input, 'nonce'), contents)), str(expected, 'packet'));
      t.is(toHex(precompute(bytes(input, 'client_temp_public_key'), temp.secretKey)!), str(expected, 'session_key'), 'session key');
    }
    return;
  }
  const packet = bytes(input, 'packet');
  if (side === 'relay') {
    const relay = keyPairFromSecretKey(bytes(input, 'relay_secret_key'));
    let got: Json;
    try {
      const envelope = decodeClientHandshake(packet);
      const opened = openClientHandshake(envelope, precompute(envelope.clientPublicKey, relay.secretKey) ?? new Uint8Array(32));
      got = opened === undefined ? { error: 'bad-mac' } : {
        client_public_key: toHex(envelope.clientPublicKey), temp_public_key: toHex(opened.tempPublicKey), base_nonce: toHex(opened.baseNonce),
      };
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      got = { error: error.code };
    }
    const { c_toxcore: verdict, ...fields } = expected;
    t.deepEqual(got, fields);
    // What toxlink's secure stream does with these bytes, against what c-toxcore's relay did.
    const stream = SecureStream.server(relay);
    stream.push(packet);
    const event = stream.next();
    const did = event === undefined ? 'waits' : event.kind === 'handshake' ? 'answered' : 'closed';
    t.is(did, String(verdict), 'what the relay does');
  } else {
    const client = keyPairFromSecretKey(bytes(input, 'client_secret_key'));
    const opened = openServerHandshake(decodeServerHandshake(packet), precompute(bytes(input, 'relay_public_key'), client.secretKey)!);
    const got = opened === undefined ? { error: 'bad-mac' } : { temp_public_key: toHex(opened.tempPublicKey), base_nonce: toHex(opened.baseNonce) };
    const { c_toxcore: verdict, ...fields } = expected;
    t.deepEqual(got, fields);
    t.is(opened === undefined ? 'disconnected' : 'connected', String(verdict));
  }
};

/* ---- relay-frame ---- */

/** Reads frames as a relay does, from bytes that follow the handshake: the plaintexts, and the error that stops it. */
function readFrames(data: Uint8Array, key: Uint8Array, nonce: Uint8Array): Json {
  const frames: string[] = [];
  const next = nonce.slice();
  for (let at = 0; at + 2 <= data.length;) {
    const length = (data[at]! << 8) | data[at + 1]!;
    const verdict = judgeFrameLength(length);
    if (verdict === 'skip') {
      at += 2;
      continue;
    }
    if (verdict !== 'ok') return { frames, error: verdict };
    if (at + 2 + length > data.length) break;
    const plain = openFrame(key, next, data.subarray(at + 2, at + 2 + length));
    if (plain === undefined) return { frames, error: 'bad-mac' };
    frames.push(toHex(plain));
    incrementNonce(next);
    at += 2 + length;
  }
  return { frames };
}

const relayFrame: RelayRunner = (t, { input, expected }) => {
  const key = bytes(input, 'shared_key');
  const nonce = bytes(input, 'nonce');
  if ('plaintext' in input) {
    const frame = encodeFrame(key, nonce, bytes(input, 'plaintext'));
    t.is(toHex(frame), str(expected, 'frame'));
    t.is(toHex(openFrame(key, nonce, decodeFrame(bytes(expected, 'frame')))!), str(input, 'plaintext'));
    return;
  }
  const got = readFrames(bytes(input, 'bytes'), key, nonce);
  const want: Json = { frames: strings(expected, 'frames') };
  if ('error' in expected) want['error'] = str(expected, 'error');
  t.deepEqual(got, want);
  t.is('error' in got ? 'closed' : 'open', str(expected, 'c_toxcore'));
};

/* ---- relay-packet ---- */

function packetOf(o: Json): RelayPacket {
  const kind = str(o, 'kind');
  const key = () => bytes(o, 'public_key');
  const id = () => field(o, 'connection_id') as number;
  switch (kind) {
    case 'routing-request': return { kind, publicKey: key() };
    case 'routing-response': return { kind, connectionId: id(), publicKey: key() };
    case 'connect-notification':
    case 'disconnect-notification': return { kind, connectionId: id() };
    case 'ping':
    case 'pong': return { kind, pingId: bytes(o, 'ping_id') };
    case 'oob-send':
    case 'oob-receive': return { kind, publicKey: key(), data: bytes(o, 'data') };
    case 'onion-request': return { kind, nonce: bytes(o, 'nonce'), payload: bytes(o, 'payload') };
    case 'data': return { kind, connectionId: id(), data: bytes(o, 'data') };
    default: throw new TypeError(`unknown packet kind ${kind}`);
  }
}

const relayPacket: RelayRunner = (t, { input, expected }) => {
  const packet = packetOf(field(input, 'packet') as Json);
  t.is(toHex(encodeRelayPacket(packet)), str(expected, 'plaintext'));
  t.deepEqual(decodeRelayPacket(bytes(expected, 'plaintext')), packet);
};

/* ---- relay-verdict ---- */

/** What a receiver did with one frame. */
interface Outcome {
  closed: boolean;
  replies: string[];
  forwarded?: string[];
  events?: string[];
}

/**
 * Vectors where toxlink does something else than c-toxcore, on purpose: what toxlink does
 * instead, and why. Everything else must match.
 */
export const DEVIATIONS: Readonly<Record<string, { readonly toxlink: Outcome; readonly why: string }>> = {
  'relay: a ping with id 0 is answered with a pong of id 0': {
    toxlink: { closed: false, replies: [] },
    why: 'a ping id is never 0; c-toxcore\'s own client does not answer one, and would close on the pong of id 0 its relay sends back',
  },
  'relay: a forward request to a relay without forwarding closes': {
    toxlink: { closed: false, replies: [] },
    why: 'relays run by c-toxcore instances and tox-bootstrapd have forwarding and take these; toxlink has none and drops them, counted',
  },
  'relay: data with no payload on an online route is passed on': {
    toxlink: { closed: true, replies: [], forwarded: ['0310'] },
    why: 'c-toxcore\'s client closes its relay connection on a one-byte frame, so passing it on lets any peer cut another off; toxlink closes the sender, whose peer hears it went away',
  },
  'client: a refusal (id 0) is not reported': {
    toxlink: { closed: false, replies: [], events: ['routing-response refused'] },
    why: 'toxlink tells the caller that the relay refused the route',
  },
  'client: data for an id never given is reported too': {
    toxlink: { closed: false, replies: [], events: [] },
    why: 'data on an id the relay never gave us has no peer to be reported as from; toxlink drops it, counted',
  },
};

async function atRelay(input: Json): Promise<Outcome> {
  const r = await rig();
  const c = await rawClient(r);
  // c-toxcore's generator confirmed its raw client with a ping; so do we.
  c.send(encodePing(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)));
  await r.sim.clock.advanceAsync(50);
  const state = str(input, 'state');
  let peer: Awaited<ReturnType<typeof rawClient>> | undefined;
  if (state !== 'confirmed') {
    peer = await rawClient(r);
    peer.send(encodePing(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)));
    await r.sim.clock.advanceAsync(50);
    c.send(encodeRoutingRequest(peer.keyPair.publicKey));
    if (state === 'route-16-online') peer.send(encodeRoutingRequest(c.keyPair.publicKey));
    await r.sim.clock.advanceAsync(50);
  }
  const seen = c.frames.length;
  const peerSeen = peer?.frames.length ?? 0;
  c.send(bytes(input, 'plaintext'));
  await r.sim.clock.advanceAsync(100);
  const outcome: Outcome = { closed: c.closed.at !== undefined, replies: c.frames.slice(seen).map(toHex) };
  if (peer !== undefined) outcome.forwarded = peer.frames.slice(peerSeen).map(toHex);
  await r.server.close();
  return outcome;
}

async function atClient(input: Json): Promise<Outcome> {
  const relay = await fakeRelay();
  const { client, events } = relay.connect();
  await relay.sim.clock.advanceAsync(100);
  if (str(input, 'state') === 'route-16-online') {
    relay.send(Uint8Array.of(1, 16, ...generateKeyPair().publicKey));
    relay.send(Uint8Array.of(2, 16));
    await relay.sim.clock.advanceAsync(50);
  }
  const frames = relay.frames.length;
  const before = events.length;
  relay.send(bytes(input, 'plaintext'));
  await relay.sim.clock.advanceAsync(50);
  const described: string[] = [];
  for (const [kind, value] of events.slice(before)) {
    const v = value as Json;
    if (kind === 'routing-response') described.push(v['connectionId'] === undefined ? 'routing-response refused' : `routing-response ${String(v['connectionId'])}`);
    else if (kind === 'status') described.push(`status ${String(v['connectionId'])} ${v['online'] ? 'online' : 'offline'}`);
    else if (kind === 'data') described.push(`data ${String(v['connectionId'])} ${(v['data'] as Uint8Array).length}`);
    else if (kind === 'oob') described.push(`oob ${(v['data'] as Uint8Array).length}`);
    else if (kind === 'onion-response') described.push(`onion-response ${(v['data'] as Uint8Array).length}`);
  }
  const outcome: Outcome = {
    closed: client.state === 'closed', replies: relay.frames.slice(frames).map(toHex), events: described,
  };
  client.close();
  return outcome;
}

const relayVerdict: RelayRunner = async (t, { name, input, expected }) => {
  const receiver = str(input, 'receiver');
  const got = receiver === 'relay' ? await atRelay(input) : await atClient(input);
  const cToxcore: Outcome = { closed: field(expected, 'closed') as boolean, replies: strings(expected, 'replies') };
  if ('forwarded' in expected) cToxcore.forwarded = strings(expected, 'forwarded');
  if ('events' in expected) cToxcore.events = strings(expected, 'events');
  const deviation = DEVIATIONS[name];
  if (deviation === undefined) {
    t.deepEqual(got, cToxcore);
    return;
  }
  t.notDeepEqual(cToxcore, deviation.toxlink, 'a listed deviation that is no longer one');
  t.deepEqual(got, deviation.toxlink, deviation.why);
};

export const RELAY_RUNNERS: Readonly<Record<string, RelayRunner>> = {
  'relay-handshake': relayHandshake,
  'relay-frame': relayFrame,
  'relay-packet': relayPacket,
  'relay-verdict': relayVerdict,
};
