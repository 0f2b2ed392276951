/**
 * Every box backend this machine has (sodium-native when installed, libsodium-wrappers
 * always) passes the same known answers and gives the same bytes as the other.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { boxBackends, cryptoBackend, precompute, randomBytes, randomNonce, MAC_SIZE } from '../../src/crypto/index.ts';
import { fromHex, toHex } from '../../src/wire/index.ts';

interface NaclVector {
  name: string;
  input: { secret_key: string; public_key: string; nonce: string; plaintext: string };
  expected: { shared_key: string; box: string };
}
const suite = JSON.parse(readFileSync(new URL('../vectors/nacl-box.json', import.meta.url), 'utf8')) as { vectors: NaclVector[] };

test('the backend in use is the first listed, and libsodium-wrappers is always there', (t) => {
  t.is(boxBackends[0]!.name, cryptoBackend);
  t.true(boxBackends.some((b) => b.name === 'libsodium-wrappers'));
  if (process.env['TOXLINK_CRYPTO'] === 'wasm') t.is(cryptoBackend, 'libsodium-wrappers');
  t.log(`backends here: ${boxBackends.map((b) => b.name).join(', ')}`);
});

for (const backend of boxBackends) {
  test(`${backend.name}: the nacl-box known answers seal and open`, (t) => {
    t.true(suite.vectors.length > 0);
    for (const v of suite.vectors) {
      const key = fromHex(v.expected.shared_key);
      t.deepEqual(precompute(fromHex(v.input.public_key), fromHex(v.input.secret_key)), key, v.name);
      const plain = fromHex(v.input.plaintext);
      const nonce = fromHex(v.input.nonce);
      t.is(toHex(backend.seal(key, nonce, plain)), v.expected.box, v.name);
      const into = new Uint8Array(plain.length + MAC_SIZE);
      backend.sealInto(into, key, nonce, plain);
      t.is(toHex(into), v.expected.box, `${v.name} (sealInto)`);
      t.deepEqual(backend.open(key, nonce, fromHex(v.expected.box)), plain, v.name);
      const bad = fromHex(v.expected.box);
      bad[bad.length - 1]! ^= 1;
      t.is(backend.open(key, nonce, bad), undefined, `${v.name}: a flipped bit does not open`);
      const opened = new Uint8Array(plain.length);
      t.true(backend.openInto(opened, key, nonce, fromHex(v.expected.box)), `${v.name} (openInto)`);
      t.deepEqual(opened, plain, `${v.name} (openInto)`);
      t.false(backend.openInto(new Uint8Array(plain.length), key, nonce, bad), `${v.name}: openInto refuses a flipped bit`);
    }
  });
}

test('all backends give identical boxes for random keys, nonces and lengths up to 1400', (t) => {
  for (let i = 0; i < 200; i++) {
    const key = randomBytes(32);
    const nonce = randomNonce();
    const plain = randomBytes(1 + (i * 7) % 1400);
    const boxes = boxBackends.map((b) => toHex(b.seal(key, nonce, plain)));
    t.true(boxes.every((b) => b === boxes[0]));
    for (const b of boxBackends) {
      t.deepEqual(b.open(key, nonce, fromHex(boxes[0]!)), plain);
      const out = new Uint8Array(plain.length);
      t.true(b.openInto(out, key, nonce, fromHex(boxes[0]!)));
      t.deepEqual(out, plain);
    }
  }
});
