/**
 * An `onChannelRequest` handler may decline with a reason of its own ({reason}), at once
 * or from a promise; the friend's `connectDevice` rejects with `declined` and that reason.
 * Over an in-memory link, in simulated time.
 */
import test from 'ava';
import { isMuxError, type MuxError } from '../../src/mux/index.ts';
import { memoryPair, settle } from './helpers.ts';

test('a handler declines with its own reason, sync or async; long reasons are cut to maxReasonBytes', async (t) => {
  const { clock, alice, bob } = memoryPair({ config: { maxReasonBytes: 32 } });
  bob.manager.onChannelRequest(({ uri }) => {
    if (uri === 'sync') return { reason: 'unknown-service: sync' };
    if (uri === 'async') return Promise.resolve({ reason: 'busy: try later' });
    if (uri === 'long') return { reason: 'x'.repeat(100) };
    if (uri === 'empty') return { reason: '' };
    return true;
  });
  const declined = async (uri: string): Promise<MuxError> => {
    const error = await t.throwsAsync(settle(clock, alice.manager.connectDevice(bob.key, uri)));
    t.true(isMuxError(error, 'declined'), String(error));
    return error as MuxError;
  };
  t.is((await declined('sync')).remoteReason, 'unknown-service: sync');
  t.is((await declined('async')).remoteReason, 'busy: try later');
  t.is((await declined('long')).remoteReason, 'x'.repeat(32));
  t.is((await declined('empty')).remoteReason, 'refused', 'an empty reason is the default one');
  const socket = await settle(clock, alice.manager.connectDevice(bob.key, 'yes'));
  t.is(socket.uri, 'yes');
  socket.destroy();
});
