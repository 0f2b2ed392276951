/**
 * The knobs of a {@link NetCrypto} node and its sessions, with c-toxcore 0.2.18's values
 * where the protocol fixes them and ours where only the sending side is concerned.
 *
 * @see spec/netcrypto.md#the-session
 * @see spec/netcrypto.md#congestion-control
 * @module
 */
import { EncodeError } from '../wire/index.ts';
import { CRYPTO_PACKET_BUFFER_SIZE } from './packet-sizes.ts';

/** `CRYPTO_SEND_PACKET_INTERVAL`: the cookie request and the handshake are resent every second. */
export const CRYPTO_SEND_PACKET_INTERVAL_MS = 1000;

/** `MAX_NUM_SENDPACKET_TRIES`: a handshake phase gives up after 8 sends. */
export const MAX_NUM_SENDPACKET_TRIES = 8;

/** `UDP_DIRECT_TIMEOUT`: a path that was quiet this long is no longer trusted alone (8 s). */
export const UDP_DIRECT_TIMEOUT_MS = 8000;

/** Settings of a {@link NetCrypto} node. */
export interface NetCryptoConfig {
  /** Resend interval of the cookie request and handshake (1000 ms). */
  readonly tempPacketIntervalMs: number;
  /** Sends of one handshake phase before the connection is given up (8). */
  readonly tempPacketTries: number;
  /**
   * A request packet goes out at least this often while a session is up (1000 ms, as
   * c-toxcore does); it is what tells a c-toxcore sender which packets arrived.
   */
  readonly requestIntervalMs: number;
  /** A toxlink receiver acknowledges after this many lossless packets at the latest (32). */
  readonly ackEveryPackets: number;
  /**
   * ... or this long after the first unacknowledged one (0 ms: once the datagrams already
   * waiting have been read, so a burst gets one acknowledgement at its end).
   */
  readonly ackDelayMs: number;
  /**
   * Packet numbers a session buffers on receive (8192, at most 32768): lossless packets
   * further ahead are dropped and asked for again later. Bounds memory per session to about
   * this many times 1373 bytes.
   */
  readonly receiveWindowPackets: number;
  /** Lossless packets a session holds for sending, sent or not (8192, at most 32768). */
  readonly sendQueuePackets: number;
  /**
   * Above this many unsent packets `sendLossless` returns false: wait for 'drain' (1024, at
   * most half the queue). Packets in flight are bounded by the congestion window instead.
   */
  readonly sendHighWaterPackets: number;
  /** Congestion window before anything is measured, packets (32). */
  readonly initialWindowPackets: number;
  /**
   * The largest congestion window, packets (2048: 2.8 MB in flight, a 100 ms path at
   * 28 MB/s). A c-toxcore receiver reads its socket once per iteration, and its 2 MiB
   * socket buffer holds about 900 datagrams: a window far beyond that overflows it.
   */
  readonly maxWindowPackets: number;
  /** The smallest congestion window, packets (8). */
  readonly minWindowPackets: number;
  /** RTT assumed before the first sample, ms (100). */
  readonly initialRttMs: number;
  /** The pacing rate is never set above this, packets per ms (200, about 270 MB/s). */
  readonly maxPacketsPerMs: number;
  /** Cookie requests answered per second, all senders together (2000): a flood costs no more. */
  readonly cookieRequestsPerSecond: number;
  /** Handshakes for new connections examined per second (500). */
  readonly newHandshakesPerSecond: number;
  /** Shared keys kept, per kind (DHT keys, real keys) (512). */
  readonly sharedKeyCacheSize: number;
  /** Sessions held at once, in any state (1024); `connect` and accepting refuse more. */
  readonly maxConnections: number;
}

/** The defaults. */
export const defaultNetCryptoConfig: Readonly<NetCryptoConfig> = Object.freeze({
  tempPacketIntervalMs: CRYPTO_SEND_PACKET_INTERVAL_MS,
  tempPacketTries: MAX_NUM_SENDPACKET_TRIES,
  requestIntervalMs: 1000,
  ackEveryPackets: 32,
  ackDelayMs: 0,
  receiveWindowPackets: 8192,
  sendQueuePackets: 8192,
  sendHighWaterPackets: 1024,
  initialWindowPackets: 32,
  maxWindowPackets: 2048,
  minWindowPackets: 8,
  initialRttMs: 100,
  maxPacketsPerMs: 200,
  cookieRequestsPerSecond: 2000,
  newHandshakesPerSecond: 500,
  sharedKeyCacheSize: 512,
  maxConnections: 1024,
});

/** Fills in the defaults and checks every value; throws an `EncodeError` naming the bad one. */
export function netCryptoConfig(partial: Partial<NetCryptoConfig> = {}): NetCryptoConfig {
  const c: NetCryptoConfig = { ...defaultNetCryptoConfig, ...partial };
  const check = (field: keyof NetCryptoConfig, min: number, max: number): void => {
    const v = c[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw new EncodeError(`net_crypto config: ${field} must be from ${min} to ${max}, got ${String(v)}`);
    }
  };
  check('tempPacketIntervalMs', 1, 60_000);
  check('tempPacketTries', 1, 1000);
  check('requestIntervalMs', 1, 60_000);
  check('ackEveryPackets', 1, 4096);
  check('ackDelayMs', 0, 1000);
  check('receiveWindowPackets', 16, CRYPTO_PACKET_BUFFER_SIZE);
  check('sendQueuePackets', 16, CRYPTO_PACKET_BUFFER_SIZE);
  check('sendHighWaterPackets', 1, Math.floor(c.sendQueuePackets / 2));
  check('initialWindowPackets', 1, CRYPTO_PACKET_BUFFER_SIZE);
  check('minWindowPackets', 1, CRYPTO_PACKET_BUFFER_SIZE);
  check('maxWindowPackets', c.minWindowPackets, CRYPTO_PACKET_BUFFER_SIZE);
  check('initialRttMs', 0.01, 60_000);
  check('maxPacketsPerMs', 0.001, 10_000);
  check('cookieRequestsPerSecond', 1, 1e7);
  check('newHandshakesPerSecond', 1, 1e7);
  check('sharedKeyCacheSize', 1, 1 << 20);
  check('maxConnections', 1, 1 << 20);
  return c;
}
