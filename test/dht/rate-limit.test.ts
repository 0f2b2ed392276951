import test from 'ava';
import fc from 'fast-check';
import { DhtError } from '../../src/dht/errors.ts';
import { RateLimiter } from '../../src/dht/rate-limit.ts';

const allowedCount = (rl: RateLimiter, source: string, now: number, tries: number) => {
  let n = 0;
  for (let i = 0; i < tries; i++) if (rl.allow(source, now)) n++;
  return n;
};

test('a burst, then one token every 1000/rate ms, exactly', (t) => {
  const rl = new RateLimiter({ ratePerSecond: 10, burst: 5, maxSources: 8 });
  t.is(allowedCount(rl, 'a', 0, 20), 5);
  t.is(rl.denied, 15);
  t.false(rl.allow('a', 99), '0.99 of a token');
  t.true(rl.allow('a', 100), 'a whole token at 100 ms');
  t.false(rl.allow('a', 100));
  t.is(allowedCount(rl, 'a', 350, 10), 2, '2.5 tokens earned since 100 ms: two requests, half a token left');
  t.true(rl.allow('a', 400), 'the half token left plus 0.5 more');
});

test('refill stops at the burst', (t) => {
  const rl = new RateLimiter({ ratePerSecond: 10, burst: 3, maxSources: 8 });
  allowedCount(rl, 'a', 0, 3);
  t.is(allowedCount(rl, 'a', 3_600_000, 10), 3);
});

test('fractional rates', (t) => {
  const rl = new RateLimiter({ ratePerSecond: 0.5, burst: 1, maxSources: 8 });
  t.true(rl.allow('a', 0));
  t.false(rl.allow('a', 1999));
  t.true(rl.allow('a', 2000));
});

test('sources are independent', (t) => {
  const rl = new RateLimiter({ ratePerSecond: 1, burst: 2, maxSources: 8 });
  t.is(allowedCount(rl, 'a', 0, 5), 2);
  t.is(allowedCount(rl, 'b', 0, 5), 2);
});

test('time going backwards earns nothing', (t) => {
  const rl = new RateLimiter({ ratePerSecond: 10, burst: 1, maxSources: 8 });
  t.true(rl.allow('a', 10_000));
  t.false(rl.allow('a', 0));
  t.false(rl.allow('a', 10_099), 'the clock did not restart at 0');
  t.true(rl.allow('a', 10_100));
});

test('the source table is bounded; the least recently seen source gives way', (t) => {
  const rl = new RateLimiter({ ratePerSecond: 1, burst: 1, maxSources: 3 });
  rl.allow('a', 0);
  rl.allow('b', 0);
  rl.allow('c', 0);
  t.false(rl.allow('a', 1), 'a is now the most recently seen');
  rl.allow('d', 2); // b gives way
  t.is(rl.size, 3);
  t.false(rl.allow('c', 3), 'c was kept: still empty');
  t.true(rl.allow('b', 3), 'b was forgotten: it comes back with a full bucket');
  for (let i = 0; i < 1000; i++) rl.allow(`s${i}`, 4);
  t.is(rl.size, 3);
});

test('prune drops sources whose bucket is full again', (t) => {
  const rl = new RateLimiter({ ratePerSecond: 10, burst: 2, maxSources: 8 });
  rl.allow('a', 0);
  rl.allow('a', 0);
  rl.allow('b', 150);
  t.is(rl.prune(199), 0);
  t.is(rl.prune(200), 1, 'a has earned its 2 tokens back by 200 ms');
  t.is(rl.prune(249), 0, 'b spent 1 at 150 ms: full at 250 ms');
  t.is(rl.prune(250), 1);
  t.is(rl.size, 0);
});

test('never more than burst + rate × elapsed for one source', (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 20 }), fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 300 }),
    (rate, burst, gaps) => {
      const rl = new RateLimiter({ ratePerSecond: rate, burst, maxSources: 4 });
      let now = 0, allowed = 0;
      for (const gap of gaps) {
        now += gap;
        if (rl.allow('x', now)) allowed++;
        if (allowed > burst + Math.floor((rate * now) / 1000)) return false;
      }
      return true;
    },
  ));
  t.pass();
});

test('options are checked', (t) => {
  t.throws(() => new RateLimiter({ ratePerSecond: 0, burst: 1, maxSources: 1 }), { instanceOf: DhtError });
  t.throws(() => new RateLimiter({ ratePerSecond: Infinity, burst: 1, maxSources: 1 }), { instanceOf: DhtError });
  t.throws(() => new RateLimiter({ ratePerSecond: 1, burst: 0.5, maxSources: 1 }), { instanceOf: DhtError });
  t.throws(() => new RateLimiter({ ratePerSecond: 1, burst: 1, maxSources: 0 }), { instanceOf: DhtError });
});
