/**
 * What a relay connection does when its socket will not take more: the send side shared by
 * the server (one per client) and the client. Control frames (routing responses,
 * notifications, pings, pongs) are sealed at once and held, in order, until the socket
 * drains; data, OOB and onion frames are dropped instead, which is what c-toxcore does
 * (`write_packet_TCP_secure_connection` with and without `priority`). Held bytes are
 * bounded: past the bound the connection is given up. A slow reader so costs the relay a
 * bounded amount of memory and never holds up anyone else's frames.
 *
 * @see spec/relay.md#slow-readers
 * @module
 */
import type { StreamConnection } from '../io/index.ts';
import type { SecureStream } from './secure-stream.ts';

/** What became of a frame. */
export type SendOutcome =
  /** Written to the socket (or held behind other control frames, in order). */
  | 'sent'
  /** Not sent: a data, OOB or onion frame while the socket was full. */
  | 'dropped'
  /** Not sent: holding it would pass the bound; the owner must close the connection. */
  | 'overflow'
  /** The connection is gone. */
  | 'closed';

/** The send side of one relay connection; see the module comment. */
export class FrameSender {
  readonly #conn: StreamConnection;
  readonly #stream: SecureStream;
  readonly #maxQueuedBytes: number;
  #blocked = false;
  #closed = false;
  readonly #held: Uint8Array[] = [];
  #heldBytes = 0;
  #onDrain: (() => void) | undefined;

  /** `onDrain` runs when a full socket has taken everything held and can take more. */
  constructor(conn: StreamConnection, stream: SecureStream, maxQueuedBytes: number, onDrain?: () => void) {
    this.#conn = conn;
    this.#stream = stream;
    this.#maxQueuedBytes = maxQueuedBytes;
    this.#onDrain = onDrain;
    conn.onDrain(() => this.#drain());
  }

  /** Whether a data frame sent now would go out. */
  get writable(): boolean {
    return !this.#blocked && !this.#closed;
  }

  /** Bytes of control frames held for the socket. */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Writes bytes that are not frames (a handshake), before any frame. */
  writeRaw(bytes: Uint8Array): SendOutcome {
    return this.#write(bytes);
  }

  /**
   * Seals and sends one frame. `control` frames are held while the socket is full; others
   * are dropped then.
   */
  send(plain: Uint8Array, control: boolean): SendOutcome {
    if (this.#closed) return 'closed';
    if (!this.#blocked) return this.#write(this.#stream.seal(plain));
    if (!control) return 'dropped';
    const frame = this.#stream.seal(plain);
    if (this.#heldBytes + frame.length > this.#maxQueuedBytes) return 'overflow';
    this.#held.push(frame);
    this.#heldBytes += frame.length;
    return 'sent';
  }

  /** Stops sending; what is held is forgotten. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#held.length = 0;
    this.#heldBytes = 0;
    this.#onDrain = undefined;
  }

  #write(bytes: Uint8Array): SendOutcome {
    try {
      if (!this.#conn.write(bytes)) this.#blocked = true;
      return 'sent';
    } catch {
      this.#closed = true;
      return 'closed';
    }
  }

  #drain(): void {
    if (this.#closed) return;
    this.#blocked = false;
    while (this.#held.length > 0 && !this.#closed) {
      const frame = this.#held.shift()!;
      this.#heldBytes -= frame.length;
      if (this.#write(frame) === 'closed') return;
    }
    if (!this.#blocked) this.#onDrain?.();
  }
}
