/**
 * The relay as the first hop of an onion path, over UDP: what a c-toxcore relay's onion
 * (`onion_send_1`, `handle_recv_1`) does for its clients. A client with no UDP hands the
 * relay an onion request; the relay sends it on to the second hop as an `ONION_SEND_1`
 * (0x81) datagram with a return blob of its own, and when the answer comes back as
 * `ONION_RECV_1` (0x8e) with that blob, it opens the blob to learn which client it is for
 * and passes the answer on as an onion response frame.
 *
 * To the second hop (`ONION_SEND_1`):
 *
 * | Length | Type    | Contents                                                  |
 * |--------|---------|-----------------------------------------------------------|
 * | 1      | `uint8_t` | 0x81                                                    |
 * | 24     | nonce   | the request's nonce                                       |
 * | rest   | bytes   | the request's payload after the second hop's IP_Port      |
 * | 59     | return  | `[nonce 24][secretbox(our key, the client 19 bytes)]`     |
 *
 * From the second hop (`ONION_RECV_1`): `[0x8e][the return blob 59][response]`, at most 1400
 * bytes, the response starting 0x84 (announce) or 0x86 (onion data) as 0.2.18 requires.
 *
 * The blob's plaintext is private to this relay (only its size, 19, is protocol): a tag
 * byte, the serial number the relay gave the client's connection, and zeros. A response
 * for a client that has gone, or from before the key changed (every 2 hours, as c-toxcore
 * changes it), has nowhere to go and is dropped.
 *
 * @see spec/relay.md#the-onion-hop
 * @module
 */
import type { Address, Clock, DatagramTransport } from '../io/index.ts';
import { NONCE_SIZE, randomBytes, randomNonce, secretBox, secretBoxOpen } from '../crypto/index.ts';
import { NetPacket, ipFromBytes } from '../wire/index.ts';
import type { OnionRequest } from './onion-packets.ts';
import { ONION_MAX_PACKET_SIZE, ONION_RETURN_1, ONION_SEND_BASE, SIZE_IPPORT, MAX_ONION_REQUEST_PAYLOAD } from './packet-sizes.ts';
import { ReasonCounts } from './stats.ts';

/** `KEY_REFRESH_INTERVAL` (`onion.c`): the return-blob key is replaced this often (2 h). */
export const KEY_REFRESH_INTERVAL_MS = 2 * 60 * 60 * 1000;

/** The family byte of an IPv4 address in an onion IP_Port (`TOX_AF_INET`). */
export const ONION_FAMILY_IPV4 = 2;
/** The family byte of an IPv6 address in an onion IP_Port (`TOX_AF_INET6`). */
export const ONION_FAMILY_IPV6 = 10;

/** The tag that starts our return blob's plaintext: a client of this relay. */
const RETURN_TAG_CLIENT = 0xfe;

/** Who sent an onion request: enough for the relay to send the answers back. */
export interface OnionSource {
  /** The serial number the relay gave the client's connection; a new connection gets a new one. */
  readonly serial: number;
  /** The client's public key. */
  readonly publicKey: Uint8Array;
}

/**
 * What a relay hands onion requests to: this module's {@link OnionUdpHop}, or the onion
 * layer when it comes. Returns false when it refused the request (counted by the relay).
 */
export interface RelayOnionHandler {
  request(request: OnionRequest, source: OnionSource): boolean;
}

/** Why the onion hop dropped something. */
export type OnionHopDropReason =
  /** A request payload longer than 1335 bytes or not longer than 153 (`onion_send_1`). */
  | 'bad-request-size'
  /** A request whose second-hop IP_Port is not IPv4 or IPv6. */
  | 'bad-address'
  /** A datagram that is not an `ONION_RECV_1`. */
  | 'not-onion-recv-1'
  /** An `ONION_RECV_1` too short, too long, or whose response is not 0x84 or 0x86. */
  | 'bad-response'
  /** A return blob that does not open (forged, or sealed with an old key). */
  | 'bad-return'
  /** An answer for a client that is no longer connected, or whose socket is full. */
  | 'undeliverable';

/** What a {@link OnionUdpHop} is built from. */
export interface OnionUdpHopOptions {
  /** The UDP socket the hop sends from and receives on (give it to no one else). */
  readonly socket: DatagramTransport;
  readonly clock: Clock;
  /** Sends an onion response to the client with this serial; false if it could not. */
  readonly deliver: (serial: number, response: Uint8Array) => boolean;
}

/** The first onion hop of a relay; see the module comment. */
export class OnionUdpHop implements RelayOnionHandler {
  readonly stats = { requestsForwarded: 0, responsesDelivered: 0, dropped: new ReasonCounts<OnionHopDropReason>() };
  readonly #socket: DatagramTransport;
  readonly #clock: Clock;
  readonly #deliver: (serial: number, response: Uint8Array) => boolean;
  #key: Uint8Array = randomBytes(32);
  #keyMadeAt: number;

  constructor(options: OnionUdpHopOptions) {
    this.#socket = options.socket;
    this.#clock = options.clock;
    this.#deliver = options.deliver;
    this.#keyMadeAt = this.#clock.now();
    this.#socket.onReceive((data, from) => this.receive(data, from));
  }

  /** The socket's address: where second hops send their answers. */
  get local(): Address {
    return this.#socket.local;
  }

  /** Sends a client's onion request on to its second hop; false (counted) if it is refused. */
  request(request: OnionRequest, source: OnionSource): boolean {
    const payload = request.payload;
    if (payload.length > MAX_ONION_REQUEST_PAYLOAD || payload.length <= SIZE_IPPORT + 2 * ONION_SEND_BASE) {
      return this.#drop('bad-request-size');
    }
    const to = readOnionIpPort(payload.subarray(0, SIZE_IPPORT));
    if (to === undefined) return this.#drop('bad-address');
    const rest = payload.subarray(SIZE_IPPORT);
    const packet = new Uint8Array(1 + NONCE_SIZE + rest.length + ONION_RETURN_1);
    packet[0] = NetPacket.ONION_SEND_1;
    packet.set(request.nonce, 1);
    packet.set(rest, 1 + NONCE_SIZE);
    packet.set(this.#sealReturn(source.serial), 1 + NONCE_SIZE + rest.length);
    this.#socket.send(to, packet);
    this.stats.requestsForwarded++;
    return true;
  }

  /** A datagram from the socket; returns true if it was an answer passed on to a client. */
  receive(packet: Uint8Array, _from: Address): boolean {
    if (packet[0] !== NetPacket.ONION_RECV_1) return this.#drop('not-onion-recv-1');
    if (packet.length > ONION_MAX_PACKET_SIZE || packet.length <= 1 + ONION_RETURN_1) return this.#drop('bad-response');
    const id = packet[1 + ONION_RETURN_1];
    if (id !== NetPacket.ANNOUNCE_RESPONSE_OLD && id !== NetPacket.ONION_DATA_RESPONSE) return this.#drop('bad-response');
    const serial = this.#openReturn(packet.subarray(1, 1 + ONION_RETURN_1));
    if (serial === undefined) return this.#drop('bad-return');
    if (!this.#deliver(serial, packet.subarray(1 + ONION_RETURN_1))) return this.#drop('undeliverable');
    this.stats.responsesDelivered++;
    return true;
  }

  #drop(reason: OnionHopDropReason): false {
    this.stats.dropped.add(reason);
    return false;
  }

  #currentKey(): Uint8Array {
    if (this.#clock.now() - this.#keyMadeAt >= KEY_REFRESH_INTERVAL_MS) {
      this.#key = randomBytes(32);
      this.#keyMadeAt = this.#clock.now();
    }
    return this.#key;
  }

  #sealReturn(serial: number): Uint8Array {
    const plain = new Uint8Array(SIZE_IPPORT);
    plain[0] = RETURN_TAG_CLIENT;
    new DataView(plain.buffer).setBigUint64(1, BigInt(serial));
    const nonce = randomNonce();
    const out = new Uint8Array(ONION_RETURN_1);
    out.set(nonce, 0);
    out.set(secretBox(this.#currentKey(), nonce, plain), NONCE_SIZE);
    return out;
  }

  #openReturn(blob: Uint8Array): number | undefined {
    const plain = secretBoxOpen(this.#currentKey(), blob.subarray(0, NONCE_SIZE), blob.subarray(NONCE_SIZE));
    if (plain === undefined || plain.length !== SIZE_IPPORT || plain[0] !== RETURN_TAG_CLIENT) return undefined;
    return Number(new DataView(plain.buffer, plain.byteOffset).getBigUint64(1));
  }
}

/**
 * Reads a 19-byte onion IP_Port (`ipport_unpack` with the family check): family 2 (IPv4 in
 * the first 4 address bytes) or 10 (IPv6), port big-endian; `undefined` for any other family.
 */
export function readOnionIpPort(bytes: Uint8Array): Address | undefined {
  if (bytes.length < SIZE_IPPORT) return undefined;
  const family = bytes[0];
  const port = (bytes[17]! << 8) | bytes[18]!;
  if (family === ONION_FAMILY_IPV4) return { host: ipFromBytes(bytes.subarray(1, 5)), port };
  if (family === ONION_FAMILY_IPV6) return { host: ipFromBytes(bytes.subarray(1, 17)), port };
  return undefined;
}
