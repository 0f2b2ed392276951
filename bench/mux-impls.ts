/**
 * The four multiplexers of bench/mux.ts behind one small face, each over the same
 * in-memory link (bench/mux-link.ts): toxlink's channel layer, @chainsafe/libp2p-yamux,
 * protomux and multiplex. A `BenchMuxer` is two ends joined by a fresh link; `open()`
 * opens a channel from the first end and resolves once both ends hold it; a `BenchChannel`
 * writes at the opener's end and reads at the acceptor's.
 *
 * @module
 */
import { Duplex } from 'node:stream';
import { yamux } from '@chainsafe/libp2p-yamux';
import Protomux from 'protomux';
import multiplex from 'multiplex';
import type { ChannelSocket, MuxConnector, MuxConfig } from '../src/mux/index.ts';
import type { Toxlink } from './compiled.ts';
import { FramedLinkStream, LinkCarrier, LinkDuplex, libp2pDuplex, linkPair } from './mux-link.ts';

/** Counters a transfer moves. */
export interface Progress {
  /** Bytes the writer handed to the multiplexer (it took them: they are its memory now). */
  accepted: number;
  /** Bytes the reader took. */
  read: number;
}

/** One open channel: written at the opener's end, read at the acceptor's. */
export interface BenchChannel {
  /**
   * Writes `total` bytes in writes of `chunk`, each after the multiplexer took the last
   * (backpressure), counting `progress.accepted`; stops early when `signal` fires.
   */
  write(total: number, chunk: Uint8Array, progress: Progress, signal?: AbortSignal): Promise<void>;
  /** Reads at the acceptor's end, counting `progress.read`; resolves once `total` bytes were read. */
  read(total: number, progress: Progress): Promise<void>;
  /** Bytes that arrived at the acceptor's end and wait unread, where the multiplexer says. */
  held(): number | undefined;
}

/** Two ends of one multiplexer over a fresh link. */
export interface BenchMuxer {
  open(): Promise<BenchChannel>;
  close(): Promise<void>;
}

/** A multiplexer under test. */
export interface MuxerKind {
  readonly impl: string;
  /** What goes on the link per write of 64 KiB. */
  readonly frames: string;
  /** Whether `open()` is one way (the acceptor holds it) or a round trip (the opener heard back). */
  readonly openIs: 'one way' | 'round trip';
  /** What a paused reader's memory is bounded by, if anything. */
  readonly window: string;
  make(): BenchMuxer;
}

/** Waits for `event` on `emitter`, or for `signal`. */
function once(emitter: NodeJS.EventEmitter, event: string, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      emitter.off(event, done);
      emitter.off('close', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    emitter.on(event, done);
    emitter.on('close', done);
    signal?.addEventListener('abort', done);
  });
}

/** Writes to a Node Writable with backpressure. */
async function writeNode(stream: Duplex, total: number, chunk: Uint8Array, progress: Progress, signal?: AbortSignal): Promise<void> {
  while (progress.accepted < total && signal?.aborted !== true && !stream.destroyed) {
    const n = Math.min(chunk.length, total - progress.accepted);
    const ok = stream.write(n === chunk.length ? chunk : chunk.subarray(0, n));
    progress.accepted += n;
    if (!ok) await once(stream, 'drain', signal);
  }
}

/** Reads a Node Readable, counting. */
function readNode(stream: Duplex, total: number, progress: Progress): Promise<void> {
  return new Promise<void>((resolve) => {
    if (progress.read >= total) resolve();
    stream.on('data', (c: Uint8Array) => {
      progress.read += c.length;
      if (progress.read >= total) resolve();
    });
  });
}

// ─── toxlink ────────────────────────────────────────────────────────────────

/** The channel-layer limits the open figures need: 1,000 opens at once (the defaults allow 64 pending). */
export const TOXLINK_BENCH_CONFIG: Partial<MuxConfig> = { maxPendingOpens: 1024, maxPendingAccepts: 1024, maxChannels: 4096 };

/** toxlink's channel layer, from `t` (plain JavaScript or src/ under tsx). */
export const toxlinkKind = (t: Toxlink): MuxerKind => ({
  impl: t.build === 'compiled' ? 'toxlink' : 'toxlink (src under tsx)',
  frames: 'packets of at most 1373 bytes (net_crypto\'s lossless payload), frames of at most 1368',
  openIs: 'round trip',
  window: '256 KiB per channel (grows to 4 MiB while it is what holds a keen reader back)',
  make() {
    const [ea, eb] = linkPair();
    const { generateKeyPair } = t.crypto;
    const { ConnectionManager } = t.mux;
    const aKey = generateKeyPair().publicKey;
    const bKey = generateKeyPair().publicKey;
    const clock = new t.io.SystemClock();
    const connector = (carrier: LinkCarrier): MuxConnector => ({
      connect: () => Promise.resolve(carrier),
      onCarrier: (listener) => {
        listener(carrier);
        return () => {};
      },
    });
    const alice = new ConnectionManager({ selfKey: aKey, connector: connector(new LinkCarrier(bKey, ea)), clock, config: TOXLINK_BENCH_CONFIG });
    const bob = new ConnectionManager({ selfKey: bKey, connector: connector(new LinkCarrier(aKey, eb)), clock, config: TOXLINK_BENCH_CONFIG });
    const accepted = new Map<number, ChannelSocket>();
    bob.onChannelRequest(() => true);
    bob.on('channel', (s) => {
      s.on('error', () => {});
      accepted.set(s.channelId, s);
    });
    return {
      async open() {
        const local = await alice.connectDevice(bKey, 'bench');
        local.on('error', () => {});
        const remote = accepted.get(local.channelId)!;
        accepted.delete(local.channelId);
        let taken = 0;
        return {
          write: (total, chunk, progress, signal) => writeNode(local, total, chunk, progress, signal),
          read: (total, progress) => {
            remote.on('data', (c: Uint8Array) => { taken += c.length; });
            return readNode(remote, total, progress);
          },
          held: () => remote.bytesReceived - taken,
        };
      },
      close() {
        alice.close();
        bob.close();
        ea.close();
        return Promise.resolve();
      },
    };
  },
});

// ─── yamux ──────────────────────────────────────────────────────────────────

/** A logger that logs nothing (yamux wants one). */
function silentLogger() {
  const log = Object.assign((..._args: unknown[]) => {}, { error: () => {}, trace: () => {}, enabled: false });
  return { forComponent: () => log };
}

/** yamux's data frame header (bytes). */
const YAMUX_HEADER = 12;

/**
 * The largest yamux data frame body whose frame fits one Tox custom lossless packet (1373
 * bytes, as toxlink's packets): what yamux could send if it were carried over Tox.
 */
export const YAMUX_PACKET_BODY = 1373 - YAMUX_HEADER;

/** yamux with its default 64 KiB frames, or with `maxMessageSize` bodies. */
function yamuxKindFor(maxMessageSize?: number): MuxerKind {
  return {
    impl: maxMessageSize === undefined ? '@chainsafe/libp2p-yamux 7.0.4' : '@chainsafe/libp2p-yamux 7.0.4 (Tox packet size)',
    frames: maxMessageSize === undefined
      ? 'data frames of at most 64 KiB (maxMessageSize) plus a 12-byte header'
      : `data frames of at most ${maxMessageSize} bytes (maxMessageSize) plus a 12-byte header: each fits a 1373-byte Tox packet`,
    openIs: 'one way',
    window: '256 KiB per stream (grows to 16 MiB)',
    make: () => makeYamux(maxMessageSize),
  };
}

/** yamux as bench/mux.ts runs it by default: 64 KiB frames. */
export const yamuxKind: MuxerKind = yamuxKindFor();

/** yamux whose frames each fit a Tox packet, as toxlink's do: the like-for-like throughput. */
export const yamuxPacketKind: MuxerKind = yamuxKindFor(YAMUX_PACKET_BODY);

function makeYamux(maxMessageSize: number | undefined): BenchMuxer {
  const [ea, eb] = linkPair();
  const options = { enableKeepAlive: false, maxInboundStreams: 4096, maxOutboundStreams: 4096, ...(maxMessageSize === undefined ? {} : { maxMessageSize }) };
  const factory = yamux(options)({ logger: silentLogger() as never });
  type YStream = Awaited<ReturnType<ReturnType<typeof factory.createStreamMuxer>['newStream']>>;
  const incoming = new Map<string, YStream>();
  const waiters = new Map<string, (s: YStream) => void>();
  const a = factory.createStreamMuxer({ direction: 'outbound' });
  const b = factory.createStreamMuxer({
    direction: 'inbound',
    onIncomingStream: (s) => {
      const w = waiters.get(s.id);
      if (w !== undefined) {
        waiters.delete(s.id);
        w(s as YStream);
      } else incoming.set(s.id, s as YStream);
    },
  });
  for (const [m, end] of [[a, ea], [b, eb]] as const) {
    const d = libp2pDuplex(end);
    void Promise.resolve(m.sink(d.source)).catch(() => {});
    void d.sink(m.source).catch(() => {});
  }
  return {
    async open() {
      const local = await a.newStream();
      const remote = incoming.get(local.id) ?? await new Promise<YStream>((resolve) => waiters.set(local.id, resolve));
      incoming.delete(local.id);
      return {
        async write(total, chunk, progress, signal) {
          async function* source(): AsyncGenerator<Uint8Array> {
            while (progress.accepted < total && signal?.aborted !== true) {
              const n = Math.min(chunk.length, total - progress.accepted);
              yield n === chunk.length ? chunk : chunk.subarray(0, n);
              progress.accepted += n;
            }
          }
          // The sink ends the stream's writing side when the source ends; a paused
          // reader's writer is left waiting for its window (the muxer is closed at the end).
          const sunk = local.sink(source()).catch(() => {});
          if (signal === undefined) await sunk;
          else await Promise.race([sunk, new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()))]);
        },
        async read(total, progress) {
          for await (const list of remote.source) {
            progress.read += list.byteLength;
            if (progress.read >= total) return;
          }
        },
        held: () => undefined,
      };
    },
    async close() {
      a.abort(new Error('bench over'));
      b.abort(new Error('bench over'));
      ea.close();
    },
  };
}

// ─── protomux ───────────────────────────────────────────────────────────────

/** Raw bytes, no length (a message is its frame). */
const raw = {
  preencode(state: { end: number }, b: Uint8Array): void {
    state.end += b.length;
  },
  encode(state: { buffer: Uint8Array; start: number }, b: Uint8Array): void {
    state.buffer.set(b, state.start);
    state.start += b.length;
  },
  decode(state: { buffer: Uint8Array; start: number; end: number }): Uint8Array {
    const b = state.buffer.subarray(state.start, state.end);
    state.start = state.end;
    return b;
  },
};

/** A protomux channel's receiving side: messages go to the reader, or wait in a list while there is none (protomux itself cannot pause one channel). */
class ProtoInbox {
  held: Uint8Array[] = [];
  heldBytes = 0;
  reader: ((m: Uint8Array) => void) | undefined;

  take = (m: Uint8Array): void => {
    if (this.reader !== undefined) this.reader(m);
    else {
      this.held.push(m);
      this.heldBytes += m.length;
    }
  };
}

export const protomuxKind: MuxerKind = {
  impl: 'protomux 3.12.1',
  frames: 'one message per write (64 KiB plus a few bytes of ids), on a framed stream',
  openIs: 'round trip',
  window: 'none: a channel has no flow control of its own',
  make() {
    const [ea, eb] = linkPair();
    const sa = new FramedLinkStream(ea);
    const sb = new FramedLinkStream(eb);
    const ma = new Protomux(sa);
    const mb = new Protomux(sb);
    const inboxes = new Map<string, ProtoInbox>();
    mb.pair({ protocol: 'bench' }, (id) => {
      const inbox = new ProtoInbox();
      inboxes.set(Buffer.from(id!).toString('hex'), inbox);
      mb.createChannel({ protocol: 'bench', id, messages: [{ encoding: raw, onmessage: inbox.take }] })?.open();
    });
    let next = 0;
    return {
      async open() {
        const id = Buffer.alloc(4);
        id.writeUInt32BE(next++);
        const drains = new Set<() => void>();
        let channel: ReturnType<typeof ma.createChannel> = null;
        await new Promise<void>((resolve) => {
          channel = ma.createChannel({
            protocol: 'bench', id, messages: [{ encoding: raw }], onopen: resolve,
            ondrain: () => { for (const d of [...drains]) d(); },
          });
          channel!.open();
        });
        const local = channel!;
        const inbox = inboxes.get(id.toString('hex'))!;
        inboxes.delete(id.toString('hex'));
        const message = local.messages[0]!;
        return {
          async write(total, chunk, progress, signal) {
            while (progress.accepted < total && signal?.aborted !== true) {
              const n = Math.min(chunk.length, total - progress.accepted);
              const ok = message.send(n === chunk.length ? chunk : chunk.subarray(0, n));
              progress.accepted += n;
              if (!ok) {
                await new Promise<void>((resolve) => {
                  const done = (): void => {
                    drains.delete(done);
                    signal?.removeEventListener('abort', done);
                    resolve();
                  };
                  drains.add(done);
                  signal?.addEventListener('abort', done);
                });
              }
            }
          },
          read(total, progress) {
            return new Promise<void>((resolve) => {
              for (const m of inbox.held) progress.read += m.length;
              inbox.held = [];
              inbox.heldBytes = 0;
              if (progress.read >= total) resolve();
              inbox.reader = (m) => {
                progress.read += m.length;
                if (progress.read >= total) resolve();
              };
            });
          },
          held: () => inbox.heldBytes,
        };
      },
      async close() {
        sa.destroy();
        sb.destroy();
      },
    };
  },
};

// ─── multiplex ──────────────────────────────────────────────────────────────

export const multiplexKind: MuxerKind = {
  impl: 'multiplex 6.7.0',
  frames: 'one frame per write (64 KiB plus a 2 to 5-byte varint header), header and body pushed as two chunks',
  openIs: 'one way',
  window: 'none: one full reader stops the whole connection',
  make() {
    const [ea, eb] = linkPair();
    const la = new LinkDuplex(ea);
    const lb = new LinkDuplex(eb);
    const incoming = new Map<string, Duplex>();
    const waiters = new Map<string, (s: Duplex) => void>();
    const pa = multiplex();
    const pb = multiplex((stream, name) => {
      stream.on('error', () => {});
      const w = waiters.get(name);
      if (w !== undefined) {
        waiters.delete(name);
        w(stream);
      } else incoming.set(name, stream);
    });
    for (const s of [la, lb, pa, pb]) s.on('error', () => {});
    // Joined by hand, with backpressure both ways (pipe() would also pass 'end' on).
    for (const [from, to] of [[pa, la], [la, pa], [pb, lb], [lb, pb]] as const) {
      from.on('data', (c: Uint8Array) => {
        if (!to.write(c)) from.pause();
      });
      to.on('drain', () => from.resume());
    }
    let next = 0;
    return {
      async open() {
        const name = String(next++);
        const local = pa.createStream(name);
        local.on('error', () => {});
        const remote = incoming.get(name) ?? await new Promise<Duplex>((resolve) => waiters.set(name, resolve));
        incoming.delete(name);
        return {
          write: (total, chunk, progress, signal) => writeNode(local, total, chunk, progress, signal),
          read: (total, progress) => readNode(remote, total, progress),
          held: () => undefined,
        };
      },
      async close() {
        pa.destroy();
        pb.destroy();
        ea.close();
      },
    };
  },
};

/** The four, toxlink first. */
export function muxers(t: Toxlink): MuxerKind[] {
  return [toxlinkKind(t), yamuxKind, protomuxKind, multiplexKind];
}
