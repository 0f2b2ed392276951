import test from 'ava';
import { Emitter } from '../../src/io/index.ts';

interface Events {
  tick: number;
  name: string;
  error: Error;
}

test('listeners run in the order they were added, each event with its own value; the returned function removes one', (t) => {
  const e = new Emitter<Events>();
  const seen: string[] = [];
  const off = e.on('tick', (n) => seen.push(`a${n}`));
  e.on('tick', (n) => seen.push(`b${n}`));
  e.on('name', (s) => seen.push(`name ${s}`));
  e.emit('tick', 1);
  e.emit('name', 'x');
  off();
  off();
  e.emit('tick', 2);
  t.deepEqual(seen, ['a1', 'b1', 'name x', 'b2']);
  t.true(e.has('tick'));
  t.false(e.has('error'));
});

test('a throwing listener becomes the error event, the others still run; an error listener that throws is dropped', (t) => {
  const e = new Emitter<Events>();
  const errors: string[] = [];
  const after: number[] = [];
  e.on('tick', () => {
    throw new Error('bad listener');
  });
  e.on('tick', (n) => after.push(n));
  e.on('error', (err) => {
    errors.push(err.message);
    throw new Error('bad error listener');
  });
  t.notThrows(() => e.emit('tick', 7));
  t.deepEqual(errors, ['bad listener']);
  t.deepEqual(after, [7]);
  // Not an Error: wrapped.
  e.on('name', () => {
    throw 'a string';
  });
  e.emit('name', 'n');
  t.deepEqual(errors, ['bad listener', 'a string']);
});

test('with a hook, what a listener threw goes to the hook with its event, not to the error event', (t) => {
  const hooked: Array<[string, keyof Events]> = [];
  const e = new Emitter<Events>((error, event) => hooked.push([error.message, event]));
  const errorEvents: Error[] = [];
  e.on('error', (err) => errorEvents.push(err));
  e.on('name', () => {
    throw new Error('oops');
  });
  e.emit('name', 'n');
  t.deepEqual(hooked, [['oops', 'name']]);
  t.deepEqual(errorEvents, []);
});

test('a listener added or removed during an emit takes effect from the next one', (t) => {
  const e = new Emitter<Events>();
  const seen: string[] = [];
  let offB: () => void = () => {};
  e.on('tick', (n) => {
    seen.push(`a${n}`);
    offB();
    e.on('tick', (m) => seen.push(`c${m}`));
  });
  offB = e.on('tick', (n) => seen.push(`b${n}`));
  e.emit('tick', 1);
  t.deepEqual(seen, ['a1', 'b1'], 'b removed and c added during the emit: this emit still calls b, not c');
  // A single listener that adds another: the new one runs from the next emit.
  const single = new Emitter<Events>();
  const got: number[] = [];
  let added = false;
  single.on('tick', (n) => {
    got.push(n);
    if (!added) {
      added = true;
      single.on('tick', (m) => got.push(m * 10));
    }
  });
  single.emit('tick', 1);
  single.emit('tick', 2);
  t.deepEqual(got, [1, 2, 20]);
});
