/**
 * One client connection at a relay: its secure stream, its send side, its routes, and its
 * timers. It moves through `handshake` (waiting for the 128-byte client handshake),
 * `unconfirmed` (answered, waiting for the first frame), `confirmed` and `closed`. One timer
 * does all the waiting: the handshake deadline until confirmed, then the next ping, then the
 * pong deadline, then the next ping again.
 *
 * The relay (`TcpRelayServer`) owns the cross-client logic: routing, OOB, replacement. This
 * class tells it what arrived through a small host interface.
 *
 * @see spec/relay.md#the-server
 * @see spec/relay.md#timers
 * @module
 */
import type { Clock, StreamConnection, Timer } from '../io/index.ts';
import { type KeyPair, constantTimeEqual, randomBytes } from '../crypto/index.ts';
import { toHex } from '../wire/index.ts';
import type { RelayServerConfig } from './config.ts';
import { FrameSender, type SendOutcome } from './frame-sender.ts';
import { PING_ID_SIZE } from './packet-sizes.ts';
import { encodePing, isZeroPingId } from './ping-packets.ts';
import { RouteTable } from './route-table.ts';
import { type HandshakeSecrets, SecureStream } from './secure-stream.ts';
import type { RelayCloseReason, RelayDropReason } from './stats.ts';

/** Where a client connection is. */
export type ServerClientStatus = 'handshake' | 'unconfirmed' | 'confirmed' | 'closed';

/** What a {@link ServerClient} needs from its relay. */
export interface ServerClientHost {
  readonly clock: Clock;
  readonly config: RelayServerConfig;
  readonly keyPair: KeyPair;
  readonly secrets: () => HandshakeSecrets;
  /** The handshake was answered. */
  handshaken(client: ServerClient): void;
  /** A frame opened; the client is confirmed first if it was not. */
  frame(client: ServerClient, plain: Uint8Array): void;
  /** The client is closed, for `reason`; called once. */
  closed(client: ServerClient, reason: RelayCloseReason): void;
  /** A frame was sent or queued. */
  sent(): void;
  drop(reason: RelayDropReason): void;
  error(error: Error): void;
}

/** A client connection at a relay; see the module comment. */
export class ServerClient {
  readonly serial: number;
  readonly conn: StreamConnection;
  readonly stream: SecureStream;
  readonly sender: FrameSender;
  readonly routes: RouteTable<ServerClient>;
  #status: ServerClientStatus = 'handshake';
  #publicKey: Uint8Array | undefined;
  #keyHex: string | undefined;
  #timer: Timer | undefined;
  #pingId: Uint8Array | undefined;
  #pingSentAt = 0;
  readonly #host: ServerClientHost;

  constructor(host: ServerClientHost, serial: number, conn: StreamConnection) {
    this.#host = host;
    this.serial = serial;
    this.conn = conn;
    this.stream = SecureStream.server(host.keyPair, host.secrets);
    // No write batch: each frame is written on its own, as c-toxcore's relay sends it (see
    // spec/relay.md#write-batching: batched writes stalled c-toxcore clients).
    this.sender = new FrameSender(conn, this.stream, host.config);
    this.routes = new RouteTable(host.config.maxRoutesPerClient);
    this.#timer = host.clock.setTimer(host.config.handshakeTimeoutMs, () => this.close('handshake-timeout'));
    conn.onData((chunk) => this.#receive(chunk));
    conn.onClose(() => this.close('peer-closed'));
  }

  get status(): ServerClientStatus {
    return this.#status;
  }

  /** The client's public key, once its handshake opened. */
  get publicKey(): Uint8Array | undefined {
    return this.#publicKey;
  }

  /** The same, as hex. */
  get keyHex(): string | undefined {
    return this.#keyHex;
  }

  /**
   * Sends a frame. A control frame that would overflow the held bytes closes the client
   * (`send-queue-full`) and returns `overflow`.
   */
  send(plain: Uint8Array, control: boolean): SendOutcome {
    if (this.#status === 'closed') return 'closed';
    const outcome = this.sender.send(plain, control);
    if (outcome === 'sent') this.#host.sent();
    else if (outcome === 'overflow') this.close('send-queue-full');
    return outcome;
  }

  /** Marks the client confirmed and starts its pings. */
  confirm(): void {
    this.#status = 'confirmed';
    this.#schedule(this.#host.config.pingIntervalMs, () => this.#ping());
  }

  /** A pong from the client: clears our ping if it answers it; a zero id closes the client. */
  pong(pingId: Uint8Array): void {
    if (isZeroPingId(pingId)) {
      this.close('zero-pong');
      return;
    }
    if (this.#pingId === undefined || !constantTimeEqual(pingId, this.#pingId)) {
      this.#host.drop('stale-pong');
      return;
    }
    this.#pingId = undefined;
    const next = this.#pingSentAt + this.#host.config.pingIntervalMs - this.#host.clock.now();
    this.#schedule(next, () => this.#ping());
  }

  /** Closes the connection (idempotent) and tells the relay once. */
  close(reason: RelayCloseReason): void {
    if (this.#status === 'closed') return;
    this.#status = 'closed';
    this.#timer?.cancel();
    this.#timer = undefined;
    this.sender.close();
    this.conn.destroy();
    this.#host.closed(this, reason);
  }

  #schedule(delayMs: number, fn: () => void): void {
    this.#timer?.cancel();
    this.#timer = this.#host.clock.setTimer(delayMs, fn);
  }

  #ping(): void {
    if (this.#status !== 'confirmed') return;
    let id = randomBytes(PING_ID_SIZE);
    if (isZeroPingId(id)) id = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1);
    if (this.send(encodePing(id), true) !== 'sent') return;
    this.#pingId = id;
    this.#pingSentAt = this.#host.clock.now();
    this.#schedule(this.#host.config.pingTimeoutMs, () => this.close('ping-timeout'));
  }

  /** Not closed (a method, so the compiler does not narrow the state across calls that change it). */
  #open(): boolean {
    return this.#status !== 'closed';
  }

  #receive(chunk: Uint8Array): void {
    if (this.#status === 'closed') return;
    try {
      this.stream.push(chunk);
      while (this.#open()) {
        const event = this.stream.next();
        if (event === undefined) break;
        if (event.kind === 'failed') {
          this.close(event.reason);
        } else if (event.kind === 'handshake') {
          this.#publicKey = event.peerPublicKey;
          this.#keyHex = toHex(event.peerPublicKey);
          this.#status = 'unconfirmed';
          if (this.sender.writeRaw(event.reply!) === 'closed') this.close('peer-closed');
          else this.#host.handshaken(this);
        } else {
          this.#host.frame(this, event.plain);
        }
      }
    } catch (error) {
      this.#host.error(error instanceof Error ? error : new Error(String(error)));
      this.close('internal-error');
    }
  }
}
