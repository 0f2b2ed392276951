/**
 * toxlink's profile: everything a toxlink node keeps between runs. Its identity (secret key,
 * nospam), what it shows friends (name, status message, user status), its friends with what
 * it last learned about each (the DHT key and TCP relays that reached them), and nodes to
 * start from. The file format is in `profile-json.ts`, the atomic file write in
 * `profile-file.ts`; this file holds the state, its limits, and the conversions to and from
 * c-toxcore's savedata.
 *
 * @see spec/messenger.md#toxlinks-profile
 * @module
 */
import { type KeyPair, SECRET_KEY_SIZE, isValidPublicKey, keyPairFromSecretKey } from '../crypto/index.ts';
import { type PackedNode, PUBLIC_KEY_SIZE, isIpAddress, toHex } from '../wire/index.ts';
import { ProfileError } from './save-errors.ts';
import type { OpaqueSection, SavedFriend, ToxSave, UserStatus } from './tox-save.ts';
import { MAX_FRIEND_REQUEST_LENGTH, MAX_NAME_LENGTH, MAX_STATUS_MESSAGE_LENGTH } from './tox-save-friend.ts';
import { MAX_SAVED_PATH_NODES, MAX_SAVED_TCP_RELAYS, MAX_UNKNOWN_SECTIONS, ToxSaveSection } from './tox-save-sections.ts';

/** The profile format version this toxlink writes and the newest it reads. */
export const PROFILE_VERSION = 1;
/** The largest profile file toxlink reads. */
export const MAX_PROFILE_BYTES = 128 * 1024 * 1024;
/** Friends a profile may hold (a c-toxcore save of `MAX_TOX_SAVE_SIZE` holds fewer). */
export const MAX_PROFILE_FRIENDS = 32_768;
/** TCP relays kept per friend (c-toxcore's `FRIEND_MAX_STORED_TCP_RELAYS`). */
export const MAX_FRIEND_RELAYS = 24;
/** DHT nodes kept to start from: 1024 IPv6 nodes still pack into c-toxcore's 65 535-byte list. */
export const MAX_PROFILE_DHT_NODES = 1024;

/** Our own friend request to someone who has not accepted yet. */
export interface ProfileFriendRequest {
  /** 1–1016 bytes. */
  readonly message: Uint8Array;
  /** The nospam of the Tox ID the request goes to. */
  readonly nospam: number;
  /** Whether it was sent at least once. */
  readonly sent: boolean;
}

/** A friend as the profile remembers them. */
export interface ProfileFriend {
  /** The friend's long-term public key. */
  readonly publicKey: Uint8Array;
  /** Present while our friend request is unanswered. */
  readonly request?: ProfileFriendRequest;
  /** The friend's name (up to 128 bytes), status message (up to 1007) and user status. */
  readonly name: Uint8Array;
  readonly statusMessage: Uint8Array;
  readonly userStatus: UserStatus;
  /** When the friend was last online, Unix seconds; 0 if never. */
  readonly lastSeen: bigint;
  /** The friend's DHT public key when we last reached them: worth trying before the onion answers. */
  readonly dhtPublicKey?: Uint8Array;
  /** TCP relays the friend was reachable through (at most {@link MAX_FRIEND_RELAYS}). */
  readonly relays: readonly PackedNode[];
}

/** Everything a toxlink node keeps between runs. */
export interface Profile {
  /** Long-term secret key; the public key is derived ({@link profileKeyPair}). */
  readonly secretKey: Uint8Array;
  readonly nospam: number;
  /** Up to 128 bytes (UTF-8 by convention). */
  readonly name: Uint8Array;
  /** Up to 1007 bytes. */
  readonly statusMessage: Uint8Array;
  readonly userStatus: UserStatus;
  /** In friend-number order. */
  readonly friends: readonly ProfileFriend[];
  /** DHT nodes to bootstrap from (UDP, at most {@link MAX_PROFILE_DHT_NODES}). */
  readonly dhtNodes: readonly PackedNode[];
  /** TCP relays we were connected to (at most 8). */
  readonly tcpRelays: readonly PackedNode[];
  /** Onion path nodes (UDP, at most 8, one per key). */
  readonly pathNodes: readonly PackedNode[];
  /** c-toxcore sections toxlink does not use, kept to give back to c-toxcore on export. */
  readonly toxSaveExtra: {
    readonly conferences: Uint8Array;
    readonly unknownSections: readonly OpaqueSection[];
  };
}

/** The profile's long-term key pair. */
export function profileKeyPair(profile: Pick<Profile, 'secretKey'>): KeyPair {
  return keyPairFromSecretKey(profile.secretKey);
}

const EMPTY = new Uint8Array(0);

/** A new profile: this identity, nothing else. */
export function newProfile(secretKey: Uint8Array, nospam: number): Profile {
  const profile: Profile = {
    secretKey: Uint8Array.from(secretKey), nospam, name: EMPTY, statusMessage: EMPTY, userStatus: 0,
    friends: [], dhtNodes: [], tcpRelays: [], pathNodes: [], toxSaveExtra: { conferences: EMPTY, unknownSections: [] },
  };
  checkProfile(profile, 'invalid-value');
  return profile;
}

/* ---- limits ---- */

type Why = 'invalid-value' | 'corrupt';

function bad(why: Why, message: string): never {
  throw new ProfileError(why, why === 'corrupt' ? `damaged profile: ${message}` : message);
}

function isU32(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

function isUserStatus(n: unknown): n is UserStatus {
  return n === 0 || n === 1 || n === 2;
}

function checkBytes(why: Why, what: string, b: unknown, max: number): void {
  if (!(b instanceof Uint8Array) || b.length > max) bad(why, `${what} must be at most ${max} bytes`);
}

function checkKey(why: Why, what: string, key: unknown): void {
  if (!(key instanceof Uint8Array) || key.length !== PUBLIC_KEY_SIZE) bad(why, `${what} must be ${PUBLIC_KEY_SIZE} bytes`);
}

function checkNodes(why: Why, what: string, nodes: readonly PackedNode[], max: number, protocol?: 'udp' | 'tcp'): void {
  if (!Array.isArray(nodes) || nodes.length > max) bad(why, `${what}: at most ${max}`);
  for (const n of nodes) {
    checkKey(why, `${what}: a key`, n.publicKey);
    if (protocol !== undefined && n.protocol !== protocol) bad(why, `${what} must be ${protocol.toUpperCase()} nodes`);
    if (n.protocol !== 'udp' && n.protocol !== 'tcp') bad(why, `${what}: protocol must be udp or tcp`);
    if (!isIpAddress(n.ipPort.host)) bad(why, `${what}: ${JSON.stringify(n.ipPort.host)} is not an IP address`);
    if (!Number.isInteger(n.ipPort.port) || n.ipPort.port < 0 || n.ipPort.port > 0xffff) bad(why, `${what}: bad port ${n.ipPort.port}`);
  }
}

function checkFriend(why: Why, f: ProfileFriend, i: number, self: string, seen: Set<string>): void {
  const what = `friend ${i}`;
  checkKey(why, `${what}: public key`, f.publicKey);
  const key = toHex(f.publicKey);
  if (!isValidPublicKey(f.publicKey)) bad(why, `${what}: not a valid public key (last byte 0x80 or more)`);
  if (key === self) bad(why, `${what}: our own key`);
  if (seen.has(key)) bad(why, `${what}: listed twice`);
  seen.add(key);
  if (f.request !== undefined) {
    const r = f.request;
    if (!(r.message instanceof Uint8Array) || r.message.length < 1 || r.message.length > MAX_FRIEND_REQUEST_LENGTH) {
      bad(why, `${what}: a request message must be 1 to ${MAX_FRIEND_REQUEST_LENGTH} bytes`);
    }
    if (!isU32(r.nospam)) bad(why, `${what}: request nospam must be a u32`);
    if (typeof r.sent !== 'boolean') bad(why, `${what}: request sent must be true or false`);
  }
  checkBytes(why, `${what}: name`, f.name, MAX_NAME_LENGTH);
  checkBytes(why, `${what}: status message`, f.statusMessage, MAX_STATUS_MESSAGE_LENGTH);
  if (!isUserStatus(f.userStatus)) bad(why, `${what}: user status must be 0, 1 or 2`);
  if (typeof f.lastSeen !== 'bigint' || f.lastSeen < 0n || f.lastSeen > 0xffffffffffffffffn) bad(why, `${what}: last seen must be a u64`);
  if (f.dhtPublicKey !== undefined) checkKey(why, `${what}: DHT key`, f.dhtPublicKey);
  checkNodes(why, `${what}: relays`, f.relays, MAX_FRIEND_RELAYS);
}

const KNOWN_SECTIONS: ReadonlySet<number> = new Set(Object.values(ToxSaveSection));

/**
 * Throws {@link ProfileError} (`why`: `invalid-value` when writing, `corrupt` when reading)
 * unless every field is in range. A profile that passes also converts to a c-toxcore save.
 */
export function checkProfile(p: Profile, why: Why): void {
  if (!(p.secretKey instanceof Uint8Array) || p.secretKey.length !== SECRET_KEY_SIZE) bad(why, `the secret key must be ${SECRET_KEY_SIZE} bytes`);
  if (!isU32(p.nospam)) bad(why, 'nospam must be a u32');
  checkBytes(why, 'name', p.name, MAX_NAME_LENGTH);
  checkBytes(why, 'status message', p.statusMessage, MAX_STATUS_MESSAGE_LENGTH);
  if (!isUserStatus(p.userStatus)) bad(why, 'user status must be 0, 1 or 2');
  if (!Array.isArray(p.friends) || p.friends.length > MAX_PROFILE_FRIENDS) bad(why, `at most ${MAX_PROFILE_FRIENDS} friends`);
  const self = toHex(profileKeyPair(p).publicKey);
  const seen = new Set<string>();
  p.friends.forEach((f, i) => checkFriend(why, f, i, self, seen));
  checkNodes(why, 'DHT nodes', p.dhtNodes, MAX_PROFILE_DHT_NODES, 'udp');
  checkNodes(why, 'TCP relays', p.tcpRelays, MAX_SAVED_TCP_RELAYS);
  checkNodes(why, 'path nodes', p.pathNodes, MAX_SAVED_PATH_NODES, 'udp');
  const pathKeys = p.pathNodes.map((n) => toHex(n.publicKey));
  if (new Set(pathKeys).size !== pathKeys.length || pathKeys.includes('00'.repeat(PUBLIC_KEY_SIZE))) {
    bad(why, 'path nodes: one per key, and not the all-zero key');
  }
  checkBytes(why, 'conferences', p.toxSaveExtra.conferences, 0xffffffff);
  if (p.toxSaveExtra.unknownSections.length > MAX_UNKNOWN_SECTIONS) bad(why, `at most ${MAX_UNKNOWN_SECTIONS} kept c-toxcore sections`);
  for (const s of p.toxSaveExtra.unknownSections) {
    if (!Number.isInteger(s.type) || s.type < 0 || s.type > 0xffff || KNOWN_SECTIONS.has(s.type)) bad(why, `section type ${s.type} is not an unknown one`);
    checkBytes(why, `section ${s.type}`, s.data, 0xffffffff);
  }
}

/* ---- c-toxcore savedata ---- */

function friendFromSave(f: SavedFriend): ProfileFriend {
  if (f.kind === 'request') {
    return {
      publicKey: f.publicKey, request: { message: f.message, nospam: f.nospam, sent: f.requestSent },
      name: EMPTY, statusMessage: EMPTY, userStatus: 0, lastSeen: 0n, relays: [],
    };
  }
  // c-toxcore's getter shows a user status of 3 or more as 0 (none).
  const userStatus = isUserStatus(f.userStatus) ? f.userStatus : 0;
  return { publicKey: f.publicKey, name: f.name, statusMessage: f.statusMessage, userStatus, lastSeen: f.lastSeen, relays: [] };
}

/**
 * A profile from a decoded c-toxcore save ({@link decodeToxSave}): the same identity and
 * friends (in the same order, so friend numbers match), nodes and relays to start from,
 * and the sections toxlink does not use kept for a later export. c-toxcore does not save
 * friends' DHT keys or relays, so the profile starts without them. Throws
 * {@link ProfileError} `invalid-value` if the save has more than
 * {@link MAX_PROFILE_FRIENDS} friends.
 */
export function profileFromToxSave(save: ToxSave): Profile {
  const profile: Profile = {
    secretKey: save.secretKey,
    nospam: save.nospam,
    name: save.name,
    statusMessage: save.statusMessage,
    userStatus: save.userStatus,
    friends: save.friends.map(friendFromSave),
    dhtNodes: save.dhtNodes.slice(0, MAX_PROFILE_DHT_NODES),
    tcpRelays: save.tcpRelays,
    pathNodes: save.pathNodes,
    toxSaveExtra: { conferences: save.conferences, unknownSections: save.unknownSections },
  };
  checkProfile(profile, 'invalid-value');
  return profile;
}

/**
 * The c-toxcore save of a profile, for {@link encodeToxSave}: identity, friends (a request
 * friend keeps its message and nospam; a confirmed one its name, status message, user
 * status and last seen), nodes, relays and the kept sections. Friends' DHT keys and relays
 * have no place in c-toxcore's format and are left out.
 */
export function toxSaveFromProfile(profile: Profile): ToxSave {
  checkProfile(profile, 'invalid-value');
  const friends = profile.friends.map((f): SavedFriend => (f.request !== undefined
    ? { kind: 'request', publicKey: f.publicKey, message: f.request.message, nospam: f.request.nospam, requestSent: f.request.sent }
    : { kind: 'confirmed', publicKey: f.publicKey, name: f.name, statusMessage: f.statusMessage, userStatus: f.userStatus, lastSeen: f.lastSeen }));
  return {
    secretKey: profile.secretKey,
    publicKey: profileKeyPair(profile).publicKey,
    nospam: profile.nospam,
    name: profile.name,
    statusMessage: profile.statusMessage,
    userStatus: profile.userStatus,
    friends,
    dhtNodes: profile.dhtNodes,
    tcpRelays: profile.tcpRelays,
    pathNodes: profile.pathNodes,
    conferences: profile.toxSaveExtra.conferences,
    unknownSections: profile.toxSaveExtra.unknownSections,
  };
}
