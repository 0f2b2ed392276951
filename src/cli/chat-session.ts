/**
 * What `toxlink chat` does with each line typed and each Messenger event: slash commands to
 * add friends, accept requests and choose whom to talk to, plain lines sent as messages to
 * the chosen friend (kept, up to a bound, while the friend is offline, and sent when it comes
 * online), and one line printed per event. It holds no terminal: it is given a line printer,
 * so the command wraps it in readline and a test could drive it directly.
 *
 * @see spec/cli.md#toxlink-chat
 * @module
 */
import { MessengerError, type Messenger, SetNewNospamError } from '../messenger/index.ts';
import { fromHex, parseToxId, toHex } from '../wire/index.ts';
import { userMessage } from './errors.ts';
import type { NodeRuntime } from './node-runtime.ts';

/** Messages kept per offline friend. */
export const MAX_QUEUED_MESSAGES = 100;
/** The friend request message when none is given. */
export const DEFAULT_REQUEST_MESSAGE = 'Hello! It is me, on toxlink.';

const HELP = [
  'commands:',
  '  /add TOX_ID [message]   send a friend request',
  '  /requests               friend requests waiting',
  '  /accept [N|KEY]         accept request N (default: the oldest)',
  '  /friends                your friends',
  '  /to N|KEY               talk to friend N',
  '  /me TEXT                send an action',
  '  /name NAME              set your name',
  '  /id                     your Tox ID',
  '  /status                 the network as this node sees it',
  '  /quit                   save and leave (also Ctrl-D, Ctrl-C)',
  '  anything else           a message to the friend you talk to',
];

const upper = (bytes: Uint8Array): string => toHex(bytes).toUpperCase();

/** How a FRIEND argument or a /to argument names a friend. */
export type FriendSpec =
  | { readonly kind: 'number'; readonly number: number }
  | { readonly kind: 'key'; readonly publicKey: Uint8Array }
  | { readonly kind: 'tox-id'; readonly toxId: string; readonly publicKey: Uint8Array };

/**
 * Reads a friend as the user names it: a friend number, a public key (64 hex digits) or a
 * Tox ID (76, checked). Throws a `ToxIdError` for a bad Tox ID, a `MessengerError`
 * (`bad-address`) for anything else it cannot read.
 */
export function parseFriendSpec(text: string): FriendSpec {
  const s = text.trim();
  if (/^\d{1,9}$/.test(s)) return { kind: 'number', number: Number(s) };
  if (/^[0-9a-fA-F]{64}$/.test(s)) return { kind: 'key', publicKey: fromHex(s) };
  if (s.length === 76) {
    const id = parseToxId(s);
    return { kind: 'tox-id', toxId: s.toUpperCase(), publicKey: id.publicKey };
  }
  throw new MessengerError('bad-address', `${JSON.stringify(s)} is not a friend: give a friend number, a public key (64 hex digits) or a Tox ID (76 hex digits)`);
}

/** One chat: the runtime, whom we talk to, what waits to be sent; see the module comment. */
export class ChatSession {
  readonly #rt: NodeRuntime;
  readonly #m: Messenger;
  readonly #print: (line: string) => void;
  readonly #queued = new Map<number, Array<{ readonly text: string; readonly type: 'normal' | 'action' }>>();
  readonly #requestMessage: string;
  #current: number | undefined;
  /** Called when the user asks to leave. */
  onQuit: () => void = () => undefined;

  constructor(runtime: NodeRuntime, print: (line: string) => void, options: { requestMessage?: string } = {}) {
    this.#rt = runtime;
    this.#m = runtime.messenger;
    this.#print = print;
    this.#requestMessage = options.requestMessage ?? DEFAULT_REQUEST_MESSAGE;
    const friends = this.#m.friendList();
    if (friends.length === 1) this.#current = friends[0];
    this.#listen();
  }

  /** The friend plain lines go to. */
  get current(): number | undefined {
    return this.#current;
  }

  #label(friend: number): string {
    try {
      const f = this.#m.friend(friend);
      const name = new TextDecoder().decode(f.name);
      return `friend ${friend} ${name === '' ? upper(f.publicKey).slice(0, 8) : name}`;
    } catch {
      return `friend ${friend}`;
    }
  }

  #listen(): void {
    const m = this.#m;
    m.on('friend-request', (r) => {
      const n = m.pendingRequests().findIndex((p) => toHex(p.publicKey) === toHex(r.publicKey)) + 1;
      this.#print(`* friend request ${n} from ${upper(r.publicKey)}: ${JSON.stringify(r.text)} (/accept ${n})`);
    });
    m.on('friend-connection', (c) => {
      this.#rt.saveSoon();
      if (c.status === 'none') {
        this.#print(`* ${this.#label(c.friendNumber)} went offline`);
        return;
      }
      this.#print(`* ${this.#label(c.friendNumber)} is online (${c.status})`);
      this.#current ??= c.friendNumber;
      this.#flush(c.friendNumber);
    });
    m.on('friend-message', (e) => {
      const who = this.#label(e.friendNumber);
      this.#print(e.type === 'action' ? `* ${who} ${e.text}` : `[${who}] ${e.text}`);
    });
    m.on('friend-name', (e) => this.#print(`* friend ${e.friendNumber} is now called ${JSON.stringify(e.text)}`));
  }

  /** The lines that start a chat: who we are, whom we talk to. */
  greet(): void {
    this.#print(`toxlink chat: your Tox ID is ${this.#rt.toxId}`);
    const friends = this.#m.friends();
    this.#print(`${friends.length} friends, ${this.#m.pendingRequests().length} requests waiting; /help lists the commands`);
    if (this.#current !== undefined) this.#print(`talking to ${this.#label(this.#current)}`);
  }

  /** Opens the chat with the friend the command line named: adds it first if it is not a friend. */
  open(spec: FriendSpec): void {
    if (spec.kind === 'number') {
      this.#m.friend(spec.number);
      this.#current = spec.number;
    } else {
      const known = this.#m.friendNumber(spec.publicKey);
      if (known !== undefined) this.#current = known;
      else if (spec.kind === 'key') {
        this.#current = this.#m.addFriendNoRequest(spec.publicKey);
        this.#print(`* added ${upper(spec.publicKey).slice(0, 8)} as friend ${this.#current} (no request: it must add you too)`);
      } else {
        this.#current = this.#m.addFriend(spec.toxId, this.#requestMessage);
        this.#print(`* friend request sent to ${spec.toxId.slice(0, 8)}…; it is friend ${this.#current} once it accepts`);
      }
      this.#rt.saveSoon();
    }
    this.#print(`talking to ${this.#label(this.#current)}`);
  }

  /** Handles one typed line. Never throws: a mistake is printed as one line. */
  line(text: string): void {
    const line = text.replace(/\r$/, '');
    if (line.trim() === '') return;
    try {
      if (line.startsWith('/')) this.#command(line);
      else this.#send(line, 'normal');
    } catch (error) {
      if (error instanceof SetNewNospamError) {
        this.#print(`* the request to friend ${error.friendNumber} now goes to this Tox ID`);
        return;
      }
      this.#print(`! ${userMessage(error) ?? `internal error: ${(error as Error).message}`}`);
    }
  }

  #command(line: string): void {
    const [word, ...rest] = line.slice(1).split(/\s+/);
    const arg = rest.join(' ').trim();
    const m = this.#m;
    switch (word) {
      case 'help':
        for (const l of HELP) this.#print(l);
        return;
      case 'id':
        this.#print(this.#rt.toxId);
        return;
      case 'add': {
        const [id, ...words] = arg.split(/\s+/);
        if (id === undefined || id === '') throw new MessengerError('bad-address', 'usage: /add TOX_ID [message]');
        parseToxId(id); // its errors say more than the Messenger's
        const n = m.addFriend(id, words.join(' ') || this.#requestMessage);
        this.#rt.saveSoon();
        this.#current = n;
        this.#print(`* friend request sent; friend ${n} once it accepts (talking to it now)`);
        return;
      }
      case 'requests': {
        const all = m.pendingRequests();
        if (all.length === 0) this.#print('no friend requests waiting');
        all.forEach((r, i) => this.#print(`  ${i + 1}  ${upper(r.publicKey)}  ${JSON.stringify(new TextDecoder().decode(r.message))}`));
        return;
      }
      case 'accept': {
        const all = m.pendingRequests();
        let key: Uint8Array | undefined;
        if (arg === '') key = all[0]?.publicKey;
        else if (/^\d+$/.test(arg)) key = all[Number(arg) - 1]?.publicKey;
        else if (/^[0-9a-fA-F]{64}$/.test(arg)) key = fromHex(arg);
        if (key === undefined) throw new MessengerError('no-request', arg === '' ? 'no friend requests waiting' : `no request ${arg}: /requests lists them`);
        const n = m.acceptRequest(key);
        this.#rt.saveSoon();
        this.#current = n;
        this.#print(`* accepted: ${this.#label(n)} (talking to it now)`);
        return;
      }
      case 'friends': {
        const all = m.friends();
        if (all.length === 0) this.#print('no friends yet: /add TOX_ID, or /accept a request');
        for (const f of all) {
          const state = f.status === 'online' ? `online (${f.connection})` : f.status === 'confirmed' ? 'offline' : 'request not answered';
          this.#print(`${f.friendNumber === this.#current ? '>' : ' '} ${this.#label(f.friendNumber)}  ${state}`);
        }
        return;
      }
      case 'to': {
        const spec = parseFriendSpec(arg);
        const n = spec.kind === 'number' ? (m.friend(spec.number), spec.number) : m.friendNumber(spec.publicKey);
        if (n === undefined) throw new MessengerError('friend-not-found', 'not a friend: /add its Tox ID first');
        this.#current = n;
        this.#print(`talking to ${this.#label(n)}`);
        return;
      }
      case 'me':
        this.#send(arg, 'action');
        return;
      case 'name':
        m.setName(arg);
        this.#rt.saveSoon();
        this.#print(`* your name is ${JSON.stringify(arg)}`);
        return;
      case 'status': {
        const c = this.#rt.connection();
        this.#print(`dht ${c.dht ? `connected (${c.dhtNodes} nodes)` : 'not connected'}; onion ${c.onion ? 'connected' : 'not connected'}; ${c.relays} TCP relays`);
        return;
      }
      case 'quit':
      case 'exit':
        this.onQuit();
        return;
      default:
        this.#print(`! unknown command /${word}: /help lists them`);
    }
  }

  #send(text: string, type: 'normal' | 'action'): void {
    const n = this.#current;
    if (n === undefined) throw new MessengerError('friend-not-found', 'you talk to no one yet: /to N, /add TOX_ID or /accept');
    if (this.#m.friend(n).status !== 'online') {
      const queue = this.#queued.get(n) ?? [];
      if (queue.length >= MAX_QUEUED_MESSAGES) throw new MessengerError('sendq', `${MAX_QUEUED_MESSAGES} messages wait for friend ${n} already`);
      queue.push({ text, type });
      this.#queued.set(n, queue);
      this.#print(`* ${this.#label(n)} is offline: the message goes out when it comes online`);
      return;
    }
    this.#m.sendMessage(n, text, type);
  }

  #flush(friend: number): void {
    const queue = this.#queued.get(friend);
    if (queue === undefined) return;
    this.#queued.delete(friend);
    for (const q of queue) {
      try {
        this.#m.sendMessage(friend, q.text, q.type);
      } catch (error) {
        this.#print(`! a waiting message to friend ${friend} was not sent: ${userMessage(error) ?? (error as Error).message}`);
      }
    }
    this.#print(`* sent ${queue.length} waiting message${queue.length === 1 ? '' : 's'} to ${this.#label(friend)}`);
  }
}
