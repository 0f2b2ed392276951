import test from 'ava';
import { SystemClock } from '../../src/io/index.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('now() is monotonic milliseconds', async (t) => {
  const clock = new SystemClock();
  const a = clock.now();
  await sleep(15);
  const b = clock.now();
  t.true(b - a >= 10);
  t.true(b - a < 1000);
});

test('timers fire after their delay, in due order, ties in the order set', async (t) => {
  const clock = new SystemClock();
  const order: string[] = [];
  const start = clock.now();
  let firedAt = 0;
  clock.setTimer(30, () => {
    order.push('late');
    firedAt = clock.now();
  });
  clock.setTimer(10, () => order.push('tie-1'));
  clock.setTimer(10, () => order.push('tie-2'));
  clock.setTimer(-5, () => order.push('now'));
  await sleep(80);
  t.deepEqual(order, ['now', 'tie-1', 'tie-2', 'late']);
  t.true(firedAt - start >= 29);
  t.is(clock.pending, 0);
});

test('a cancelled timer does not fire and does not keep the clock armed', async (t) => {
  const clock = new SystemClock();
  let fired = false;
  const timer = clock.setTimer(10, () => (fired = true));
  timer.cancel();
  timer.cancel();
  t.is(clock.pending, 0);
  await sleep(30);
  t.false(fired);
});

test('an unref clock still fires while the process is alive', async (t) => {
  const clock = new SystemClock({ unref: true });
  const fired = await new Promise<boolean>((resolve) => {
    clock.setTimer(5, () => resolve(true));
    setTimeout(() => resolve(false), 200);
  });
  t.true(fired);
});

test('long timers due within one 10 ms slot share one wakeup at the end of the slot: never before their due time, in due order', async (t) => {
  const clock = new SystemClock();
  const fired: Array<{ name: string; at: number; due: number }> = [];
  const start = clock.now();
  // A grid slot about 250 ms ahead; three timers due inside it, each long enough to be stretched.
  const slot = Math.ceil((start + 250) / 10) * 10;
  for (const [name, offset] of [['b', 3], ['a', 1], ['c', 6]] as const) {
    const due = slot + offset;
    clock.setTimer(due - start, () => fired.push({ name, at: clock.now(), due }));
  }
  await sleep(450);
  t.deepEqual(fired.map((f) => f.name), ['a', 'b', 'c']);
  for (const f of fired) t.true(f.at >= f.due, `${f.name} ran before its due time`);
  // All three at the end of the slot (the shared wakeup; setTimeout may round down by up to 1 ms).
  for (const f of fired) t.true(f.at >= slot + 10 - 1, `${f.name} ran at ${(f.at - slot).toFixed(1)} ms into the slot, before its end`);
});

test.serial('a short timer set while a long one waits for the end of its slot re-arms the clock instead of waiting for the slot', (t) => {
  // The clock's time and setTimeout are stood in for, so the arming is seen exactly.
  let now = 1000.5;
  const realNow = performance.now;
  const realSetTimeout = globalThis.setTimeout;
  const waits: number[] = [];
  performance.now = () => now;
  globalThis.setTimeout = ((_fn: () => void, ms: number) => {
    waits.push(ms);
    return realSetTimeout(() => {}, 0);
  }) as typeof setTimeout;
  try {
    const clock = new SystemClock();
    clock.setTimer(250.5, () => {}); // due 1251: stretched to the slot's end, 1260
    now = 1250;
    clock.setTimer(3, () => {}); // due 1253, before the wakeup at 1260
    t.deepEqual(waits, [260, 1], 'armed again, for the long timer\'s own due time 1251');
  } finally {
    performance.now = realNow;
    globalThis.setTimeout = realSetTimeout;
  }
});
