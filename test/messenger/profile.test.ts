/**
 * toxlink's profile: the JSON format (round trip, versions, refusals, fuzz), the conversion
 * to and from c-toxcore savedata, and the atomic file write, including crashes: a failed
 * write at each step, and a writer process killed with SIGKILL in the middle of writes.
 */
import test from 'ava';
import fc from 'fast-check';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MAX_PROFILE_BYTES, type Profile, ProfileError, type ProfileFs, ToxSaveError, decodeProfile, decodeToxSave,
  encodeProfile, encodeToxSave, exportToxSaveFile, importToxSaveFile, newProfile, nodeProfileFs, profileFromToxSave,
  readProfileFile, toxSaveFromProfile, writeProfileFile,
} from '../../src/messenger/index.ts';
import { fromHex, toHex } from '../../src/wire/index.ts';
import { fuzzParser } from '../fuzz/harness.ts';
import { CRASH_TEST_FRIENDS, sampleProfile, seededKey } from './profile-fixtures.ts';

const te = new TextEncoder();

function tempDir(t: { teardown: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'toxlink-profile-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The JSON of a profile file, as an object. */
const jsonOf = (bytes: Uint8Array): Record<string, unknown> => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
const fileOf = (json: unknown): Uint8Array => te.encode(JSON.stringify(json));

/* ---- the format ---- */

test('a profile reads back as it was written; format and version come first', (t) => {
  const profile = sampleProfile(1, 12);
  const bytes = encodeProfile(profile);
  t.deepEqual(decodeProfile(bytes), profile);
  const json = jsonOf(bytes);
  t.deepEqual(Object.keys(json).slice(0, 2), ['format', 'version']);
  t.is(json['format'], 'toxlink-profile');
  t.is(json['version'], 1);
  const friends = json['friends'] as Record<string, unknown>[];
  t.is(friends[0]!['name'], 'friend 0 ☃', 'UTF-8 names are JSON strings');
  t.deepEqual(friends[4]!['name'], { hex: 'fffe04' }, 'other bytes are hex, so none is lost');
  t.is(friends[0]!['last_seen'], '1700000000', '64-bit times are decimal text');
});

test('a new profile holds only the identity', (t) => {
  const profile = newProfile(seededKey(9, 9), 0x12345678);
  t.deepEqual(decodeProfile(encodeProfile(profile)), profile);
  t.is(profile.friends.length, 0);
});

const bytesUpTo = (max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max });

test('any valid profile reads back as written (names of any bytes)', (t) => {
  const friend = fc.record({
    name: bytesUpTo(128), statusMessage: bytesUpTo(300), userStatus: fc.constantFrom(0 as const, 1 as const, 2 as const),
    lastSeen: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), request: fc.option(fc.record({
      message: fc.uint8Array({ minLength: 1, maxLength: 1016 }), nospam: fc.nat({ max: 0xffffffff }), sent: fc.boolean(),
    }), { nil: undefined }),
    dht: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { nil: undefined }),
  });
  fc.assert(fc.property(fc.nat({ max: 1000 }), fc.array(friend, { maxLength: 4 }), bytesUpTo(128), (seed, friends, name) => {
    const base = sampleProfile(seed, 0);
    const profile: Profile = {
      ...base,
      name,
      friends: friends.map((f, i) => ({
        publicKey: seededKey(seed + 10_000, i), name: f.name, statusMessage: f.statusMessage, userStatus: f.userStatus,
        lastSeen: f.lastSeen, relays: [], ...(f.request ? { request: f.request } : {}), ...(f.dht ? { dhtPublicKey: f.dht } : {}),
      })),
    };
    t.deepEqual(decodeProfile(encodeProfile(profile)), profile);
  }), { numRuns: 100 });
});

test('a profile from a newer toxlink is refused with a clear error', (t) => {
  const json = jsonOf(encodeProfile(sampleProfile(2)));
  const error = t.throws(() => decodeProfile(fileOf({ ...json, version: 2 })), { instanceOf: ProfileError });
  t.is(error?.code, 'unknown-version');
  t.regex(error?.message ?? '', /newer toxlink \(profile version 2\).*upgrade toxlink/);
  // The version is checked before anything else: a future file may look entirely different.
  const future = t.throws(() => decodeProfile(fileOf({ format: 'toxlink-profile', version: 7, identity: 'elsewhere' })), { instanceOf: ProfileError });
  t.is(future?.code, 'unknown-version');
});

test('damaged profiles are refused with ProfileError, saying what is wrong', (t) => {
  const json = jsonOf(encodeProfile(sampleProfile(3, 4)));
  const friends = json['friends'] as Record<string, unknown>[];
  const cases: [string, unknown, string, RegExp][] = [
    ['not JSON', 'nope', 'not-a-profile', /not UTF-8 JSON/],
    ['another format', { format: 'something', version: 1 }, 'not-a-profile', /not a toxlink profile/],
    ['version 0', { ...json, version: 0 }, 'corrupt', /version/],
    ['no secret key', { ...json, secret_key: undefined }, 'corrupt', /secret_key/],
    ['a short secret key', { ...json, secret_key: 'abcd' }, 'corrupt', /32 bytes/],
    ['a public key that is not the secret key\'s', { ...json, public_key: toHex(seededKey(5, 5)) }, 'corrupt', /public_key/],
    ['nospam out of range', { ...json, nospam: 2 ** 32 }, 'corrupt', /nospam/],
    ['a name of 129 bytes', { ...json, name: 'x'.repeat(129) }, 'corrupt', /name/],
    ['user status 3', { ...json, user_status: 3 }, 'corrupt', /user_status/],
    ['a friend twice', { ...json, friends: [friends[0], friends[0]] }, 'corrupt', /twice/],
    ['our own key as a friend', { ...json, friends: [{ ...friends[0], public_key: json['public_key'] }] }, 'corrupt', /own key/],
    ['25 relays for a friend', { ...json, friends: [{ ...friends[0], relays: Array(25).fill((friends[0]!['relays'] as unknown[])[0]) }] }, 'corrupt', /relays/],
    ['a node host that is a name', { ...json, dht_nodes: [{ protocol: 'udp', host: 'example.org', port: 1, public_key: toHex(seededKey(1, 1)) }] }, 'corrupt', /IP address/],
    ['a TCP DHT node', { ...json, dht_nodes: [{ protocol: 'tcp', host: '10.0.0.1', port: 1, public_key: toHex(seededKey(1, 1)) }] }, 'corrupt', /UDP/],
    ['last seen not decimal', { ...json, friends: [{ ...friends[0], last_seen: 5 }] }, 'corrupt', /last_seen/],
    ['a request without sent', { ...json, friends: [{ ...friends[3], request: { message: 'hi', nospam: 1 } }] }, 'corrupt', /sent/],
  ];
  for (const [what, value, code, message] of cases) {
    const bytes = typeof value === 'string' ? te.encode(value) : fileOf(value);
    const error = t.throws(() => decodeProfile(bytes), { instanceOf: ProfileError }, what);
    t.is(String(error?.code), code, what);
    t.regex(error?.message ?? '', message, what);
  }
  const large = t.throws(() => decodeProfile(new Uint8Array(MAX_PROFILE_BYTES + 1)), { instanceOf: ProfileError });
  t.is(large?.code, 'too-large');
});

test('encodeProfile refuses values out of range', (t) => {
  const profile = sampleProfile(4, 2);
  const error = t.throws(() => encodeProfile({ ...profile, friends: [profile.friends[0]!, profile.friends[0]!] }), { instanceOf: ProfileError });
  t.is(error?.code, 'invalid-value');
  t.throws(() => encodeProfile({ ...profile, statusMessage: new Uint8Array(1008) }), { instanceOf: ProfileError, message: /status message/ });
  t.throws(() => newProfile(new Uint8Array(31), 0), { instanceOf: ProfileError, message: /secret key/ });
});

test('decodeProfile fails only with ProfileError', (t) => {
  fuzzParser(t, {
    parse: decodeProfile,
    errors: [ProfileError],
    samples: [encodeProfile(sampleProfile(5, 1)), encodeProfile(newProfile(seededKey(6, 0), 1))],
    runs: 500,
  });
});

/* ---- c-toxcore savedata ---- */

const written = JSON.parse(readFileSync(new URL('../vectors/savedata-written.json', import.meta.url), 'utf8')) as {
  vectors: { name: string; expected: { savedata: string } }[];
};

test('a c-toxcore save imported as a profile exports back to the same bytes', (t) => {
  for (const v of written.vectors) {
    const bytes = fromHex(v.expected.savedata);
    const profile = profileFromToxSave(decodeToxSave(bytes));
    t.is(toHex(encodeToxSave(toxSaveFromProfile(profile))), v.expected.savedata, v.name);
    t.deepEqual(decodeProfile(encodeProfile(profile)), profile, v.name);
  }
});

test('export keeps identity and friends; friends\' DHT keys and relays have no place in c-toxcore\'s format', (t) => {
  const profile = sampleProfile(7, 8);
  const back = profileFromToxSave(decodeToxSave(encodeToxSave(toxSaveFromProfile(profile))));
  t.deepEqual(back, {
    ...profile,
    friends: profile.friends.map(({ dhtPublicKey: _, ...f }) => (f.request !== undefined
      ? { ...f, name: new Uint8Array(0), statusMessage: new Uint8Array(0), userStatus: 0, lastSeen: 0n, relays: [] }
      : { ...f, relays: [] })),
  });
});

/* ---- the file ---- */

test('writeProfileFile writes a file only its owner reads, leaves no temporary file, and reads back', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'me.profile');
  const profile = sampleProfile(8, 5);
  await writeProfileFile(path, profile);
  t.deepEqual(await readProfileFile(path), profile);
  t.is(statSync(path).mode & 0o777, 0o600);
  t.deepEqual(readdirSync(dir), ['me.profile']);
  await writeProfileFile(path, sampleProfile(9, 1));
  t.deepEqual(await readProfileFile(path), sampleProfile(9, 1), 'replaced');
  t.deepEqual(readdirSync(dir), ['me.profile']);
});

test('reading: a missing file, a directory and an oversized file are ProfileErrors', async (t) => {
  const dir = tempDir(t);
  t.is((await t.throwsAsync(readProfileFile(join(dir, 'none')), { instanceOf: ProfileError }))?.code, 'not-found');
  t.is((await t.throwsAsync(readProfileFile(dir), { instanceOf: ProfileError }))?.code, 'read-failed');
  const big: ProfileFs = { ...nodeProfileFs, readFile: (p) => nodeProfileFs.readFile(p, 10) };
  writeFileSync(join(dir, 'p'), encodeProfile(sampleProfile(1)));
  t.is((await t.throwsAsync(readProfileFile(join(dir, 'p'), { fs: big }), { instanceOf: ProfileError }))?.code, 'too-large');
});

/** A file system that fails one step of a write: `write` writes half the bytes first, like a full disk. */
function failing(step: 'write' | 'rename' | 'sync-directory'): ProfileFs {
  return {
    ...nodeProfileFs,
    async writeNew(path, data) {
      if (step !== 'write') return nodeProfileFs.writeNew(path, data);
      await nodeProfileFs.writeNew(path, data.subarray(0, data.length >> 1));
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    },
    async rename(from, to) {
      if (step === 'rename') throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
      return nodeProfileFs.rename(from, to);
    },
    async syncDirectory(dir) {
      if (step === 'sync-directory') throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
      return nodeProfileFs.syncDirectory(dir);
    },
  };
}

test('a write that fails half way or at the rename leaves the old file, loadable, and no temporary file', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'me.profile');
  const old = sampleProfile(10, 20);
  await writeProfileFile(path, old);
  for (const step of ['write', 'rename'] as const) {
    const error = await t.throwsAsync(writeProfileFile(path, sampleProfile(11, 20), { fs: failing(step) }), { instanceOf: ProfileError });
    t.is(error?.code, 'write-failed', step);
    t.regex(error?.message ?? '', /previous file, if any, is unchanged/, step);
    t.deepEqual(await readProfileFile(path), old, `${step}: the old profile is intact`);
    t.deepEqual(readdirSync(dir), ['me.profile'], `${step}: the temporary file is gone`);
  }
});

test('a failed directory flush is reported, and the new file is already in place', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'me.profile');
  await writeProfileFile(path, sampleProfile(12));
  const error = await t.throwsAsync(writeProfileFile(path, sampleProfile(13), { fs: failing('sync-directory') }), { instanceOf: ProfileError });
  t.is(error?.code, 'write-failed');
  t.regex(error?.message ?? '', /directory could not be flushed/);
  t.deepEqual(await readProfileFile(path), sampleProfile(13));
});

test('a writer killed with SIGKILL in the middle of writes always leaves a whole profile', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'me.profile');
  const child = new URL('./profile-writer-child.ts', import.meta.url).pathname;
  const expected = [encodeProfile(sampleProfile(1, CRASH_TEST_FRIENDS)), encodeProfile(sampleProfile(2, CRASH_TEST_FRIENDS))];
  const ROUNDS = 4;
  let caughtMidWrite = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const proc = spawn(process.execPath, ['--import=tsx', child, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = proc.pid;
    if (pid === undefined) return t.fail('no pid');
    t.teardown(() => { if (proc.exitCode === null && proc.signalCode === null) process.kill(pid, 'SIGKILL'); });
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`writer not ready in 30 s: ${stderr}`)), 30_000);
      proc.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready')) { clearTimeout(timer); resolve(); } });
      proc.once('exit', () => { clearTimeout(timer); reject(new Error(`writer exited early: ${stderr}`)); });
    });
    // Let it write a few more times, then kill it wherever it is: in a write, a flush, a rename.
    await new Promise((resolve) => setTimeout(resolve, 20 + round * 37));
    process.kill(pid, 'SIGKILL');
    await exited;
    t.is(proc.signalCode, 'SIGKILL', `round ${round}: killed, not finished`);
    const bytes = readFileSync(path);
    t.true(expected.some((e) => e.length === bytes.length && Buffer.from(e).equals(bytes)), `round ${round}: the file is one whole profile`);
    t.is(decodeProfile(bytes).friends.length, CRASH_TEST_FRIENDS);
    // A writer killed in a write leaves its temporary file behind; the profile is unaffected by it.
    const leftovers = readdirSync(dir).filter((name) => name !== 'me.profile');
    if (leftovers.length > 0) caughtMidWrite++;
    for (const name of leftovers) rmSync(join(dir, name));
  }
  t.log(`${caughtMidWrite} of ${ROUNDS} kills landed inside a write (a temporary file was left)`);
});

/* ---- c-toxcore save files ---- */

test('export to and import from a c-toxcore save file; an encrypted one is refused', async (t) => {
  const dir = tempDir(t);
  const profile = sampleProfile(14, 3);
  await exportToxSaveFile(join(dir, 'profile.tox'), profile);
  const back = await importToxSaveFile(join(dir, 'profile.tox'));
  t.is(toHex(back.secretKey), toHex(profile.secretKey));
  t.deepEqual(back.friends.map((f) => toHex(f.publicKey)), profile.friends.map((f) => toHex(f.publicKey)));
  writeFileSync(join(dir, 'locked.tox'), new Uint8Array([...te.encode('toxEsave'), ...new Uint8Array(100)]));
  const error = await t.throwsAsync(importToxSaveFile(join(dir, 'locked.tox')), { instanceOf: ToxSaveError });
  t.is(error?.code, 'encrypted');
});
