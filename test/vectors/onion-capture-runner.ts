/**
 * The reader and runner of the `onion-capture` suite (test/vectors/onion-capture.json):
 * onion packets that a live c-toxcore 0.2.18 peer sent to toxlink on loopback, captured at
 * toxlink's sockets by test/vectors/capture/onion-capture.ts, each with the toxlink secret
 * keys that open it. The layout is in test/vectors/README.md.
 *
 * {@link readOnionCapture} reads one vector's input with toxlink's decoders and the keys the
 * vector holds, and returns what it finds as plain JSON; the runner compares that with the
 * vector's `expected`, and the capture script writes that as `expected` (after checking it
 * against what the live run did). Where a vector carries toxlink's own answer to a request
 * (`answer`) or the earlier answer whose ping id the request echoes (`ping_id_given_in`),
 * those are read as the C peer read them: opened with the same shared key.
 */
import type { ExecutionContext } from 'ava';
import { precompute } from '../../src/crypto/index.ts';
import { DecodeError, type PackedNode, toHex } from '../../src/wire/index.ts';
import { decodeDhtRequestHeader, openDhtRequest } from '../../src/dht/dht-request.ts';
import {
  ONION_RETURN_3, decodeAnnounceRequest, decodeAnnounceResponse, decodeDhtPkAnnounce, decodeFriendRequest, decodeOnionDataRequest,
  decodeOnionDataResponse, decodeOnionResponse, decodeRoutedDhtPk, encodeOnionDataResponse, openAnnounceRequest, openAnnounceResponse,
  openOnionData, openOnionDataResponse, openRoutedDhtPk,
} from '../../src/onion/index.ts';
import { type Json, bytes, str } from './fields.ts';

/** One vector, as test/vectors.test.ts reads it. */
interface CaptureVector {
  readonly name: string;
  readonly input: Json;
  readonly expected: Json;
}

/** Thrown inside the reader when a box does not open with the key the receiver computes. */
class Unopened extends Error {}

function shared(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array {
  const k = precompute(publicKey, secretKey);
  if (k === undefined) throw new Unopened('a key libsodium refuses');
  return k;
}

function opened<T>(value: T | undefined): T {
  if (value === undefined) throw new Unopened('a box that does not open');
  return value;
}

const plainNode = (n: PackedNode): Json => ({ protocol: n.protocol, host: n.ipPort.host, port: n.ipPort.port, public_key: toHex(n.publicKey) });

/** An onion data payload, read as its handler reads it. */
function payloadJson(payload: Uint8Array): Json {
  const id = payload[0];
  if (id === 0x20) {
    const r = decodeFriendRequest(payload);
    return { payload_kind: 'friend-request', nospam: toHex(r.nospam), message: toHex(r.message) };
  }
  if (id === 0x9c) return { payload_kind: 'dhtpk', ...dhtPkJson(payload, true) };
  return { payload_kind: 'other', payload: toHex(payload) };
}

function dhtPkJson(announcement: Uint8Array, checkId: boolean): Json {
  const a = decodeDhtPkAnnounce(announcement, { checkId });
  return {
    no_replay: a.noReplay.toString(), dht_public_key: toHex(a.dhtPublicKey), nodes: a.nodes.map(plainNode),
    ...(a.nodesError === undefined ? {} : { nodes_error: a.nodesError }),
  };
}

/** Toxlink's 0x8c answer to an announce request, read by the request's sender (same shared key). */
function answerJson(packet: Uint8Array, key: Uint8Array): Json {
  const env = decodeOnionResponse(packet);
  const response = decodeAnnounceResponse(env.data);
  const r = opened(openAnnounceResponse(response, key));
  return {
    return_path: toHex(env.returnPath), sendback: toHex(response.sendback), is_stored: r.isStored,
    ping_id_or_key: toHex(r.pingIdOrKey), nodes: r.nodes.map(plainNode),
  };
}

/** An onion data response (0x86) opened by its receiver: the outer box with the data key, the inner with the real key. */
function dataJson(packet: Uint8Array, dataSecretKey: Uint8Array, realSecretKey: Uint8Array): Json {
  const env = decodeOnionDataResponse(packet);
  const sealed = opened(openOnionDataResponse(env, shared(env.ephemeralPublicKey, dataSecretKey)));
  const payload = opened(openOnionData(sealed, shared(sealed.senderRealPublicKey, realSecretKey), env.nonce));
  return {
    nonce: toHex(env.nonce), ephemeral_public_key: toHex(env.ephemeralPublicKey), sender_real_public_key: toHex(sealed.senderRealPublicKey),
    payload: toHex(payload), ...payloadJson(payload),
  };
}

function read(input: Json): Json {
  const kind = str(input, 'kind');
  const packet = bytes(input, 'packet');
  if (kind === 'announce-request') {
    const node = bytes(input, 'node_dht_secret_key');
    const env = decodeAnnounceRequest(packet);
    const key = shared(env.senderPublicKey, node);
    const req = opened(openAnnounceRequest(env, key));
    const out: Json = {
      format: env.format, sender_public_key: toHex(env.senderPublicKey), ping_id: toHex(req.pingId),
      search_public_key: toHex(req.searchPublicKey), data_public_key: toHex(req.dataPublicKey), sendback: toHex(req.sendback),
      return_path: toHex(env.returnPath),
    };
    if ('ping_id_given_in' in input) out['ping_id_given_in'] = answerJson(bytes(input, 'ping_id_given_in'), key);
    if ('answer' in input) out['answer'] = answerJson(bytes(input, 'answer'), key);
    return out;
  }
  if (kind === 'data-request') {
    const env = decodeOnionDataRequest(packet);
    const asResponse = encodeOnionDataResponse(env);
    return {
      destination_real_public_key: toHex(env.destinationRealPublicKey), return_path_size: env.returnPath.length,
      ...dataJson(asResponse, bytes(input, 'toxlink_data_secret_key'), bytes(input, 'toxlink_real_secret_key')),
    };
  }
  if (kind === 'data-response') return dataJson(packet, bytes(input, 'toxlink_data_secret_key'), bytes(input, 'toxlink_real_secret_key'));
  if (kind === 'dht-routed') {
    const header = decodeDhtRequestHeader(packet);
    const request = opened(openDhtRequest(header, shared(header.senderPublicKey, bytes(input, 'toxlink_dht_secret_key'))));
    const env = decodeRoutedDhtPk(request.payload);
    const announcement = opened(openRoutedDhtPk(env, shared(env.senderRealPublicKey, bytes(input, 'toxlink_real_secret_key')), header.senderPublicKey));
    return {
      receiver_public_key: toHex(header.receiverPublicKey), sender_dht_public_key: toHex(header.senderPublicKey), request_id: request.requestId,
      sender_real_public_key: toHex(env.senderRealPublicKey), no_replay: announcement.noReplay.toString(),
      dht_public_key: toHex(announcement.dhtPublicKey), nodes: announcement.nodes.map(plainNode),
    };
  }
  throw new TypeError(`onion-capture: unknown kind ${kind}`);
}

/**
 * What toxlink reads from one captured packet with the vector's keys: its fields as plain
 * JSON, `{ error: code }` for a `DecodeError`, `{ error: 'bad-mac' }` for a box that does
 * not open.
 */
export function readOnionCapture(input: Json): Json {
  try {
    return read(input);
  } catch (error) {
    if (error instanceof DecodeError) return { error: error.code };
    if (error instanceof Unopened) return { error: 'bad-mac' };
    throw error;
  }
}

/** The `onion-capture` runner: toxlink reads each packet as the vector says. */
export function onionCapture(t: ExecutionContext, { input, expected }: CaptureVector): void {
  const got = readOnionCapture(input);
  t.deepEqual(got, expected);
  // Cross-checks that need no expected value: a request echoes the ping id it was given; a
  // node's answer goes back with the request's return blob and sendback.
  if (str(input, 'kind') === 'announce-request' && 'error' in got === false) {
    const given = got['ping_id_given_in'] as Json | undefined;
    if (given !== undefined) t.is(got['ping_id'], given['ping_id_or_key'], 'the C peer echoes the ping id toxlink gave it');
    const answer = got['answer'] as Json | undefined;
    if (answer !== undefined) {
      t.is(answer['return_path'], got['return_path'], 'the answer carries the request\'s return blob');
      t.is(answer['sendback'], got['sendback'], 'and its sendback');
    }
    t.is((got['return_path'] as string).length, 2 * ONION_RETURN_3);
  }
}
