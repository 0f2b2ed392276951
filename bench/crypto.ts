/**
 * Crypto throughput: toxlink (libsodium-wrappers, WebAssembly) against c-toxcore 0.2.18's
 * own functions (native libsodium) on the same workload, in the same run. One JSON line per
 * figure on stdout: {name, impl, value, unit, seconds}. c-toxcore's side is built from
 * bench/c/crypto-bench.c against the Debian libtoxcore.a when it is installed; otherwise a
 * line with "skipped" says why.
 *
 * Run: npm run bench    (or: node --import=tsx bench/crypto.ts [seconds-per-figure])
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { decryptPrecomputed, encryptPrecomputed, generateKeyPair, incrementNonce, precompute } from '../src/crypto/index.ts';

const budget = Number(process.argv[2] ?? 1);
const PACKET = 1400;

function emit(name: string, ops: number, seconds: number, unit: string, impl = 'toxlink'): void {
  console.log(JSON.stringify({ name, impl, value: Math.round(ops / seconds), unit, seconds: Number(seconds.toFixed(3)) }));
}

function timed(batch: number, op: () => void): [number, number] {
  let n = 0;
  const start = performance.now();
  let t = 0;
  do {
    for (let i = 0; i < batch; i++, n++) op();
    t = (performance.now() - start) / 1000;
  } while (t < budget);
  return [n, t];
}

const a = generateKeyPair(), b = generateKeyPair();
const key = precompute(b.publicKey, a.secretKey)!;
const nonce = new Uint8Array(24);
const plain = new Uint8Array(PACKET).fill(0x5a);

// Warm up the WebAssembly code before timing it.
timed(256, () => decryptPrecomputed(key, nonce, encryptPrecomputed(key, nonce, plain)));

{
  const [n, t] = timed(256, () => {
    incrementNonce(nonce);
    const box = encryptPrecomputed(key, nonce, plain);
    if (decryptPrecomputed(key, nonce, box)?.length !== PACKET) throw new Error('round trip failed');
  });
  emit('box+open 1400 B, precomputed key', n, t, 'packets/s');
  emit('box+open 1400 B, precomputed key', (n * PACKET) / 2 ** 20, t, 'MiB/s');
}
{
  const [n, t] = timed(64, () => precompute(b.publicKey, a.secretKey));
  emit('beforenm (precompute)', n, t, 'ops/s');
}

// c-toxcore, same workload.
const here = fileURLToPath(new URL('.', import.meta.url));
const source = join(here, 'c', 'crypto-bench.c');
const binary = join(here, 'c', 'build', 'crypto-bench');
const lib = '/usr/lib/x86_64-linux-gnu/libtoxcore.a';
try {
  if (!existsSync(lib)) throw new Error(`${lib} not found (apt-get install libtoxcore-dev)`);
  if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs) {
    mkdirSync(join(here, 'c', 'build'), { recursive: true });
    execFileSync('cc', ['-O2', '-o', binary, source, lib, '-lsodium', '-lpthread', '-lm'], { stdio: 'inherit', timeout: 60_000 });
  }
  process.stdout.write(execFileSync(binary, [String(budget)], { timeout: 60_000 + budget * 10_000 }));
} catch (error) {
  console.log(JSON.stringify({ name: 'c-toxcore crypto', impl: 'c-toxcore-0.2.18', skipped: (error as Error).message.split('\n')[0] }));
}
