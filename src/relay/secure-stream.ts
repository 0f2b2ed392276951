/**
 * The secure stream: one side of a relay connection as a pure state machine. It is handed
 * the bytes that arrive, in whatever chunks TCP delivers them, and hands back the handshake
 * and the decrypted frames, one at a time; it seals the frames to send. It never touches a
 * socket or a clock: `TcpRelayServer` and `TcpRelayClient` feed it from a
 * `StreamConnection` and enforce the deadlines.
 *
 * ```ts
 * const client = SecureStream.client(clientKeys, relayPublicKey);
 * const relay = SecureStream.server(relayKeys);
 * relay.push(client.hello);                 // the 128-byte client handshake
 * const hs = relay.next();                  // { kind: 'handshake', peerPublicKey, reply }
 * client.push(hs.reply);                    // the 96-byte answer
 * client.next();                            // { kind: 'handshake', peerPublicKey: relayPublicKey }
 * relay.push(client.seal(Uint8Array.of(4, 1, 2, 3, 4, 5, 6, 7, 8)));
 * relay.next();                             // { kind: 'frame', plain: [4, 1, …, 8] } — a ping
 * ```
 *
 * Anything wrong ends the stream for good: a handshake whose box does not open, a length
 * prefix above 2048 or too short for a MAC and a byte (a length of 0 is skipped, as c-toxcore
 * skips it), a frame whose MAC does not verify (bad bytes, or
 * bytes out of order, since every frame has its own nonce). `next` then reports one
 * `failed` event with the reason, and the owner closes the connection.
 *
 * @see spec/relay.md#the-secure-stream
 * @module
 */
import {
  type KeyPair, PUBLIC_KEY_SIZE, generateKeyPair, incrementNonce, precompute, randomNonce,
} from '../crypto/index.ts';
import { type HandshakeContents, decodeClientHandshake, encodeClientHandshake, openClientHandshake } from './client-handshake.ts';
import { RelayError, expectLength } from './errors.ts';
import { encodeFrame, judgeFrameLength, openFrame } from './frame.ts';
import { FRAME_LENGTH_SIZE, TCP_CLIENT_HANDSHAKE_SIZE, TCP_SERVER_HANDSHAKE_SIZE } from './packet-sizes.ts';
import { decodeServerHandshake, encodeServerHandshake, openServerHandshake } from './server-handshake.ts';

/**
 * What one side draws at random for one connection: its temporary key pair, the base nonce
 * of its frames and the nonce of its handshake box.
 */
export interface HandshakeSecrets {
  readonly keyPair: KeyPair;
  readonly baseNonce: Uint8Array;
  readonly nonce: Uint8Array;
}

/** Fresh random {@link HandshakeSecrets}, what every connection uses unless a test replays one. */
export function randomHandshakeSecrets(): HandshakeSecrets {
  return { keyPair: generateKeyPair(), baseNonce: randomNonce(), nonce: randomNonce() };
}

/** Why a stream failed. */
export type StreamFailure =
  /** The client's public key is one X25519 refuses (a low-order point). */
  | 'handshake-bad-key'
  /** The handshake box did not open: the wrong relay key, or bytes that are no handshake. */
  | 'handshake-bad-mac'
  /** A length prefix above 2048. */
  | 'frame-too-long'
  /** A length prefix of 1 to 16: no room for a MAC and a byte (a length of 0 is skipped). */
  | 'frame-too-short'
  /** A frame whose MAC did not verify with the next nonce. */
  | 'frame-bad-mac';

/** What {@link SecureStream.next} hands back. */
export type StreamEvent =
  /**
   * The handshake is done. `peerPublicKey` is the other side's long-term key (the client's,
   * at the relay; the relay's, at the client); `reply` is the 96 bytes a relay must write
   * before anything else (undefined at the client).
   */
  | { readonly kind: 'handshake'; readonly peerPublicKey: Uint8Array; readonly reply: Uint8Array | undefined }
  /** One frame's plaintext, 1 to 2032 bytes. */
  | { readonly kind: 'frame'; readonly plain: Uint8Array }
  /** The stream is broken; nothing more comes out of it. */
  | { readonly kind: 'failed'; readonly reason: StreamFailure };

/** Where a stream is. */
export type SecureStreamState = 'handshake' | 'open' | 'failed';

/** A buffer this large or larger is dropped for a small one once it is empty again. */
const SHRINK_ABOVE = 64 * 1024;
const INITIAL_BUFFER = 4096;

/** One side of a relay connection; see the module comment. */
export class SecureStream {
  readonly role: 'client' | 'server';
  #state: SecureStreamState = 'handshake';
  #failure: StreamFailure | undefined;
  #failureReported = false;
  #peerPublicKey: Uint8Array | undefined;
  #handshakeKey: Uint8Array | undefined;
  #secrets: HandshakeSecrets | undefined;
  readonly #relayKeyPair: KeyPair | undefined;
  readonly #makeSecrets: (() => HandshakeSecrets) | undefined;
  #sessionKey: Uint8Array | undefined;
  #sendNonce: Uint8Array | undefined;
  #receiveNonce: Uint8Array | undefined;
  #hello: Uint8Array = new Uint8Array(0);
  #buf: Uint8Array = new Uint8Array(INITIAL_BUFFER);
  #start = 0;
  #end = 0;

  private constructor(role: 'client' | 'server', relayKeyPair: KeyPair | undefined, makeSecrets: (() => HandshakeSecrets) | undefined) {
    this.role = role;
    this.#relayKeyPair = relayKeyPair;
    this.#makeSecrets = makeSecrets;
  }

  /**
   * The client side: `selfKeyPair` is the key the relay will know the client by (c-toxcore
   * uses its DHT key), `relayPublicKey` the relay's long-term key. `secrets` default to
   * fresh random ones. Throws a `RelayError` (`bad-key`) if X25519 refuses the relay's key.
   */
  static client(selfKeyPair: KeyPair, relayPublicKey: Uint8Array, secrets: HandshakeSecrets = randomHandshakeSecrets()): SecureStream {
    expectLength(relayPublicKey, PUBLIC_KEY_SIZE, 'relay public key');
    const shared = precompute(relayPublicKey, selfKeyPair.secretKey);
    if (shared === undefined) throw new RelayError('bad-key', 'the relay public key is not a valid X25519 key');
    const stream = new SecureStream('client', undefined, undefined);
    stream.#peerPublicKey = Uint8Array.from(relayPublicKey);
    stream.#handshakeKey = shared;
    stream.#secrets = secrets;
    const contents: HandshakeContents = { tempPublicKey: secrets.keyPair.publicKey, baseNonce: secrets.baseNonce };
    stream.#hello = encodeClientHandshake(selfKeyPair.publicKey, shared, secrets.nonce, contents);
    return stream;
  }

  /**
   * The relay side, with the relay's long-term key pair. `secrets` is called once, when the
   * client's handshake has opened; by default it draws fresh random ones.
   */
  static server(relayKeyPair: KeyPair, secrets: () => HandshakeSecrets = randomHandshakeSecrets): SecureStream {
    return new SecureStream('server', relayKeyPair, secrets);
  }

  /** The client's handshake, 128 bytes to write first (empty at the relay). */
  get hello(): Uint8Array {
    return this.#hello;
  }

  get state(): SecureStreamState {
    return this.#state;
  }

  /** Why the stream failed, once it has. */
  get failure(): StreamFailure | undefined {
    return this.#failure;
  }

  /** The other side's long-term public key: the relay's from the start at a client; the client's after the handshake at a relay. */
  get peerPublicKey(): Uint8Array | undefined {
    return this.#peerPublicKey;
  }

  /** Bytes received and not yet taken by `next` (a partial handshake or frame). */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Hands the stream bytes that arrived. Ignored once it failed. */
  push(chunk: Uint8Array): void {
    if (this.#state === 'failed' || chunk.length === 0) return;
    const live = this.#end - this.#start;
    if (this.#end + chunk.length > this.#buf.length) {
      const target = live + chunk.length <= this.#buf.length ? this.#buf : new Uint8Array(Math.max(live + chunk.length, 2 * this.#buf.length));
      target.set(this.#buf.subarray(this.#start, this.#end), 0);
      this.#buf = target;
      this.#start = 0;
      this.#end = live;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /**
   * The next handshake, frame or failure from the bytes pushed so far; `undefined` when they
   * hold no whole one. Call it until `undefined` after each `push`.
   */
  next(): StreamEvent | undefined {
    if (this.#state === 'failed') {
      if (this.#failureReported) return undefined;
      this.#failureReported = true;
      return { kind: 'failed', reason: this.#failure! };
    }
    const event = this.#state === 'handshake' ? this.#readHandshake() : this.#readFrame();
    if (this.#start === this.#end) {
      this.#start = this.#end = 0;
      if (this.#buf.length > SHRINK_ABOVE) this.#buf = new Uint8Array(INITIAL_BUFFER);
    }
    return event;
  }

  /**
   * One frame to write: `plain` (1 to 2032 bytes) sealed with the session key and our next
   * nonce. Throws a `RelayError` (`not-connected`) before the handshake or after a failure.
   */
  seal(plain: Uint8Array): Uint8Array {
    if (this.#state !== 'open') throw new RelayError('not-connected', `cannot send on a stream that is ${this.#state === 'failed' ? 'broken' : 'still in its handshake'}`);
    const frame = encodeFrame(this.#sessionKey!, this.#sendNonce!, plain);
    incrementNonce(this.#sendNonce!);
    return frame;
  }

  #fail(reason: StreamFailure): StreamEvent {
    this.#state = 'failed';
    this.#failure = reason;
    this.#failureReported = true;
    this.#start = this.#end = 0;
    this.#buf = new Uint8Array(0);
    this.#secrets = undefined;
    return { kind: 'failed', reason };
  }

  #take(n: number): Uint8Array {
    const out = this.#buf.subarray(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }

  #readHandshake(): StreamEvent | undefined {
    return this.role === 'server' ? this.#readClientHandshake() : this.#readServerHandshake();
  }

  #readClientHandshake(): StreamEvent | undefined {
    if (this.buffered < TCP_CLIENT_HANDSHAKE_SIZE) return undefined;
    const envelope = decodeClientHandshake(this.#take(TCP_CLIENT_HANDSHAKE_SIZE));
    const shared = precompute(envelope.clientPublicKey, this.#relayKeyPair!.secretKey);
    if (shared === undefined) return this.#fail('handshake-bad-key');
    const theirs = openClientHandshake(envelope, shared);
    if (theirs === undefined) return this.#fail('handshake-bad-mac');
    const ours = this.#makeSecrets!();
    const session = precompute(theirs.tempPublicKey, ours.keyPair.secretKey);
    if (session === undefined) return this.#fail('handshake-bad-key');
    const reply = encodeServerHandshake(shared, ours.nonce, { tempPublicKey: ours.keyPair.publicKey, baseNonce: ours.baseNonce });
    this.#open(session, ours.baseNonce, theirs.baseNonce);
    this.#peerPublicKey = envelope.clientPublicKey;
    return { kind: 'handshake', peerPublicKey: envelope.clientPublicKey, reply };
  }

  #readServerHandshake(): StreamEvent | undefined {
    if (this.buffered < TCP_SERVER_HANDSHAKE_SIZE) return undefined;
    const envelope = decodeServerHandshake(this.#take(TCP_SERVER_HANDSHAKE_SIZE));
    const theirs = openServerHandshake(envelope, this.#handshakeKey!);
    if (theirs === undefined) return this.#fail('handshake-bad-mac');
    const ours = this.#secrets!;
    const session = precompute(theirs.tempPublicKey, ours.keyPair.secretKey);
    if (session === undefined) return this.#fail('handshake-bad-key');
    this.#open(session, ours.baseNonce, theirs.baseNonce);
    return { kind: 'handshake', peerPublicKey: this.#peerPublicKey!, reply: undefined };
  }

  #open(sessionKey: Uint8Array, sendBase: Uint8Array, receiveBase: Uint8Array): void {
    this.#sessionKey = sessionKey;
    this.#sendNonce = Uint8Array.from(sendBase);
    this.#receiveNonce = Uint8Array.from(receiveBase);
    this.#handshakeKey = undefined;
    this.#secrets = undefined;
    this.#state = 'open';
  }

  #readFrame(): StreamEvent | undefined {
    let length = 0;
    // A length of 0 is skipped, as c-toxcore skips it (`read_TCP_length` reads it as "nothing yet").
    while (length === 0) {
      if (this.buffered < FRAME_LENGTH_SIZE) return undefined;
      length = (this.#buf[this.#start]! << 8) | this.#buf[this.#start + 1]!;
      if (length === 0) this.#start += FRAME_LENGTH_SIZE;
    }
    const verdict = judgeFrameLength(length);
    if (verdict === 'too-long') return this.#fail('frame-too-long');
    if (verdict === 'too-short') return this.#fail('frame-too-short');
    if (this.buffered < FRAME_LENGTH_SIZE + length) return undefined;
    this.#start += FRAME_LENGTH_SIZE;
    const plain = openFrame(this.#sessionKey!, this.#receiveNonce!, this.#take(length));
    if (plain === undefined) return this.#fail('frame-bad-mac');
    incrementNonce(this.#receiveNonce!);
    return { kind: 'frame', plain };
  }
}
