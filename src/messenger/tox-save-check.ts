/**
 * The checks {@link encodeToxSave} makes before writing: every value must be one that
 * c-toxcore 0.2.18 loads back as it was written, so that `decodeToxSave(encodeToxSave(s))`
 * equals `s`.
 *
 * @see spec/messenger.md#writing-a-save-c-toxcore-loads
 * @module
 */
import { constantTimeEqual, isValidPublicKey, keyPairFromSecretKey, SECRET_KEY_SIZE } from '../crypto/index.ts';
import { EncodeError, type PackedNode, PUBLIC_KEY_SIZE, packNodes, toHex } from '../wire/index.ts';
import { ToxSaveError } from './save-errors.ts';
import type { SavedFriend, ToxSave } from './tox-save-types.ts';
import { MAX_FRIEND_REQUEST_LENGTH, MAX_NAME_LENGTH, MAX_STATUS_MESSAGE_LENGTH } from './tox-save-friend.ts';
import {
  MAX_SAVED_DHT_NODES, MAX_SAVED_PATH_NODES, MAX_SAVED_TCP_RELAYS, MAX_UNKNOWN_SECTIONS, ToxSaveSection,
} from './tox-save-sections.ts';

/** The largest packed node list c-toxcore reads whole (`unpack_nodes` takes a `uint16_t` length). */
const MAX_NODE_LIST_BYTES = 0xffff;
const KNOWN_SECTIONS: ReadonlySet<number> = new Set(Object.values(ToxSaveSection));

function invalid(message: string): never {
  throw new ToxSaveError('invalid-value', message);
}

function isU32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

function checkBytes(what: string, bytes: Uint8Array, max: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length > max) invalid(`${what} must be at most ${max} bytes`);
}

function checkNodes(what: string, nodes: readonly PackedNode[], max: number, udpOnly: boolean): void {
  if (nodes.length > max) invalid(`${what}: at most ${max}, got ${nodes.length}`);
  if (udpOnly && nodes.some((n) => n.protocol !== 'udp')) invalid(`${what} must be UDP nodes (c-toxcore drops the whole list otherwise)`);
  let packed: Uint8Array;
  try {
    packed = packNodes(nodes);
  } catch (error) {
    if (error instanceof EncodeError) invalid(`${what}: ${error.message}`);
    throw error;
  }
  if (packed.length > MAX_NODE_LIST_BYTES) invalid(`${what}: over ${MAX_NODE_LIST_BYTES} bytes packed, which c-toxcore would not read whole`);
}

/** c-toxcore keeps one path node per key, and never one with the all-zero key. */
function checkPathNodes(nodes: readonly PackedNode[]): void {
  const keys = nodes.map((n) => toHex(n.publicKey));
  if (new Set(keys).size !== keys.length) invalid('path nodes: two with the same key (c-toxcore keeps the first)');
  if (keys.includes('00'.repeat(PUBLIC_KEY_SIZE))) invalid('path nodes: the all-zero key (c-toxcore skips it)');
}

function checkFriend(f: SavedFriend, i: number, self: Uint8Array, seen: Set<string>): void {
  const what = `friend ${i}`;
  if (!(f.publicKey instanceof Uint8Array) || f.publicKey.length !== PUBLIC_KEY_SIZE) invalid(`${what}: the public key must be ${PUBLIC_KEY_SIZE} bytes`);
  if (!isValidPublicKey(f.publicKey)) invalid(`${what}: not a valid public key (last byte 0x80 or more)`);
  if (constantTimeEqual(f.publicKey, self)) invalid(`${what}: our own key`);
  const key = toHex(f.publicKey);
  if (seen.has(key)) invalid(`${what}: listed twice`);
  seen.add(key);
  if (f.kind === 'request') {
    if (!(f.message instanceof Uint8Array) || f.message.length < 1 || f.message.length > MAX_FRIEND_REQUEST_LENGTH) {
      invalid(`${what}: a request message must be 1 to ${MAX_FRIEND_REQUEST_LENGTH} bytes`);
    }
    if (!isU32(f.nospam)) invalid(`${what}: nospam must be a u32`);
  } else {
    checkBytes(`${what}: name`, f.name, MAX_NAME_LENGTH);
    checkBytes(`${what}: status message`, f.statusMessage, MAX_STATUS_MESSAGE_LENGTH);
    if (!Number.isInteger(f.userStatus) || f.userStatus < 0 || f.userStatus > 255) invalid(`${what}: user status must be a byte`);
    if (typeof f.lastSeen !== 'bigint' || f.lastSeen < 0n || f.lastSeen > 0xffffffffffffffffn) invalid(`${what}: last seen must be a u64`);
  }
}

/** Throws {@link ToxSaveError} `invalid-value`, naming the field, unless c-toxcore loads `save` back unchanged. */
export function checkToxSave(save: ToxSave): void {
  if (!(save.secretKey instanceof Uint8Array) || save.secretKey.length !== SECRET_KEY_SIZE) invalid(`the secret key must be ${SECRET_KEY_SIZE} bytes`);
  if (!(save.publicKey instanceof Uint8Array) || !constantTimeEqual(keyPairFromSecretKey(save.secretKey).publicKey, save.publicKey)) {
    invalid('the public key is not the secret key\'s');
  }
  if (!isU32(save.nospam)) invalid('nospam must be a u32');
  checkBytes('name', save.name, MAX_NAME_LENGTH);
  checkBytes('status message', save.statusMessage, MAX_STATUS_MESSAGE_LENGTH);
  if (save.userStatus !== 0 && save.userStatus !== 1 && save.userStatus !== 2) invalid('user status must be 0, 1 or 2');
  const seen = new Set<string>();
  save.friends.forEach((f, i) => checkFriend(f, i, save.publicKey, seen));
  checkNodes('DHT nodes', save.dhtNodes, MAX_SAVED_DHT_NODES, true);
  checkNodes('TCP relays', save.tcpRelays, MAX_SAVED_TCP_RELAYS, false);
  checkNodes('path nodes', save.pathNodes, MAX_SAVED_PATH_NODES, true);
  checkPathNodes(save.pathNodes);
  if (!(save.conferences instanceof Uint8Array)) invalid('conferences must be bytes');
  if (save.unknownSections.length > MAX_UNKNOWN_SECTIONS) invalid(`at most ${MAX_UNKNOWN_SECTIONS} unknown sections`);
  for (const s of save.unknownSections) {
    if (!Number.isInteger(s.type) || s.type < 0 || s.type > 0xffff || KNOWN_SECTIONS.has(s.type)) {
      invalid(`section type ${s.type} is not an unknown one (0-65535, none that c-toxcore reads)`);
    }
    if (!(s.data instanceof Uint8Array)) invalid(`section ${s.type}: data must be bytes`);
  }
}
