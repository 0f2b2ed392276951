/**
 * `toxlink id` as a user runs it: the profile is made on first use under
 * `$XDG_CONFIG_HOME/toxlink/`, the Tox ID is valid and the same on every run, `--qr` draws
 * a QR code above it, `--json` gives one line, and `--import-tox` brings a c-toxcore save's
 * identity.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyPairFromSecretKey } from '../../src/crypto/index.ts';
import { formatToxId, fromHex, parseToxId } from '../../src/wire/index.ts';
import { renderQr, qrModules, toxUri } from '../../src/cli/qr.ts';
import { defaultProfilePath } from '../../src/cli/profile-path.ts';
import { json, toxlink } from './toxlink-child.ts';

test('prints a valid Tox ID, the same on every run, from a profile made on first use in the config directory', async (t) => {
  const config = mkdtempSync(join(tmpdir(), 'toxlink-id-cli-'));
  t.teardown(() => rmSync(config, { recursive: true, force: true }));
  const env = { XDG_CONFIG_HOME: config };
  const first = toxlink(t, ['id'], { env });
  t.is(await first.exited, 0);
  t.is(first.lines.length, 1);
  const id = first.lines[0]!;
  t.regex(id, /^[0-9A-F]{76}$/);
  t.notThrows(() => parseToxId(id));
  t.regex(first.stderr(), /made a new profile .*toxlink\/profile\.json/);
  const file = join(config, 'toxlink', 'profile.json');
  t.is(statSync(file).mode & 0o777, 0o600, 'the profile holds the secret key: owner only');
  t.is(statSync(join(config, 'toxlink')).mode & 0o777, 0o700);

  const again = toxlink(t, ['id'], { env });
  t.is(await again.exited, 0);
  t.deepEqual(again.lines, [id]);
  t.is(again.stderr().replace(/npm warn.*\n/g, ''), '', 'nothing said when the profile is only read');

  const asJson = toxlink(t, ['id', '--json'], { env });
  t.is(await asJson.exited, 0);
  t.like(json(asJson.lines[0]!), { toxId: id, publicKey: id.slice(0, 64), profile: file, origin: 'loaded' });

  const qr = toxlink(t, ['id', '--qr'], { env });
  t.is(await qr.exited, 0);
  t.is(qr.lines.at(-1), id);
  t.deepEqual(qr.lines.slice(0, -1), renderQr(toxUri(id)));
  t.true(qr.lines.length > 15 && qr.lines.slice(0, -1).every((l) => /^[█▀▄ ]+$/.test(l)));
});

test('--profile chooses the file; --import-tox brings a c-toxcore save and refuses to replace a profile', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'toxlink-id-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const vectors = JSON.parse(readFileSync(new URL('../vectors/savedata-written.json', import.meta.url), 'utf8')) as {
    vectors: Array<{ input: { secret_key: string; nospam: number }; expected: { savedata: string } }>;
  };
  const v = vectors.vectors[0]!;
  const save = join(dir, 'friend.tox');
  writeFileSync(save, fromHex(v.expected.savedata));
  const expected = formatToxId({ publicKey: keyPairFromSecretKey(fromHex(v.input.secret_key)).publicKey, nospam: v.input.nospam });

  const profile = join(dir, 'sub', 'imported.json');
  const imported = toxlink(t, ['id', '--profile', profile, '--import-tox', save]);
  t.is(await imported.exited, 0, imported.stderr());
  t.deepEqual(imported.lines, [expected]);
  t.regex(imported.stderr(), /imported the c-toxcore save into/);

  const loaded = toxlink(t, ['id', '--profile', profile]);
  t.is(await loaded.exited, 0);
  t.deepEqual(loaded.lines, [expected]);

  const twice = toxlink(t, ['id', '--profile', profile, '--import-tox', save]);
  t.is(await twice.exited, 1);
  t.regex(twice.stderr(), /^toxlink: a profile exists already at .*imported\.json; --import-tox would replace/m);
});

test('the default profile follows XDG_CONFIG_HOME, else ~/.config', (t) => {
  t.is(defaultProfilePath({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/u'), '/x/cfg/toxlink/profile.json');
  t.is(defaultProfilePath({}, '/home/u'), '/home/u/.config/toxlink/profile.json');
  t.is(defaultProfilePath({ XDG_CONFIG_HOME: 'relative' }, '/home/u'), '/home/u/.config/toxlink/profile.json');
});

test('the QR code is square, with a quiet zone, and holds the tox: URI', (t) => {
  const modules = qrModules('tox:ABC');
  t.true(modules.length >= 21 && modules.every((row) => row.length === modules.length));
  // The finder pattern: the top-left 7×7 has a dark border.
  t.true(modules[0]!.slice(0, 7).every(Boolean) && modules[6]!.slice(0, 7).every(Boolean));
  const lines = renderQr('tox:ABC');
  t.true(lines[0]!.split('').every((c) => c === '█'), 'the quiet zone is light');
  t.is(toxUri('AB'), 'tox:AB');
});
