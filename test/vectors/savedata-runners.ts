/**
 * Runners for the savedata suites (test/vectors/savedata-*.json, written by
 * generator/gen-savedata.c from c-toxcore 0.2.18). test/vectors.test.ts spreads
 * {@link SAVEDATA_RUNNERS} into its table of runners; the layout of each suite is in
 * test/vectors/README.md.
 *
 * Another implementation follows the same steps: read the savedata into its own state,
 * print that state in the vector's terms (hex bytes, decimal text for 64-bit values), compare
 * with `expected`, then write the state back and compare bytes.
 */
import type { ExecutionContext } from 'ava';
import {
  type SavedFriend, type ToxSave, ToxSaveError, decodeToxSave, encodeToxSave,
} from '../../src/messenger/index.ts';
import { type PackedNode, formatToxId, toHex } from '../../src/wire/index.ts';
import { type Json, bytes, int, list, obj, str } from './fields.ts';

/** One vector, as test/vectors.test.ts reads it. */
export interface SavedataVector {
  readonly name: string;
  readonly input: Json;
  readonly expected: Json;
}

/** A runner, in the shape of test/vectors.test.ts's. */
export type SavedataRunner = (t: ExecutionContext, v: SavedataVector) => void;

/* ---- toxlink's state in the vectors' terms ---- */

/** What c-toxcore's getters report about us. */
function plainSelf(s: ToxSave): Json {
  return {
    tox_id: formatToxId(s),
    public_key: toHex(s.publicKey),
    secret_key: toHex(s.secretKey),
    nospam: s.nospam,
    name: toHex(s.name),
    status_message: toHex(s.statusMessage),
    status: s.userStatus,
  };
}

/**
 * What the friend getters report; with `request`, also the request's message and nospam.
 * `tox_friend_get_status` reports a saved user status of 3 or more as 0 (`m_get_userstatus`).
 */
function plainFriend(f: SavedFriend, request: boolean): Json {
  const got: Json = f.kind === 'confirmed'
    ? {
        public_key: toHex(f.publicKey), name: toHex(f.name), status_message: toHex(f.statusMessage),
        user_status: f.userStatus < 3 ? f.userStatus : 0, last_seen: f.lastSeen.toString(),
      }
    : { public_key: toHex(f.publicKey), name: '', status_message: '', user_status: 0, last_seen: '0' };
  if (request && f.kind === 'request') got['request'] = { message: toHex(f.message), nospam: f.nospam };
  return got;
}

const plainNode = (n: PackedNode): Json => ({ protocol: n.protocol, host: n.ipPort.host, port: n.ipPort.port, public_key: toHex(n.publicKey) });

/** Every field of a state, for comparing two states. */
function plainAll(s: ToxSave): Json {
  return {
    ...plainSelf(s),
    friends: s.friends.map((f) => (f.kind === 'request'
      ? { ...plainFriend(f, true), sent: f.requestSent }
      : { ...plainFriend(f, false), saved_user_status: f.userStatus })),
    dht_nodes: s.dhtNodes.map(plainNode),
    tcp_relays: s.tcpRelays.map(plainNode),
    path_nodes: s.pathNodes.map(plainNode),
    conferences: toHex(s.conferences),
    unknown: s.unknownSections.map((u) => ({ type: u.type, data: toHex(u.data) })),
  };
}

/** The expected getters' fields of a vector. */
function expectedSelf(e: Json): Json {
  return {
    tox_id: str(e, 'tox_id'),
    public_key: str(e, 'public_key'),
    secret_key: str(e, 'secret_key'),
    nospam: int(e, 'nospam'),
    name: str(e, 'name'),
    status_message: str(e, 'status_message'),
    status: int(e, 'status'),
  };
}

function expectedFriend(f: Json): Json {
  const out: Json = {
    public_key: str(f, 'public_key'),
    name: str(f, 'name'),
    status_message: str(f, 'status_message'),
    user_status: int(f, 'user_status'),
    last_seen: str(f, 'last_seen'),
  };
  if ('request' in f) {
    const r = obj(f, 'request');
    out['request'] = { message: str(r, 'message'), nospam: int(r, 'nospam') };
  }
  return out;
}

/** What c-toxcore keeps when it loads a state and saves it again at once. */
function asCToxcoreKeepsIt(s: ToxSave): ToxSave {
  return {
    ...s,
    friends: s.friends.map((f) => (f.kind === 'request' ? { ...f, requestSent: false } : f)),
    unknownSections: [],
  };
}

/* ---- savedata-written ---- */

const written: SavedataRunner = (t, { expected }) => {
  const data = bytes(expected, 'savedata');
  const save = decodeToxSave(data);
  t.deepEqual(plainSelf(save), expectedSelf(expected), 'identity, name and status');
  const friends = list(expected, 'friends');
  t.deepEqual(save.friends.map((f, i) => plainFriend(f, 'request' in (friends[i] ?? {}))), friends.map(expectedFriend), 'friends');
  t.deepEqual(save.pathNodes.map(plainNode), list(expected, 'path_nodes').map((n) => ({
    protocol: str(n, 'protocol'), host: str(n, 'host'), port: int(n, 'port'), public_key: str(n, 'public_key'),
  })), 'path nodes');
  t.is(save.conferences.length > 0, int(expected, 'conferences') > 0, 'conferences kept');
  t.is(toHex(encodeToxSave(save)), toHex(data), 'written back byte for byte');
};

/* ---- savedata-load ---- */

const load: SavedataRunner = (t, { input, expected }) => {
  const data = bytes(input, 'savedata');
  if ('error' in expected) {
    const error = t.throws(() => decodeToxSave(data), { instanceOf: ToxSaveError });
    t.is(String(error?.code), str(expected, 'error'), `c-toxcore: ${str(expected, 'c_toxcore')}`);
    return;
  }
  t.is(str(expected, 'c_toxcore'), 'OK');
  const save = decodeToxSave(data);
  t.deepEqual(plainSelf(save), expectedSelf(expected), 'identity, name and status');
  t.deepEqual(save.friends.map((f) => plainFriend(f, false)), list(expected, 'friends').map(expectedFriend), 'friends');
  const resavedBytes = bytes(expected, 'resaved');
  const resaved = decodeToxSave(resavedBytes);
  const kept = asCToxcoreKeepsIt(save);
  t.deepEqual(plainAll(kept), plainAll(resaved), 'the same state as what c-toxcore wrote back');
  t.is(toHex(encodeToxSave(kept)), toHex(resavedBytes), 'toxlink writes what c-toxcore wrote back, byte for byte');
};

/** The savedata suites' runners, by suite name. */
export const SAVEDATA_RUNNERS: Readonly<Record<string, SavedataRunner>> = {
  'savedata-written': written,
  'savedata-load': load,
};
