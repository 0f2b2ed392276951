/**
 * The profile file's format: UTF-8 JSON, so a person can read what their profile holds.
 * Keys are lower-case hex; names and messages are JSON strings when their bytes are UTF-8
 * (`{"hex": "…"}` when they are not, so no byte is lost); 64-bit times are decimal text.
 * `format` and `version` come first: a reader refuses a file that is not a profile, and a
 * version newer than its own, before it reads anything else.
 *
 * @see spec/messenger.md#the-profile-file
 * @module
 */
import { type PackedNode, fromHex, isIpAddress, toHex } from '../wire/index.ts';
import { ProfileError } from './save-errors.ts';
import type { OpaqueSection, UserStatus } from './tox-save.ts';
import {
  MAX_PROFILE_BYTES, PROFILE_VERSION, type Profile, type ProfileFriend, type ProfileFriendRequest, checkProfile,
  profileKeyPair,
} from './profile.ts';

/** The value of the `format` field. */
export const PROFILE_FORMAT = 'toxlink-profile';

type Json = Record<string, unknown>;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/* ---- writing ---- */

function text(bytes: Uint8Array): string | Json {
  try {
    return utf8.decode(bytes);
  } catch {
    return { hex: toHex(bytes) };
  }
}

const node = (n: PackedNode): Json => ({ protocol: n.protocol, host: n.ipPort.host, port: n.ipPort.port, public_key: toHex(n.publicKey) });

function friendJson(f: ProfileFriend): Json {
  const out: Json = { public_key: toHex(f.publicKey) };
  if (f.request !== undefined) out['request'] = { message: text(f.request.message), nospam: f.request.nospam, sent: f.request.sent };
  out['name'] = text(f.name);
  out['status_message'] = text(f.statusMessage);
  out['user_status'] = f.userStatus;
  out['last_seen'] = f.lastSeen.toString();
  if (f.dhtPublicKey !== undefined) out['dht_public_key'] = toHex(f.dhtPublicKey);
  out['relays'] = f.relays.map(node);
  return out;
}

/**
 * The file bytes of `profile`. Throws {@link ProfileError} `invalid-value` for a field out
 * of range (see `checkProfile`).
 */
export function encodeProfile(profile: Profile): Uint8Array {
  checkProfile(profile, 'invalid-value');
  const json = {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    public_key: toHex(profileKeyPair(profile).publicKey),
    secret_key: toHex(profile.secretKey),
    nospam: profile.nospam,
    name: text(profile.name),
    status_message: text(profile.statusMessage),
    user_status: profile.userStatus,
    friends: profile.friends.map(friendJson),
    dht_nodes: profile.dhtNodes.map(node),
    tcp_relays: profile.tcpRelays.map(node),
    path_nodes: profile.pathNodes.map(node),
    tox_save: {
      conferences: toHex(profile.toxSaveExtra.conferences),
      sections: profile.toxSaveExtra.unknownSections.map((s) => ({ type: s.type, data: toHex(s.data) })),
    },
  };
  return encoder.encode(`${JSON.stringify(json, null, 2)}\n`);
}

/* ---- reading: every field checked, every failure a ProfileError ---- */

function corrupt(message: string): never {
  throw new ProfileError('corrupt', `damaged profile: ${message}`);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(o: Json, key: string): unknown {
  if (!Object.hasOwn(o, key)) corrupt(`missing field "${key}"`);
  return o[key];
}

function objectAt(o: Json, key: string): Json {
  const v = field(o, key);
  if (!isObject(v)) corrupt(`"${key}" must be an object`);
  return v;
}

function listAt(o: Json, key: string, max: number): unknown[] {
  const v = field(o, key);
  if (!Array.isArray(v)) corrupt(`"${key}" must be a list`);
  if (v.length > max) corrupt(`"${key}" has ${v.length} entries, at most ${max} allowed`);
  return v;
}

function intAt(o: Json, key: string, max: number): number {
  const v = field(o, key);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) corrupt(`"${key}" must be an integer from 0 to ${max}`);
  return v;
}

function hexOf(v: unknown, what: string, size?: number): Uint8Array {
  if (typeof v !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(v)) corrupt(`${what} must be lower-case hex`);
  const bytes = fromHex(v);
  if (size !== undefined && bytes.length !== size) corrupt(`${what} must be ${size} bytes`);
  return bytes;
}

function hexAt(o: Json, key: string, size?: number): Uint8Array {
  return hexOf(field(o, key), `"${key}"`, size);
}

function textAt(o: Json, key: string): Uint8Array {
  const v = field(o, key);
  if (typeof v === 'string') return encoder.encode(v);
  if (isObject(v)) return hexAt(v, 'hex');
  return corrupt(`"${key}" must be a string or {"hex": ...}`);
}

function bigAt(o: Json, key: string): bigint {
  const v = field(o, key);
  if (typeof v !== 'string' || !/^\d{1,20}$/.test(v)) corrupt(`"${key}" must be decimal text`);
  return BigInt(v);
}

function nodeOf(v: unknown): PackedNode {
  if (!isObject(v)) return corrupt('a node must be an object');
  const protocol = field(v, 'protocol');
  if (protocol !== 'udp' && protocol !== 'tcp') corrupt('a node\'s protocol must be "udp" or "tcp"');
  const host = field(v, 'host');
  if (typeof host !== 'string' || !isIpAddress(host)) corrupt('a node\'s host must be an IP address');
  return { protocol, ipPort: { host, port: intAt(v, 'port', 0xffff) }, publicKey: hexAt(v, 'public_key', 32) };
}

function nodesAt(o: Json, key: string): PackedNode[] {
  return listAt(o, key, Number.MAX_SAFE_INTEGER).map(nodeOf);
}

function friendOf(v: unknown): ProfileFriend {
  if (!isObject(v)) return corrupt('a friend must be an object');
  let request: ProfileFriendRequest | undefined;
  if (Object.hasOwn(v, 'request')) {
    const r = objectAt(v, 'request');
    const sent = field(r, 'sent');
    if (typeof sent !== 'boolean') corrupt('"sent" must be true or false');
    request = { message: textAt(r, 'message'), nospam: intAt(r, 'nospam', 0xffffffff), sent };
  }
  const friend: ProfileFriend = {
    publicKey: hexAt(v, 'public_key', 32),
    name: textAt(v, 'name'),
    statusMessage: textAt(v, 'status_message'),
    userStatus: intAt(v, 'user_status', 2) as UserStatus,
    lastSeen: bigAt(v, 'last_seen'),
    relays: nodesAt(v, 'relays'),
  };
  const dht = Object.hasOwn(v, 'dht_public_key') ? { dhtPublicKey: hexAt(v, 'dht_public_key', 32) } : {};
  return { ...friend, ...dht, ...(request !== undefined ? { request } : {}) };
}

function sectionOf(v: unknown): OpaqueSection {
  if (!isObject(v)) return corrupt('a section must be an object');
  return { type: intAt(v, 'type', 0xffff), data: hexAt(v, 'data') };
}

/** The `format` and `version` check: before anything else is read. */
function checkVersion(json: unknown): Json {
  if (!isObject(json) || json['format'] !== PROFILE_FORMAT) {
    throw new ProfileError('not-a-profile', `not a toxlink profile (no "format": "${PROFILE_FORMAT}")`);
  }
  const version = json['version'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) corrupt('"version" must be a positive integer');
  if (version > PROFILE_VERSION) {
    throw new ProfileError('unknown-version',
      `this profile was written by a newer toxlink (profile version ${version}); this toxlink reads version ${PROFILE_VERSION} and older: upgrade toxlink`);
  }
  return json;
}

/**
 * Reads the file bytes of a profile. Throws {@link ProfileError}: `too-large`,
 * `not-a-profile` (not JSON, or another format), `unknown-version` (a newer toxlink's),
 * `corrupt` (a field missing, mistyped or out of range, or a public key that is not the
 * secret key's); never anything else.
 */
export function decodeProfile(bytes: Uint8Array): Profile {
  if (bytes.length > MAX_PROFILE_BYTES) throw new ProfileError('too-large', `a profile of ${bytes.length} bytes is over the limit of ${MAX_PROFILE_BYTES}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(bytes));
  } catch {
    throw new ProfileError('not-a-profile', 'not a toxlink profile (not UTF-8 JSON)');
  }
  const json = checkVersion(parsed);
  const extra = objectAt(json, 'tox_save');
  const profile: Profile = {
    secretKey: hexAt(json, 'secret_key', 32),
    nospam: intAt(json, 'nospam', 0xffffffff),
    name: textAt(json, 'name'),
    statusMessage: textAt(json, 'status_message'),
    userStatus: intAt(json, 'user_status', 2) as UserStatus,
    friends: listAt(json, 'friends', Number.MAX_SAFE_INTEGER).map(friendOf),
    dhtNodes: nodesAt(json, 'dht_nodes'),
    tcpRelays: nodesAt(json, 'tcp_relays'),
    pathNodes: nodesAt(json, 'path_nodes'),
    toxSaveExtra: { conferences: hexAt(extra, 'conferences'), unknownSections: listAt(extra, 'sections', Number.MAX_SAFE_INTEGER).map(sectionOf) },
  };
  checkProfile(profile, 'corrupt');
  if (toHex(hexAt(json, 'public_key', 32)) !== toHex(profileKeyPair(profile).publicKey)) corrupt('"public_key" is not the secret key\'s');
  return profile;
}
