/**
 * c-toxcore 0.2.18's unencrypted savedata (what `tox_get_savedata` writes and `tox_new`
 * loads with `TOX_SAVEDATA_TYPE_TOX_SAVE`), read and written by toxlink so that a user can
 * bring an existing Tox profile in, or take a toxlink identity to a c-toxcore client.
 *
 * {@link decodeToxSave} gives the state c-toxcore would have after loading the data: it
 * refuses what `tox_new` refuses (with a {@link ToxSaveError}), and skips or ignores what
 * c-toxcore skips or ignores (a friend it would not add, a name too long, a relay section
 * that does not unpack). {@link encodeToxSave} writes exactly the bytes c-toxcore would
 * write for that state, trailing zeros included.
 *
 * @see spec/messenger.md#c-toxcore-savedata
 * @module
 */
import { keyPairFromSecretKey, constantTimeEqual } from '../crypto/index.ts';
import { type PackedNode, PUBLIC_KEY_SIZE, packNodes } from '../wire/index.ts';
import { ToxSaveError } from './save-errors.ts';
import {
  DHT_SECTION_COOKIE, DHT_SECTION_NODES, DHT_STATE_COOKIE, FILE_HEADER_SIZE, MAX_SAVED_DHT_NODES, MAX_SAVED_PATH_NODES,
  MAX_SAVED_TCP_RELAYS, MAX_TOX_SAVE_SIZE, MAX_UNKNOWN_SECTIONS, NODE_SECTION_RESERVE, NOSPAMKEYS_SIZE, SECTION_COOKIE, SECTION_HEADER_SIZE,
  ToxSaveSection, hasFileHeader, isEncryptedToxSave, putFileHeader, putLe32, putSectionHeader, readSections, unpackSaved,
  type Section,
} from './tox-save-sections.ts';
import {
  FRIEND_RECORD_SIZE, FriendListLoader, MAX_NAME_LENGTH, MAX_STATUS_MESSAGE_LENGTH, SavedFriendStatus, writeFriendRecord,
} from './tox-save-friend.ts';
import { checkToxSave } from './tox-save-check.ts';
import type { OpaqueSection, SavedFriend, ToxSave, UserStatus } from './tox-save-types.ts';

export type { OpaqueSection, SavedConfirmedFriend, SavedFriend, SavedRequestFriend, ToxSave, UserStatus } from './tox-save-types.ts';

/** `MAX_PATH_NODES`: the slots of c-toxcore's ring of bootstrap path nodes. */
const PATH_NODE_SLOTS = 32;

/**
 * Reads c-toxcore savedata. Throws {@link ToxSaveError} for data `tox_new` refuses
 * (`encrypted`, `not-a-tox-save`, `truncated`, `bad-section`, `bad-keys`, `bad-friends`,
 * `bad-end`), for data without an identity (`no-keys`) and for data over
 * {@link MAX_TOX_SAVE_SIZE} (`too-large`); never anything else.
 */
export function decodeToxSave(data: Uint8Array): ToxSave {
  if (data.length > MAX_TOX_SAVE_SIZE) {
    throw new ToxSaveError('too-large', `savedata of ${data.length} bytes is over toxlink's limit of ${MAX_TOX_SAVE_SIZE}`);
  }
  if (isEncryptedToxSave(data)) {
    throw new ToxSaveError('encrypted',
      'this Tox save is encrypted with a password (toxencryptsave); toxlink reads only unencrypted saves: export the profile unencrypted from the client that made it');
  }
  if (!hasFileHeader(data)) {
    throw new ToxSaveError('not-a-tox-save', 'not a Tox save: it does not start with c-toxcore\'s state cookie (00000000 1f1bed15)');
  }
  const state = new SaveLoader();
  const walk = readSections(data.subarray(FILE_HEADER_SIZE), SECTION_COOKIE, ToxSaveSection.END, (section) => state.apply(section));
  if (walk.error !== undefined) throw walk.error;
  if (walk.stop !== undefined && walk.stop.length !== 0) {
    throw new ToxSaveError('bad-end', `the END section must be empty; it has ${walk.stop.length} bytes`);
  }
  return state.result();
}

/** Applies sections in file order, as c-toxcore's state plugins do. */
class SaveLoader {
  #keys: { publicKey: Uint8Array; secretKey: Uint8Array; nospam: number } | undefined;
  #name: Uint8Array = new Uint8Array(0);
  #statusMessage: Uint8Array = new Uint8Array(0);
  #userStatus: UserStatus = 0;
  readonly #friends = new FriendListLoader();
  #dhtNodes: PackedNode[] = [];
  #tcpRelays: PackedNode[] = [];
  /** The ring `path_nodes_bs` and its index `path_nodes_index_bs`. */
  #pathNodes: PackedNode[] = [];
  #pathIndex = 0;
  #conferences: Uint8Array[] = [];
  #unknown: OpaqueSection[] = [];

  apply({ type, body }: Section): void {
    switch (type) {
      case ToxSaveSection.NOSPAMKEYS: this.#loadKeys(body); break;
      case ToxSaveSection.DHT: this.#loadDht(body); break;
      case ToxSaveSection.FRIENDS:
        if (body.length % FRIEND_RECORD_SIZE !== 0) {
          throw new ToxSaveError('bad-friends', `the FRIENDS section has ${body.length} bytes, not a multiple of ${FRIEND_RECORD_SIZE}`);
        }
        this.#friends.load(body, this.#keys?.publicKey);
        break;
      case ToxSaveSection.NAME:
        if (body.length > 0 && body.length <= MAX_NAME_LENGTH) this.#name = body.slice();
        break;
      case ToxSaveSection.STATUSMESSAGE:
        if (body.length > 0 && body.length <= MAX_STATUS_MESSAGE_LENGTH) this.#statusMessage = body.slice();
        break;
      case ToxSaveSection.STATUS:
        if (body.length === 1 && body[0]! < 3) this.#userStatus = body[0] as UserStatus;
        break;
      case ToxSaveSection.TCP_RELAY:
        if (body.length > 0) this.#tcpRelays = unpackSaved(body, MAX_SAVED_TCP_RELAYS, true) ?? [];
        break;
      case ToxSaveSection.PATH_NODE:
        if (body.length > 0) this.#addPathNodes(unpackSaved(body, MAX_SAVED_PATH_NODES, false) ?? []);
        break;
      case ToxSaveSection.CONFERENCES: this.#conferences.push(body.slice()); break;
      default:
        if (this.#unknown.length < MAX_UNKNOWN_SECTIONS) this.#unknown.push({ type, data: body.slice() });
    }
  }

  /** `load_nospam_keys`: exactly 68 bytes, and the public key must be the secret key's. */
  #loadKeys(body: Uint8Array): void {
    if (body.length !== NOSPAMKEYS_SIZE) {
      throw new ToxSaveError('bad-keys', `the NOSPAMKEYS section has ${body.length} bytes, not ${NOSPAMKEYS_SIZE}`);
    }
    const nospam = new DataView(body.buffer, body.byteOffset, 4).getUint32(0);
    const publicKey = body.slice(4, 4 + PUBLIC_KEY_SIZE);
    const secretKey = body.slice(4 + PUBLIC_KEY_SIZE);
    if (!constantTimeEqual(keyPairFromSecretKey(secretKey).publicKey, publicKey)) {
      throw new ToxSaveError('bad-keys', 'the saved public key is not the saved secret key\'s: the save is damaged');
    }
    this.#keys = { publicKey, secretKey, nospam };
  }

  /** `dht_load`: its own cookie and frame; a damaged DHT section is ignored, never an error. */
  #loadDht(body: Uint8Array): void {
    if (body.length <= 4 || new DataView(body.buffer, body.byteOffset, 4).getUint32(0, true) !== DHT_STATE_COOKIE) return;
    readSections(body.subarray(4), DHT_SECTION_COOKIE, undefined, ({ type, body: nodes }) => {
      if (type === DHT_SECTION_NODES && nodes.length > 0) this.#dhtNodes = unpackSaved(nodes, MAX_SAVED_DHT_NODES, false) ?? [];
    });
  }

  /**
   * `onion_add_bs_path_node`: a ring of 32 slots. A node whose key is in a slot is skipped
   * (an empty slot holds the all-zero key, so that key is skipped while one is empty); the
   * others go to slot `index mod 32`. The index is a `uint16_t` that restarts at 33 when it
   * wraps.
   */
  #addPathNodes(nodes: readonly PackedNode[]): void {
    for (const node of nodes) {
      const inSlots = this.#pathNodes.some((n) => constantTimeEqual(n.publicKey, node.publicKey));
      const zeroKey = this.#pathNodes.length < PATH_NODE_SLOTS && node.publicKey.every((b) => b === 0);
      if (inSlots || zeroKey) continue;
      this.#pathNodes[this.#pathIndex % PATH_NODE_SLOTS] = node;
      this.#pathIndex = this.#pathIndex === 0xffff ? PATH_NODE_SLOTS + 1 : this.#pathIndex + 1;
    }
  }

  result(): ToxSave {
    if (this.#keys === undefined) throw new ToxSaveError('no-keys', 'the save has no NOSPAMKEYS section, so no identity to load');
    const conferences = new Uint8Array(this.#conferences.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.#conferences) {
      conferences.set(c, at);
      at += c.length;
    }
    return {
      ...this.#keys,
      name: this.#name,
      statusMessage: this.#statusMessage,
      userStatus: this.#userStatus,
      friends: this.#friends.friends,
      dhtNodes: this.#dhtNodes,
      tcpRelays: this.#tcpRelays,
      pathNodes: this.#pathNodes.slice(0, MAX_SAVED_PATH_NODES),
      conferences,
      unknownSections: this.#unknown,
    };
  }
}

/**
 * Writes `save` as c-toxcore 0.2.18's `tox_get_savedata` would: the sections in its order
 * (NOSPAMKEYS, DHT, FRIENDS, NAME, STATUSMESSAGE, STATUS, TCP_RELAY, PATH_NODE, CONFERENCES),
 * then any unknown sections, END, and the zeros c-toxcore leaves where it had reserved room
 * for 8 IPv6 relays and 8 IPv6 path nodes. Throws {@link ToxSaveError} `invalid-value` for
 * a state c-toxcore would not load back.
 */
export function encodeToxSave(save: ToxSave): Uint8Array {
  checkToxSave(save);
  const dht = packNodes(save.dhtNodes);
  const relays = packNodes(save.tcpRelays);
  const paths = packNodes(save.pathNodes);
  const bodies: [number, number][] = [
    [ToxSaveSection.NOSPAMKEYS, NOSPAMKEYS_SIZE],
    [ToxSaveSection.DHT, 4 + SECTION_HEADER_SIZE + dht.length],
    [ToxSaveSection.FRIENDS, save.friends.length * FRIEND_RECORD_SIZE],
    [ToxSaveSection.NAME, save.name.length],
    [ToxSaveSection.STATUSMESSAGE, save.statusMessage.length],
    [ToxSaveSection.STATUS, 1],
    [ToxSaveSection.TCP_RELAY, relays.length],
    [ToxSaveSection.PATH_NODE, paths.length],
    [ToxSaveSection.CONFERENCES, save.conferences.length],
    ...save.unknownSections.map((s): [number, number] => [s.type, s.data.length]),
    [ToxSaveSection.END, 0],
  ];
  const padding = 2 * NODE_SECTION_RESERVE - relays.length - paths.length;
  const out = new Uint8Array(FILE_HEADER_SIZE + bodies.reduce((n, [, len]) => n + SECTION_HEADER_SIZE + len, 0) + padding);
  putFileHeader(out);
  let at = FILE_HEADER_SIZE;
  const body = (type: number, length: number): number => putSectionHeader(out, at, SECTION_COOKIE, type, length);

  at = body(ToxSaveSection.NOSPAMKEYS, NOSPAMKEYS_SIZE);
  new DataView(out.buffer).setUint32(at, save.nospam);
  out.set(save.publicKey, at + 4);
  out.set(save.secretKey, at + 4 + PUBLIC_KEY_SIZE);
  at += NOSPAMKEYS_SIZE;

  at = body(ToxSaveSection.DHT, 4 + SECTION_HEADER_SIZE + dht.length);
  putLe32(out, at, DHT_STATE_COOKIE);
  at = putSectionHeader(out, at + 4, DHT_SECTION_COOKIE, DHT_SECTION_NODES, dht.length);
  out.set(dht, at);
  at += dht.length;

  at = body(ToxSaveSection.FRIENDS, save.friends.length * FRIEND_RECORD_SIZE);
  for (const f of save.friends) {
    writeFriendRecord(out, at, f.kind === 'request'
      ? { status: f.requestSent ? SavedFriendStatus.REQUESTED : SavedFriendStatus.ADDED, publicKey: f.publicKey, request: f.message, nospam: f.nospam }
      : { status: SavedFriendStatus.CONFIRMED, publicKey: f.publicKey, name: f.name, statusMessage: f.statusMessage, userStatus: f.userStatus, lastSeen: f.lastSeen });
    at += FRIEND_RECORD_SIZE;
  }
  const raw = (type: number, data: Uint8Array): void => {
    at = body(type, data.length);
    out.set(data, at);
    at += data.length;
  };
  raw(ToxSaveSection.NAME, save.name);
  raw(ToxSaveSection.STATUSMESSAGE, save.statusMessage);
  raw(ToxSaveSection.STATUS, Uint8Array.of(save.userStatus));
  raw(ToxSaveSection.TCP_RELAY, relays);
  raw(ToxSaveSection.PATH_NODE, paths);
  raw(ToxSaveSection.CONFERENCES, save.conferences);
  for (const s of save.unknownSections) raw(s.type, s.data);
  body(ToxSaveSection.END, 0);
  return out;
}
