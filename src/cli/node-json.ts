/**
 * `toxlink node --json`: the machine interface, so that a program in any language can drive
 * a node over a pipe. One JSON object per line each way: events on stdout
 * (`{"event": …}`), commands on stdin (`{"cmd": …, "id": …}`), each command answered on
 * stdout by `{"ok": true, "id": …, …}` or `{"ok": false, "id": …, "error": "…"}`. The exact
 * fields are in the README's "Machine interface" section and in spec/cli.md.
 *
 * @see spec/cli.md#the-machine-interface
 * @module
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { MessengerError, type FriendHandle } from '../messenger/index.ts';
import { fromHex, isIpAddress, toHex } from '../wire/index.ts';
import { isValidPublicKey } from '../crypto/index.ts';
import { userMessage } from './errors.ts';
import type { NodeRuntime } from './node-runtime.ts';

/** Longest command line read; a longer one is answered with an error. */
export const MAX_COMMAND_CHARS = 64 * 1024;

type Json = Record<string, unknown>;

/** A command's reply fields (besides `ok` and `id`). */
type Reply = Json;

/** A command that failed for a reason the caller should see. */
class CommandError extends Error {}

const upper = (bytes: Uint8Array): string => toHex(bytes).toUpperCase();

function str(cmd: Json, field: string): string {
  const v = cmd[field];
  if (typeof v !== 'string') throw new CommandError(`"${field}" must be a string`);
  return v;
}

function key(cmd: Json, field: string): Uint8Array {
  const v = str(cmd, field);
  if (!/^[0-9a-fA-F]{64}$/.test(v)) throw new CommandError(`"${field}" must be a public key: 64 hex digits`);
  return fromHex(v);
}

function friendOf(cmd: Json): FriendHandle {
  const v = cmd['friend'];
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^[0-9a-fA-F]{64}$/.test(v)) return fromHex(v);
  throw new CommandError('"friend" must be a friend number or a public key (64 hex digits)');
}

function portOf(cmd: Json): number {
  const v = cmd['port'];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65_535) throw new CommandError('"port" must be a port from 1 to 65535');
  return v;
}

function hostOf(cmd: Json): string {
  const host = str(cmd, 'host');
  if (!isIpAddress(host)) throw new CommandError('"host" must be an IP address');
  return host;
}

/** The wiring of one node's machine interface; see the module comment. */
export class JsonInterface {
  readonly #runtime: NodeRuntime;
  readonly #write: (line: string) => void;
  readonly #quit: () => void;
  readonly #offs: Array<() => void> = [];

  /** `write` takes each stdout line; `quit` is called after a `quit` command is answered. */
  constructor(runtime: NodeRuntime, write: (line: string) => void, quit: () => void) {
    this.#runtime = runtime;
    this.#write = write;
    this.#quit = quit;
    const m = runtime.messenger;
    this.#offs.push(
      m.on('friend-request', (r) => this.event('friend_request', { publicKey: upper(r.publicKey), message: r.text })),
      m.on('friend-connection', (c) => {
        this.event('friend_status', { friend: c.friendNumber, publicKey: upper(c.publicKey), online: c.status !== 'none', path: c.status });
        runtime.saveSoon();
      }),
      m.on('friend-message', (e) => this.event('message', { friend: e.friendNumber, publicKey: upper(e.publicKey), type: e.type, text: e.text })),
      m.on('friend-name', (e) => this.event('friend_name', { friend: e.friendNumber, name: e.text })),
      m.on('read-receipt', (e) => this.event('read_receipt', { friend: e.friendNumber, messageId: e.messageId })),
      m.on('custom-lossless', (e) => this.event('custom_packet', { friend: e.friendNumber, publicKey: upper(e.publicKey), lossless: true, hex: toHex(e.data) })),
      m.on('custom-lossy', (e) => this.event('custom_packet', { friend: e.friendNumber, publicKey: upper(e.publicKey), lossless: false, hex: toHex(e.data) })),
    );
    runtime.onConnection((c) => this.event('connection', { dht: c.dht, onion: c.onion, dhtNodes: c.dhtNodes, relays: c.relays }));
  }

  /** Writes one event line. */
  event(name: string, fields: Json): void {
    this.#write(JSON.stringify({ event: name, ...fields }));
  }

  /**
   * Reads commands from `input`, one per line, and answers them in order. The end of the
   * input does not stop the node (a `quit` command or a signal does). Returns the reader's
   * close function.
   */
  listen(input: Readable): () => void {
    const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
    let queue = Promise.resolve();
    lines.on('line', (line) => {
      queue = queue.then(() => this.handleLine(line));
    });
    return () => lines.close();
  }

  /** Answers one command line. */
  async handleLine(line: string): Promise<void> {
    if (line.trim() === '') return;
    let id: unknown = null;
    try {
      if (line.length > MAX_COMMAND_CHARS) throw new CommandError(`a command line is at most ${MAX_COMMAND_CHARS} characters`);
      let cmd: unknown;
      try {
        cmd = JSON.parse(line);
      } catch {
        throw new CommandError('not JSON: each line must be one JSON object');
      }
      if (typeof cmd !== 'object' || cmd === null || Array.isArray(cmd)) throw new CommandError('each line must be one JSON object');
      const c = cmd as Json;
      id = c['id'] ?? null;
      const reply = await this.#run(c);
      this.#write(JSON.stringify({ ok: true, id, ...reply }));
      if (c['cmd'] === 'quit') this.#quit();
    } catch (error) {
      const message = error instanceof CommandError ? error.message : userMessage(error) ?? `internal error: ${(error as Error).message}`;
      const code = error instanceof MessengerError ? { code: error.code } : {};
      this.#write(JSON.stringify({ ok: false, id, error: message, ...code }));
    }
  }

  async #run(c: Json): Promise<Reply> {
    const rt = this.#runtime;
    const m = rt.messenger;
    switch (c['cmd']) {
      case 'bootstrap':
        rt.bootstrap({ host: hostOf(c), port: portOf(c) }, this.#validKey(c));
        return {};
      case 'tcp_relay':
        rt.node.addTcpRelay({ address: { host: hostOf(c), port: portOf(c) }, publicKey: this.#validKey(c) });
        return {};
      case 'add_friend': {
        const message = c['message'] === undefined ? 'Hello from toxlink' : str(c, 'message');
        const friend = m.addFriend(str(c, 'toxId'), message);
        rt.saveSoon();
        return { friend };
      }
      case 'add_friend_norequest': {
        const friend = m.addFriendNoRequest(key(c, 'publicKey'));
        rt.saveSoon();
        return { friend };
      }
      case 'accept': {
        const friend = m.acceptRequest(key(c, 'publicKey'));
        rt.saveSoon();
        return { friend };
      }
      case 'remove_friend':
        m.removeFriend(friendOf(c));
        rt.saveSoon();
        return {};
      case 'send_message': {
        const type = c['type'] === undefined ? 'normal' : str(c, 'type');
        if (type !== 'normal' && type !== 'action') throw new CommandError('"type" must be "normal" or "action"');
        return { messageId: m.sendMessage(friendOf(c), str(c, 'text'), type) };
      }
      case 'send_custom': {
        const hex = str(c, 'hex');
        if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new CommandError('"hex" must be the packet in hex, its id byte first');
        const lossless = c['lossless'] === undefined ? true : c['lossless'];
        if (typeof lossless !== 'boolean') throw new CommandError('"lossless" must be true or false');
        const data = fromHex(hex);
        const sent = lossless ? m.sendCustomLossless(friendOf(c), data) : m.sendCustomLossy(friendOf(c), data);
        return { sent };
      }
      case 'set_name':
        m.setName(str(c, 'name'));
        rt.saveSoon();
        return {};
      case 'friends':
        return { friends: rt.snapshot().friends };
      case 'requests':
        return { requests: m.pendingRequests().map((r) => ({ publicKey: upper(r.publicKey), message: new TextDecoder().decode(r.message) })) };
      case 'status':
        return { status: rt.snapshot() };
      case 'save':
        await rt.save();
        return {};
      case 'quit':
        return {};
      case undefined:
        throw new CommandError('no "cmd"');
      default:
        throw new CommandError(`unknown cmd ${JSON.stringify(c['cmd'])}`);
    }
  }

  #validKey(c: Json): Uint8Array {
    const k = key(c, 'publicKey');
    if (!isValidPublicKey(k)) throw new CommandError('"publicKey" is not a valid key (its last byte is 0x80 or more)');
    return k;
  }

  /** Stops listening to the Messenger. */
  close(): void {
    for (const off of this.#offs.splice(0)) off();
  }
}
