import test from 'ava';
import { SLAB_MAX_TAKE, SLAB_SIZE, slabBytes, slabCopy } from '../../src/wire/index.ts';

test('slabBytes: zero-filled views that never overlap, across slab boundaries', (t) => {
  const views: Uint8Array[] = [];
  let total = 0;
  while (total < 3 * SLAB_SIZE) {
    const length = 1 + (views.length * 37) % SLAB_MAX_TAKE;
    const v = slabBytes(length);
    t.is(v.length, length);
    t.true(v.every((b) => b === 0), 'zero-filled');
    v.fill(0xa5);
    views.push(v);
    total += length;
  }
  // Every view still holds only what was written into it: none was handed out twice.
  t.true(views.every((v) => v.every((b) => b === 0xa5)));
  const shared = views.filter((v) => v.buffer.byteLength === SLAB_SIZE);
  t.true(shared.length === views.length, 'all came from slabs');
  for (const v of shared) t.true(v.byteOffset + v.length <= SLAB_SIZE);
});

test('slabBytes: a request over SLAB_MAX_TAKE gets an array of its own; slabCopy copies', (t) => {
  const big = slabBytes(SLAB_MAX_TAKE + 1);
  t.is(big.byteOffset, 0);
  t.is(big.buffer.byteLength, SLAB_MAX_TAKE + 1);
  const source = Uint8Array.from({ length: 100 }, (_, i) => i);
  const copy = slabCopy(source);
  t.deepEqual(copy, source);
  source[0] = 99;
  t.is(copy[0], 0, 'a copy, not a view of the source');
});
