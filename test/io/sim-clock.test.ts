import test from 'ava';
import fc from 'fast-check';
import { ClockError, RunawayTimersError, SimClock, type Timer } from '../../src/io/index.ts';

test('timers fire in due order, ties in the order they were set', (t) => {
  const clock = new SimClock();
  const order: string[] = [];
  clock.setTimer(30, () => order.push('c'));
  clock.setTimer(10, () => order.push('a1'));
  clock.setTimer(20, () => order.push('b'));
  clock.setTimer(10, () => order.push('a2'));
  clock.setTimerAt(10, () => order.push('a3'));
  t.is(clock.advance(30), 5);
  t.deepEqual(order, ['a1', 'a2', 'a3', 'b', 'c']);
  t.is(clock.now(), 30);
});

test('a timer sees its own due time as now, and the clock ends at the target', (t) => {
  const clock = new SimClock({ startMs: 1000 });
  const seen: number[] = [];
  clock.setTimer(5, () => seen.push(clock.now()));
  clock.setTimer(-3, () => seen.push(clock.now()));
  clock.advance(100);
  t.deepEqual(seen, [1000, 1005]);
  t.is(clock.now(), 1100);
});

test('timers set by timers inside the window fire in the same advance', (t) => {
  const clock = new SimClock();
  const order: string[] = [];
  clock.setTimer(10, () => {
    order.push('first');
    clock.setTimer(0, () => order.push('zero-delay child'));
    clock.setTimer(5, () => order.push('child at 15'));
    clock.setTimer(50, () => order.push('child at 60'));
  });
  clock.setTimer(10, () => order.push('sibling'));
  clock.advance(20);
  t.deepEqual(order, ['first', 'sibling', 'zero-delay child', 'child at 15']);
  clock.advance(40);
  t.deepEqual(order.at(-1), 'child at 60');
});

test('a cancelled timer never fires; cancelling twice or after firing does nothing', (t) => {
  const clock = new SimClock();
  let fired = 0;
  const a = clock.setTimer(10, () => fired++);
  const b = clock.setTimer(10, () => (fired += 10));
  a.cancel();
  a.cancel();
  t.is(clock.pending, 1);
  clock.advance(10);
  t.is(fired, 10);
  b.cancel();
  t.is(clock.pending, 0);
  t.is(clock.nextDue(), undefined);
});

test('a timer can cancel a later timer due at the same instant', (t) => {
  const clock = new SimClock();
  const order: string[] = [];
  let later: Timer | undefined;
  clock.setTimer(10, () => {
    order.push('a');
    later?.cancel();
  });
  later = clock.setTimer(10, () => order.push('b'));
  clock.advance(10);
  t.deepEqual(order, ['a']);
});

test('a timer loop trips the bound with a typed error', (t) => {
  const clock = new SimClock({ maxTimersPerRun: 1000 });
  const loop = (): void => {
    clock.setTimer(0, loop);
  };
  clock.setTimer(0, loop);
  const error = t.throws(() => clock.advance(1), { instanceOf: RunawayTimersError });
  t.is(error?.limit, 1000);
  t.is(error?.code, 'ERR_IO_RUNAWAY_TIMERS');
});

test('time never goes backwards and a run cannot nest', (t) => {
  const clock = new SimClock();
  clock.advance(10);
  t.throws(() => clock.advanceTo(5), { instanceOf: ClockError });
  t.throws(() => clock.advance(-1), { instanceOf: ClockError });
  t.throws(() => clock.advance(Number.NaN), { instanceOf: ClockError });
  let nested: unknown;
  clock.setTimer(1, () => {
    try {
      clock.advance(1);
    } catch (error) {
      nested = error;
    }
  });
  clock.advance(1);
  t.true(nested instanceof ClockError);
});

test('the pending-timer bound is enforced', (t) => {
  const clock = new SimClock({ maxPendingTimers: 3 });
  for (let i = 0; i < 3; i++) clock.setTimer(i, () => undefined);
  t.throws(() => clock.setTimer(1, () => undefined), { instanceOf: ClockError });
});

test('an exception from a timer reaches the caller and leaves the clock usable', (t) => {
  const clock = new SimClock();
  let after = 0;
  clock.setTimer(5, () => {
    throw new Error('boom');
  });
  clock.setTimer(7, () => after++);
  t.throws(() => clock.advance(10), { message: 'boom' });
  t.is(clock.now(), 5);
  clock.advance(5);
  t.is(after, 1);
  t.is(clock.now(), 10);
});

test('runUntilIdle stops at the last timer, or at the limit with periodic timers', (t) => {
  const clock = new SimClock();
  clock.setTimer(250, () => clock.setTimer(250, () => undefined));
  t.is(clock.runUntilIdle(), 2);
  t.is(clock.now(), 500);
  t.is(clock.pending, 0);
  let ticks = 0;
  const tick = (): void => {
    ticks++;
    clock.setTimer(100, tick);
  };
  clock.setTimer(100, tick);
  clock.runUntilIdle(1000);
  t.is(ticks, 10);
  t.is(clock.now(), 1500);
  t.is(clock.pending, 1);
});

test('advanceAsync lets promise continuations run at the virtual time they were settled', async (t) => {
  const clock = new SimClock();
  const seen: number[] = [];
  const settled = new Promise<void>((resolve) => {
    clock.setTimer(100, () => {
      clock.requestYield();
      resolve();
    });
  });
  void settled.then(async () => {
    await Promise.resolve();
    seen.push(clock.now());
    clock.setTimer(50, () => seen.push(clock.now()));
  });
  await clock.advanceAsync(1000);
  t.deepEqual(seen, [100, 150]);
  t.is(clock.now(), 1000);
});

test('1000 periodic 1 s timers over 10 simulated minutes fire exactly 600,000 times', (t) => {
  const clock = new SimClock();
  let fired = 0;
  for (let i = 0; i < 1000; i++) {
    const tick = (): void => {
      fired++;
      clock.setTimer(1000, tick);
    };
    clock.setTimer(1000, tick);
  }
  t.is(clock.advance(600_000), 600_000);
  t.is(fired, 600_000);
  t.is(clock.now(), 600_000);
  t.is(clock.pending, 1000);
});

/** The obviously-correct model: a list sorted on every step. */
interface ModelTimer {
  due: number;
  seq: number;
  live: boolean;
}

test('the heap fires exactly what a sorted-list model fires, in the same order', (t) => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), delay: fc.integer({ min: -5, max: 60 }) }),
    fc.record({ kind: fc.constant('cancel' as const), index: fc.nat() }),
    fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const clock = new SimClock();
      const handles: Timer[] = [];
      const model: ModelTimer[] = [];
      const fired: number[] = [];
      const expected: number[] = [];
      let now = 0;
      for (const o of ops) {
        if (o.kind === 'set') {
          const seq = model.length;
          handles.push(clock.setTimer(o.delay, () => fired.push(seq)));
          model.push({ due: now + Math.max(0, o.delay), seq, live: true });
        } else if (o.kind === 'cancel' && handles.length > 0) {
          const i = o.index % handles.length;
          handles[i]?.cancel();
          (model[i] as ModelTimer).live = false;
        } else if (o.kind === 'advance') {
          clock.advance(o.ms);
          now += o.ms;
          const due = model.filter((m) => m.live && m.due <= now).sort((a, b) => a.due - b.due || a.seq - b.seq);
          for (const m of due) {
            m.live = false;
            expected.push(m.seq);
          }
        }
      }
      t.deepEqual(fired, expected);
      return true;
    }),
    { numRuns: 300, seed: 7 },
  );
});

test('many cancellations compact the heap without losing live timers', (t) => {
  const clock = new SimClock();
  const handles: Timer[] = [];
  const fired: number[] = [];
  for (let i = 0; i < 5000; i++) handles.push(clock.setTimer(i % 97, () => fired.push(i)));
  for (let i = 0; i < 5000; i++) if (i % 5 !== 0) handles[i]?.cancel();
  t.is(clock.pending, 1000);
  clock.advance(100);
  const expected = [...Array(1000).keys()].map((k) => k * 5).sort((a, b) => (a % 97) - (b % 97) || a - b);
  t.deepEqual(fired, expected);
});
