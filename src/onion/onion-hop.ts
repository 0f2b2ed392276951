/**
 * The onion hop: what every node does for anyone's onion paths. It opens its layer of an
 * onion request (0x80, 0x81, 0x82), seals where the request came from into a return blob
 * and sends the rest on; it opens its own blob on an onion response (0x8c, 0x8d, 0x8e) and
 * passes the response back. It keeps no state per packet: everything a response needs to
 * find its way is in the blobs, sealed with a key only this hop holds.
 *
 * That key is made at start and replaced every `KEY_REFRESH_INTERVAL` (7200 s), checked at
 * each onion packet handled as c-toxcore's `change_symmetric_key` does; blobs sealed with
 * the old key no longer open, which is what makes old paths stop working.
 *
 * @see spec/onion.md#the-onion-hop
 * @module
 */
import { NONCE_SIZE, SYMMETRIC_KEY_SIZE } from '../crypto/index.ts';
import type { SharedKeyCache } from '../dht/index.ts';
import type { Clock } from '../io/index.ts';
import type { IpPort } from '../wire/index.ts';
import type { OnionNodeConfig } from './node-config.ts';
import type { OnionNodeStats, OnionPacketKind } from './node-stats.ts';
import { decodeOnionRequest, encodeForwardedRequest, openOnionRequest } from './onion-request.ts';
import { decodeOnionResponse, encodeForwardedResponse } from './onion-response.ts';
import { openReturnPath, sealReturnPath } from './return-path.ts';

/** What the hop sends with: address and bytes. */
export type OnionSend = (to: IpPort, data: Uint8Array) => void;

/** What an {@link OnionForwarder} is built from. */
export interface OnionForwarderOptions {
  readonly clock: Clock;
  readonly send: OnionSend;
  readonly config: OnionNodeConfig;
  readonly stats: OnionNodeStats;
  /** Shared keys with the keys a request shows hops 1, 2 and 3 (c-toxcore keeps one cache per position). */
  readonly sharedKeys: readonly [SharedKeyCache, SharedKeyCache, SharedKeyCache];
  /** Random bytes: return-blob nonces and the onion secret key. */
  readonly randomBytes: (n: number) => Uint8Array;
}

const REQUEST_KIND: Readonly<Record<1 | 2 | 3, OnionPacketKind>> = { 1: 'request-hop-1', 2: 'request-hop-2', 3: 'request-hop-3' };
const RESPONSE_KIND: Readonly<Record<1 | 2 | 3, OnionPacketKind>> = { 1: 'response-hop-1', 2: 'response-hop-2', 3: 'response-hop-3' };

/**
 * Forwards onion requests and responses for anyone (`onion.c`). Network input that does not
 * parse throws wire's `DecodeError` for the caller (`OnionNode`) to count; every other
 * refusal is counted here.
 */
export class OnionForwarder {
  readonly #clock: Clock;
  readonly #send: OnionSend;
  readonly #config: OnionNodeConfig;
  readonly #stats: OnionNodeStats;
  readonly #sharedKeys: readonly [SharedKeyCache, SharedKeyCache, SharedKeyCache];
  readonly #randomBytes: (n: number) => Uint8Array;
  #secretKey: Uint8Array;
  #keyMadeAt: number;

  constructor(options: OnionForwarderOptions) {
    this.#clock = options.clock;
    this.#send = options.send;
    this.#config = options.config;
    this.#stats = options.stats;
    this.#sharedKeys = options.sharedKeys;
    this.#randomBytes = options.randomBytes;
    this.#secretKey = this.#randomBytes(SYMMETRIC_KEY_SIZE);
    this.#keyMadeAt = this.#clock.now();
  }

  /** When the current return-blob key was made, ms. */
  get keyMadeAt(): number {
    return this.#keyMadeAt;
  }

  /**
   * `change_symmetric_key`: a new return-blob key once the current one is
   * `KEY_REFRESH_INTERVAL` old. Called at every onion packet, so no timer is needed.
   */
  refreshKey(): void {
    const now = this.#clock.now();
    if (this.#keyMadeAt + this.#config.keyRefreshIntervalMs > now) return;
    this.#secretKey.fill(0);
    this.#secretKey = this.#randomBytes(SYMMETRIC_KEY_SIZE);
    this.#keyMadeAt = now;
    this.#stats.keyRotations++;
  }

  /**
   * An onion request (0x80 at hop 1, 0x81 at hop 2, 0x82 at hop 3), from `source`
   * (`handle_send_initial`, `handle_send_1`, `handle_send_2`): opens the layer, appends a
   * return blob naming `source`, sends the rest to the address inside.
   */
  handleRequest(data: Uint8Array, source: IpPort): void {
    const envelope = decodeOnionRequest(data);
    this.refreshKey();
    const shared = this.#sharedKeys[envelope.hop - 1]!.get(envelope.publicKey, this.#clock.now());
    if (shared === undefined) { this.#stats.drop('bad-key'); return; }
    const layer = openOnionRequest(envelope, shared);
    if (layer === undefined) { this.#stats.drop('bad-mac'); return; }
    const blob = sealReturnPath(this.#secretKey, this.#randomBytes(NONCE_SIZE), { kind: 'udp', ipPort: source }, envelope.returnPath);
    const out = encodeForwardedRequest(envelope.hop, envelope.nonce, layer.inner, blob);
    this.#stats.received(REQUEST_KIND[envelope.hop]);
    this.#send(layer.next, out);
  }

  /**
   * An onion response (0x8c at hop 3, 0x8d at hop 2, 0x8e at hop 1; `handle_recv_3`, `_2`,
   * `_1`): opens our blob and passes the response to the address in it, with the blob
   * found inside (the bare response from hop 1).
   */
  handleResponse(data: Uint8Array): void {
    const envelope = decodeOnionResponse(data);
    this.refreshKey();
    const opened = openReturnPath(this.#secretKey, envelope.returnPath);
    if (opened === undefined) { this.#stats.drop('bad-return-path'); return; }
    if (opened.from.kind !== 'udp') { this.#stats.drop('tcp-client'); return; }
    const out = encodeForwardedResponse(envelope.hop, opened.previous, envelope.data);
    this.#stats.received(RESPONSE_KIND[envelope.hop]);
    this.#send(opened.from.ipPort, out);
  }

  /** Forgets the return-blob key (the node is closing). */
  wipe(): void {
    this.#secretKey.fill(0);
  }
}
