/**
 * Drives one c-toxcore instance (our C peer, `peer/toxpeer.c`) from a test.
 *
 * The child speaks one JSON object per line: we write `{"cmd": ..., "id": n, ...}` and it
 * answers `{"ok": true|false, "id": n, ...}`; toxcore callbacks arrive in between as
 * `{"event": ...}` lines. {@link ToxPeer} matches replies to commands by id, queues
 * events, and bounds everything: each command and each wait has a timeout, the event
 * queue and the diagnostics it keeps have a maximum size, and {@link ToxPeer.stop} ends
 * the child by its pid (SIGTERM, then SIGKILL) within a bounded time.
 *
 * ```ts
 * const peer = await startPeer(t);                 // stop() registered with t.teardown
 * const me = await peer.create({ udpPortStart: 40000, udpPortEnd: 40099 });
 * await peer.bootstrap('127.0.0.1', node.udpPort, node.publicKey);
 * await peer.waitFor('self_connection', (e) => e.status === 'udp', 20_000);
 * ```
 *
 * @module
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { ExecutionContext } from 'ava';
import { buildPeer } from './build.ts';

/** Connection status as toxcore reports it. */
export type ConnectionStatus = 'none' | 'tcp' | 'udp';

/** Asynchronous events from the C peer (toxcore callbacks). */
export type PeerEvent =
  | { readonly event: 'self_connection'; readonly status: ConnectionStatus }
  | { readonly event: 'friend_connection'; readonly friend: number; readonly status: ConnectionStatus }
  | { readonly event: 'friend_request'; readonly publicKey: string; readonly message: string }
  | { readonly event: 'friend_message'; readonly friend: number; readonly type: 'normal' | 'action'; readonly text: string }
  | { readonly event: 'lossless'; readonly friend: number; readonly data: Uint8Array }
  | { readonly event: 'lossy'; readonly friend: number; readonly data: Uint8Array };

/** The event of one kind. */
export type PeerEventOf<K extends PeerEvent['event']> = Extract<PeerEvent, { event: K }>;

/** A raw reply line, `ok` true. */
export type Reply = Readonly<Record<string, unknown>>;

/** Scalar command fields, as the C peer's flat JSON reader accepts them. */
export type CommandFields = Readonly<Record<string, string | number | boolean>>;

/** Options for `new`: the Tox instance inside the C peer. */
export interface NewOptions {
  /** Long-term secret key, 64 hex characters (savedata type SECRET_KEY). Random if absent. */
  readonly secretKey?: string;
  /**
   * A whole savedata (`tox_get_savedata` format, type TOX_SAVE, at most 32 KiB) to start
   * from, instead of `secretKey`. A load error fails `new`.
   */
  readonly savedata?: Uint8Array;
  /** Nospam to set after creation. Random if absent. */
  readonly nospam?: number;
  /** UDP port range to bind in (inclusive). 0/0 means toxcore's default 33445–33545. */
  readonly udpPortStart?: number;
  readonly udpPortEnd?: number;
  /** Port for the instance's own TCP relay; 0 (default) runs none. */
  readonly tcpPort?: number;
  /** Default false. */
  readonly ipv6?: boolean;
  /** Default true. */
  readonly udp?: boolean;
  /** Default true. */
  readonly holePunching?: boolean;
  /** Send toxcore's log to the child's stderr (kept in {@link ToxPeer.stderrTail}). */
  readonly log?: boolean;
  /**
   * Count received custom lossless packets per friend ({@link ToxPeer.losslessStats})
   * instead of emitting a `lossless` event for each. Default false.
   */
  readonly countLossless?: boolean;
  /**
   * Send every received custom lossless packet whose first byte is 161 straight back to its
   * sender, from toxcore's callback (for round-trip measurements): no event, not counted.
   * Default false.
   */
  readonly echoLossless?: boolean;
}

/** `lossless_stats`: what `countLossless` counted for one friend since the last reset. */
export interface LosslessStats {
  readonly packets: number;
  readonly bytes: number;
  /** The peer's monotonic clock (ms) at the first and last counted packet; 0 before any. */
  readonly firstMs: number;
  readonly lastMs: number;
  /** The peer's monotonic clock (ms) when it answered. */
  readonly nowMs: number;
  /**
   * FNV-1a 64 over each counted packet's length (2 bytes, big-endian) and bytes, in order,
   * as 16 upper-case hex digits ({@link losslessHash} computes the same); all zeros before any.
   */
  readonly hash: string;
  /** `echoLossless`: echoes toxcore refused at first (held, then sent again). */
  readonly echoRefused: number;
  /** `echoLossless`: echoes dropped because too many were held. */
  readonly echoDropped: number;
  /** `echoLossless`: echoes held right now. */
  readonly echoHeld: number;
}

/** Options for {@link ToxPeer.blast}. */
export interface BlastOptions {
  /** How long to send, in (0, 120] seconds. */
  readonly seconds: number;
  /** Packet length, 1–1373; default 1373. */
  readonly size?: number;
  /** First byte of each packet (69 or 160–191 for toxcore to accept it); default 160. */
  readonly byte?: number;
  /** Stop after this many packets were sent (still within `seconds`); default 0: no limit. */
  readonly packets?: number;
}

/** `blast`'s reply. */
export interface BlastResult {
  readonly sentPackets: number;
  readonly sentBytes: number;
  /** Send attempts toxcore refused because its send queue was full. */
  readonly refused: number;
  /** Send attempts refused because the friend was not connected. */
  readonly notConnected: number;
  /** tox_iterate calls made during the blast. */
  readonly iterations: number;
  /** How long the blast actually ran, ms. */
  readonly elapsedMs: number;
}

/** Who the instance is and where it listens. Keys and ids are upper-case hex. */
export interface PeerIdentity {
  readonly toxId: string;
  readonly publicKey: string;
  readonly dhtId: string;
  readonly nospam: number;
  /** 0 when UDP is off. */
  readonly udpPort: number;
  /** 0 when the instance runs no TCP relay. */
  readonly tcpPort: number;
}

/** `info`: the identity plus connection state. */
export interface PeerInfo extends PeerIdentity {
  readonly connection: ConnectionStatus;
  readonly friends: readonly { readonly friend: number; readonly publicKey: string; readonly status: ConnectionStatus }[];
}

/** Options for {@link ToxPeer.start}. */
export interface PeerOptions {
  /** Shown in error messages; default `peer<pid>`. */
  readonly name?: string;
  /** Binary to run; default: {@link buildPeer}'s result. */
  readonly binary?: string;
  /** Timeout for one command's reply; default 10 s. */
  readonly commandTimeoutMs?: number;
  /** Events kept for {@link ToxPeer.waitEvent}; the oldest is dropped beyond this. Default 10 000. */
  readonly maxQueuedEvents?: number;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_QUEUED_EVENTS = 10_000;
/** Longest stdout line accepted from the child. */
const MAX_LINE_CHARS = 1024 * 1024;
/** stderr kept for diagnostics (the tail). */
const MAX_STDERR_CHARS = 64 * 1024;
/** Recent lines and protocol errors kept for diagnostics. */
const MAX_RECENT = 50;
/** Waits and commands that may be outstanding at once. */
const MAX_OUTSTANDING = 1000;
/** After SIGTERM, how long to wait before SIGKILL; after SIGKILL, how long before giving up. */
const TERM_GRACE_MS = 2_000;
const KILL_GRACE_MS = 2_000;
/** Longest `iterate` the C peer accepts. */
const MAX_ITERATE_MS = 120_000;
/** Longest `blast` the C peer accepts, seconds. */
const MAX_BLAST_SECONDS = 120;

interface Pending {
  readonly cmd: string;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface Waiter {
  readonly predicate: (event: PeerEvent) => boolean;
  readonly resolve: (event: PeerEvent) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** A command the C peer refused (`ok: false`), or a failure of the child itself. */
export class PeerError extends Error {
  override readonly name = 'PeerError';
}

/** One running C peer process. */
export class ToxPeer {
  /** The child's process id. */
  readonly pid: number;
  readonly name: string;

  readonly #child: ChildProcessWithoutNullStreams;
  readonly #commandTimeoutMs: number;
  readonly #maxQueuedEvents: number;
  readonly #pending = new Map<number, Pending>();
  readonly #waiters = new Set<Waiter>();
  readonly #queue: PeerEvent[] = [];
  readonly #recentLines: string[] = [];
  readonly #protocolErrors: string[] = [];
  #nextId = 1;
  #stdoutBuffer = '';
  #stderrTail = '';
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  #closed = false;
  #closedPromise: Promise<void>;
  #stopping: Promise<void> | undefined;
  #droppedEvents = 0;

  private constructor(child: ChildProcessWithoutNullStreams, pid: number, options: PeerOptions) {
    this.#child = child;
    this.pid = pid;
    this.name = options.name ?? `peer${pid}`;
    this.#commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.#maxQueuedEvents = options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS;

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.#onStdout(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-MAX_STDERR_CHARS);
    });
    child.stdin.on('error', () => {}); // EPIPE once the child is gone; 'close' reports it
    child.on('exit', (code, signal) => {
      this.#exit = { code, signal };
    });
    this.#closedPromise = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.#exit ??= { code, signal };
        this.#closed = true;
        this.#failAll(new PeerError(`${this.name} exited (${this.#exitText()})${this.#diagnostics()}`));
        resolve();
      });
    });
  }

  /** Builds the C peer if needed and starts one process. Prefer {@link startPeer} in tests. */
  static async start(options: PeerOptions = {}): Promise<ToxPeer> {
    const binary = options.binary ?? (await buildPeer());
    const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => {
        child.off('error', reject);
        if (child.pid === undefined) reject(new PeerError(`${binary}: no pid after spawn`));
        else resolve(child.pid);
      });
    });
    return new ToxPeer(child, pid, options);
  }

  /** True once the child process has exited. */
  get exited(): boolean {
    return this.#exit !== undefined;
  }

  /** Events dropped because the queue was full. */
  get droppedEvents(): number {
    return this.#droppedEvents;
  }

  /** The last part of the child's stderr (toxcore log when `log: true`). */
  stderrTail(): string {
    return this.#stderrTail;
  }

  /**
   * Sends one command and resolves with its reply; rejects with a {@link PeerError} when the
   * peer answers `ok: false`, exits, or does not answer within `timeoutMs`.
   */
  command(cmd: string, fields: CommandFields = {}, timeoutMs = this.#commandTimeoutMs): Promise<Reply> {
    if (this.#closed || this.#stopping !== undefined) {
      return Promise.reject(new PeerError(`${this.name}: cannot send '${cmd}', the peer is stopped`));
    }
    if (this.#pending.size >= MAX_OUTSTANDING) {
      return Promise.reject(new PeerError(`${this.name}: too many commands outstanding`));
    }
    const id = this.#nextId++;
    const line = JSON.stringify({ ...fields, cmd, id }) + '\n';
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new PeerError(`${this.name}: no reply to '${cmd}' within ${timeoutMs} ms${this.#diagnostics()}`));
      }, timeoutMs);
      this.#pending.set(id, { cmd, resolve, reject, timer });
      this.#child.stdin.write(line);
    });
  }

  /** `new`: creates the Tox instance. */
  async create(options: NewOptions = {}): Promise<PeerIdentity> {
    const fields: Record<string, string | number | boolean> = {};
    if (options.secretKey !== undefined) fields['secret_key'] = options.secretKey;
    if (options.savedata !== undefined) fields['savedata'] = Buffer.from(options.savedata).toString('hex');
    if (options.nospam !== undefined) fields['nospam'] = options.nospam;
    if (options.udpPortStart !== undefined) fields['udp_port_start'] = options.udpPortStart;
    if (options.udpPortEnd !== undefined) fields['udp_port_end'] = options.udpPortEnd;
    if (options.tcpPort !== undefined) fields['tcp_port'] = options.tcpPort;
    if (options.ipv6 !== undefined) fields['ipv6'] = options.ipv6;
    if (options.udp !== undefined) fields['udp'] = options.udp;
    if (options.holePunching !== undefined) fields['hole_punching'] = options.holePunching;
    if (options.log !== undefined) fields['log'] = options.log;
    if (options.countLossless !== undefined) fields['count_lossless'] = options.countLossless;
    if (options.echoLossless !== undefined) fields['echo_lossless'] = options.echoLossless;
    return identityOf(await this.command('new', fields));
  }

  /** `bootstrap`: a DHT node to start from. */
  async bootstrap(host: string, port: number, publicKey: string): Promise<void> {
    await this.command('bootstrap', { host, port, public_key: publicKey });
  }

  /** `add_tcp_relay`. */
  async addTcpRelay(host: string, port: number, publicKey: string): Promise<void> {
    await this.command('add_tcp_relay', { host, port, public_key: publicKey });
  }

  /** `add_friend`: sends a friend request; resolves with the friend number. */
  async addFriend(toxId: string, message: string): Promise<number> {
    return num(await this.command('add_friend', { tox_id: toxId, message }), 'friend_number');
  }

  /** `add_friend_norequest`: adds a friend by long-term key; resolves with the friend number. */
  async addFriendNoRequest(publicKey: string): Promise<number> {
    return num(await this.command('add_friend_norequest', { public_key: publicKey }), 'friend_number');
  }

  /** `send_message`; resolves with toxcore's message id. */
  async sendMessage(friend: number, text: string, action = false): Promise<number> {
    return num(await this.command('send_message', { friend, text, action }), 'message_id');
  }

  /** `send_lossless`: a custom lossless packet (first byte 69 or 160–191). */
  async sendLossless(friend: number, data: Uint8Array): Promise<void> {
    await this.command('send_lossless', { friend, data: Buffer.from(data).toString('hex') });
  }

  /**
   * `send_lossless`, retried every 5 ms while toxcore refuses with SENDQ (its congestion
   * control says wait), until `deadlineMs` (a `Date.now()` time). Returns the refusals.
   */
  async sendLosslessRetrying(friend: number, data: Uint8Array, deadlineMs: number): Promise<number> {
    for (let refused = 0; ; refused++) {
      try {
        await this.sendLossless(friend, data);
        return refused;
      } catch (err) {
        if (!(err instanceof PeerError) || !/SENDQ/.test(err.message) || Date.now() > deadlineMs) throw err;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  }

  /** `send_lossy`: a custom lossy packet (first byte 192–254). */
  async sendLossy(friend: number, data: Uint8Array): Promise<void> {
    await this.command('send_lossy', { friend, data: Buffer.from(data).toString('hex') });
  }

  /** `info`: identity, self connection status and friends. */
  async info(): Promise<PeerInfo> {
    const reply = await this.command('info');
    const friends = reply['friends'];
    if (!Array.isArray(friends)) throw new PeerError(`${this.name}: 'info' reply without friends`);
    return {
      ...identityOf(reply),
      connection: status(reply, 'connection'),
      friends: friends.map((f: Reply) => ({ friend: num(f, 'friend'), publicKey: str(f, 'public_key'), status: status(f, 'status') })),
    };
  }

  /** `get_savedata`: what `tox_get_savedata` writes now. */
  async getSavedata(): Promise<Uint8Array> {
    return bytes(await this.command('get_savedata'), 'savedata');
  }

  /** `iterate`: the peer runs tox_iterate for `ms` wall-clock milliseconds before answering. */
  async iterate(ms: number): Promise<void> {
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_ITERATE_MS) throw new RangeError(`iterate: ms must be in [0, ${MAX_ITERATE_MS}]`);
    await this.command('iterate', { ms }, ms + this.#commandTimeoutMs);
  }

  /** `lossless_stats`: packets and bytes counted from `friend` (needs `countLossless`). */
  async losslessStats(friend: number): Promise<LosslessStats> {
    const reply = await this.command('lossless_stats', { friend });
    return {
      packets: num(reply, 'packets'),
      bytes: num(reply, 'bytes'),
      firstMs: num(reply, 'first_ms'),
      lastMs: num(reply, 'last_ms'),
      nowMs: num(reply, 'now_ms'),
      hash: str(reply, 'hash'),
      echoRefused: num(reply, 'echo_refused'),
      echoDropped: num(reply, 'echo_dropped'),
      echoHeld: num(reply, 'echo_held'),
    };
  }

  /** `reset_lossless_stats`: zeroes the lossless counts of every friend and the echo counts. */
  async resetLosslessStats(): Promise<void> {
    await this.command('reset_lossless_stats');
  }

  /**
   * `blast`: the peer sends custom lossless packets to `friend` as fast as toxcore accepts
   * them for `seconds`, iterating in a tight loop, then answers. It reads no other command
   * meanwhile. Each packet is `byte`, then (size >= 5) a 32-bit big-endian sequence number
   * that carries on across blasts, then filler.
   */
  async blast(friend: number, options: BlastOptions): Promise<BlastResult> {
    const { seconds, size, byte, packets } = options;
    if (!(seconds > 0 && seconds <= MAX_BLAST_SECONDS)) throw new RangeError(`blast: seconds must be in (0, ${MAX_BLAST_SECONDS}]`);
    const fields: Record<string, number> = { friend, seconds };
    if (size !== undefined) fields['size'] = size;
    if (byte !== undefined) fields['byte'] = byte;
    if (packets !== undefined) fields['packets'] = packets;
    const reply = await this.command('blast', fields, Math.ceil(seconds * 1000) + this.#commandTimeoutMs);
    return {
      sentPackets: num(reply, 'sent_packets'),
      sentBytes: num(reply, 'sent_bytes'),
      refused: num(reply, 'refused'),
      notConnected: num(reply, 'not_connected'),
      iterations: num(reply, 'iterations'),
      elapsedMs: num(reply, 'elapsed_ms'),
    };
  }

  /** `quit`: asks the peer to exit, then makes sure it did (by {@link stop} if need be). */
  async quit(): Promise<void> {
    if (this.#closed || this.#stopping !== undefined) return this.stop();
    try {
      await this.command('quit');
      await Promise.race([this.#closedPromise, delay(TERM_GRACE_MS)]);
    } finally {
      await this.stop();
    }
  }

  /**
   * Resolves with the first queued or future event that satisfies `predicate`, and removes it
   * from the queue. Rejects after `timeoutMs`, or when the peer exits.
   */
  waitEvent(predicate: (event: PeerEvent) => boolean, timeoutMs: number, what = 'event'): Promise<PeerEvent> {
    const index = this.#queue.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.#queue.splice(index, 1)[0]!);
    if (this.#closed) return Promise.reject(new PeerError(`${this.name}: exited (${this.#exitText()}) before ${what}${this.#diagnostics()}`));
    if (this.#waiters.size >= MAX_OUTSTANDING) return Promise.reject(new PeerError(`${this.name}: too many waits outstanding`));
    return new Promise<PeerEvent>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(new PeerError(`${this.name}: no ${what} within ${timeoutMs} ms${this.#diagnostics()}`));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** {@link waitEvent} for one kind of event, typed. */
  async waitFor<K extends PeerEvent['event']>(
    kind: K,
    predicate: (event: PeerEventOf<K>) => boolean = () => true,
    timeoutMs = this.#commandTimeoutMs,
  ): Promise<PeerEventOf<K>> {
    const matches = (e: PeerEvent): e is PeerEventOf<K> => e.event === kind && predicate(e as PeerEventOf<K>);
    return (await this.waitEvent(matches, timeoutMs, `'${kind}' event`)) as PeerEventOf<K>;
  }

  /** Removes and returns every queued event. */
  takeEvents(): PeerEvent[] {
    return this.#queue.splice(0, this.#queue.length);
  }

  /**
   * Ends the child by its pid: SIGTERM, then SIGKILL if it has not exited within 2 s.
   * Idempotent; rejects only if the process survives SIGKILL.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    if (!this.exited) {
      this.#signal('SIGTERM');
      if (!(await this.#waitExit(TERM_GRACE_MS))) {
        this.#signal('SIGKILL');
        await this.#waitExit(KILL_GRACE_MS);
      }
    }
    this.#child.stdin.destroy();
    await Promise.race([this.#closedPromise, delay(KILL_GRACE_MS)]);
    this.#failAll(new PeerError(`${this.name}: stopped`));
    if (!this.exited) throw new PeerError(`${this.name}: pid ${this.pid} still running after SIGKILL`);
  }

  /** Signals our child by pid, unless it has already exited (its pid may be reused). */
  #signal(signal: NodeJS.Signals): void {
    if (this.exited) return;
    try {
      process.kill(this.pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }

  #waitExit(ms: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onExit = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#child.off('exit', onExit);
        resolve(this.exited);
      }, ms);
      this.#child.once('exit', onExit);
    });
  }

  #onStdout(chunk: string): void {
    this.#stdoutBuffer += chunk;
    let newline: number;
    while ((newline = this.#stdoutBuffer.indexOf('\n')) >= 0) {
      const line = this.#stdoutBuffer.slice(0, newline);
      this.#stdoutBuffer = this.#stdoutBuffer.slice(newline + 1);
      this.#onLine(line);
    }
    if (this.#stdoutBuffer.length > MAX_LINE_CHARS) {
      this.#protocolError(`line longer than ${MAX_LINE_CHARS} characters; stopping the peer`);
      this.#stdoutBuffer = '';
      void this.stop().catch(() => {});
    }
  }

  #onLine(line: string): void {
    remember(this.#recentLines, line.length > 300 ? `${line.slice(0, 300)}…` : line);
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.#protocolError(`not JSON: ${line.slice(0, 200)}`);
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.#protocolError(`not an object: ${line.slice(0, 200)}`);
      return;
    }
    const record = message as Record<string, unknown>;
    if (typeof record['event'] === 'string') {
      this.#onEvent(record);
      return;
    }
    const id = record['id'];
    const pending = typeof id === 'number' ? this.#pending.get(id) : undefined;
    if (pending === undefined) {
      this.#protocolError(`reply to no outstanding command: ${line.slice(0, 200)}`);
      return;
    }
    this.#pending.delete(id as number);
    clearTimeout(pending.timer);
    if (record['ok'] === true) pending.resolve(record);
    else pending.reject(new PeerError(`${this.name}: '${pending.cmd}' failed: ${String(record['error'])}`));
  }

  #onEvent(record: Record<string, unknown>): void {
    let event: PeerEvent;
    try {
      event = parseEvent(record);
    } catch (err) {
      this.#protocolError((err as Error).message);
      return;
    }
    for (const waiter of this.#waiters) {
      if (waiter.predicate(event)) {
        this.#waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(event);
        return;
      }
    }
    this.#queue.push(event);
    if (this.#queue.length > this.#maxQueuedEvents) {
      this.#queue.shift();
      this.#droppedEvents++;
    }
  }

  #protocolError(text: string): void {
    remember(this.#protocolErrors, text);
  }

  #failAll(error: Error): void {
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    for (const waiter of this.#waiters) {
      this.#waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  #exitText(): string {
    if (this.#exit === undefined) return 'still running';
    return this.#exit.signal !== null ? `signal ${this.#exit.signal}` : `code ${this.#exit.code}`;
  }

  /** Recent output, protocol errors and stderr, appended to error messages. */
  #diagnostics(): string {
    const parts: string[] = [];
    if (this.#recentLines.length > 0) parts.push(`recent lines:\n  ${this.#recentLines.slice(-10).join('\n  ')}`);
    if (this.#protocolErrors.length > 0) parts.push(`protocol errors:\n  ${this.#protocolErrors.join('\n  ')}`);
    const stderr = this.#stderrTail.trim();
    if (stderr !== '') parts.push(`stderr (tail):\n  ${stderr.slice(-2000).split('\n').join('\n  ')}`);
    return parts.length > 0 ? `\n${parts.join('\n')}` : '';
  }
}

/** FNV-1a 64's start value, as two 32-bit halves. */
const FNV64_OFFSET_HI = 0xcbf29ce4;
const FNV64_OFFSET_LO = 0x84222325;
/** FNV-1a 64's prime is 2^40 + 0x1b3: `h * prime` is `h * 0x1b3 + (h << 40)`. */
const FNV64_PRIME_LOW = 0x1b3;
const TWO_32 = 0x1_0000_0000;

/**
 * The C peer's `count_lossless` hash ({@link LosslessStats.hash}) of a sequence of packets,
 * computed incrementally: `update` each packet in order, then `digest`. 64-bit arithmetic
 * on two 32-bit halves (BigInt is too slow for megabytes).
 */
export class LosslessHash {
  #hi = FNV64_OFFSET_HI;
  #lo = FNV64_OFFSET_LO;
  #any = false;

  update(packet: Uint8Array): void {
    this.#any = true;
    this.#byte(packet.length >> 8 & 255);
    this.#byte(packet.length & 255);
    for (const b of packet) this.#byte(b);
  }

  #byte(b: number): void {
    const lo = (this.#lo ^ b) >>> 0;
    const product = lo * FNV64_PRIME_LOW; // < 2^41: exact
    const carry = Math.floor(product / TWO_32);
    this.#lo = product % TWO_32;
    this.#hi = (Math.imul(this.#hi, FNV64_PRIME_LOW) + carry + (lo << 8)) >>> 0;
  }

  digest(): string {
    if (!this.#any) return '0'.repeat(16);
    return (this.#hi.toString(16).padStart(8, '0') + this.#lo.toString(16).padStart(8, '0')).toUpperCase();
  }
}

/** {@link LosslessHash} of `packets`. */
export function losslessHash(packets: Iterable<Uint8Array>): string {
  const h = new LosslessHash();
  for (const p of packets) h.update(p);
  return h.digest();
}

/**
 * Starts a C peer whose {@link ToxPeer.stop} runs when the test ends, pass or fail.
 */
export async function startPeer(t: ExecutionContext, options: PeerOptions = {}): Promise<ToxPeer> {
  const peer = await ToxPeer.start(options);
  t.teardown(() => peer.stop());
  return peer;
}

function remember(list: string[], item: string): void {
  list.push(item);
  if (list.length > MAX_RECENT) list.shift();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function str(record: Reply, key: string): string {
  const value = record[key];
  if (typeof value !== 'string') throw new PeerError(`field '${key}' should be a string, got ${JSON.stringify(value)}`);
  return value;
}

function num(record: Reply, key: string): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new PeerError(`field '${key}' should be an integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function status(record: Reply, key: string): ConnectionStatus {
  const value = str(record, key);
  if (value !== 'none' && value !== 'tcp' && value !== 'udp') throw new PeerError(`field '${key}' is not a connection status: ${value}`);
  return value;
}

function bytes(record: Reply, key: string): Uint8Array {
  const hex = str(record, key);
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new PeerError(`field '${key}' is not hex`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

function identityOf(reply: Reply): PeerIdentity {
  return {
    toxId: str(reply, 'tox_id'),
    publicKey: str(reply, 'public_key'),
    dhtId: str(reply, 'dht_id'),
    nospam: num(reply, 'nospam'),
    udpPort: num(reply, 'udp_port'),
    tcpPort: num(reply, 'tcp_port'),
  };
}

function parseEvent(record: Reply): PeerEvent {
  const kind = record['event'];
  switch (kind) {
    case 'self_connection':
      return { event: kind, status: status(record, 'status') };
    case 'friend_connection':
      return { event: kind, friend: num(record, 'friend'), status: status(record, 'status') };
    case 'friend_request':
      return { event: kind, publicKey: str(record, 'public_key'), message: str(record, 'message') };
    case 'friend_message': {
      const type = str(record, 'type');
      if (type !== 'normal' && type !== 'action') throw new PeerError(`friend_message: unknown type ${type}`);
      return { event: kind, friend: num(record, 'friend'), type, text: str(record, 'text') };
    }
    case 'lossless':
    case 'lossy':
      return { event: kind, friend: num(record, 'friend'), data: bytes(record, 'data') };
    default:
      throw new PeerError(`unknown event ${JSON.stringify(kind)}`);
  }
}
