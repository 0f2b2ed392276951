/**
 * The child process of profile.test.ts's crash test: writes two large profiles to the path
 * it is given, alternately, until it is killed (or after a bounded number of writes). The
 * files are encoded once, up front, so that the child spends its time inside the atomic
 * write (temp file, fsync, rename, directory fsync) where a kill matters. Prints `ready`
 * once the first write is complete.
 *
 *   node --import=tsx test/messenger/profile-writer-child.ts PATH
 */
import { encodeProfile, writeFileAtomically } from '../../src/messenger/index.ts';
import { CRASH_TEST_FRIENDS, sampleProfile } from './profile-fixtures.ts';

/** Bounds the child if nobody kills it. */
const MAX_WRITES = 2000;

const path = process.argv[2];
if (path === undefined) throw new Error('usage: profile-writer-child.ts PATH');
const files = [encodeProfile(sampleProfile(1, CRASH_TEST_FRIENDS)), encodeProfile(sampleProfile(2, CRASH_TEST_FRIENDS))];
for (let i = 0; i < MAX_WRITES; i++) {
  await writeFileAtomically(path, files[i % 2]!);
  if (i === 0) process.stdout.write('ready\n');
}
