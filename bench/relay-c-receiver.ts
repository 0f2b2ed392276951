/**
 * The receiving toxlink end of bench/relay-c.ts's two-process figures, run as a child
 * (`child_process.fork`) so that sender and receiver each have their own event loop, as each
 * C peer has its own process: a TcpRelayClient to the relay given in argv (port, key in hex)
 * with a NetCrypto node on top (bench/relay-c-ends.ts `toxlinkEnd`). It accepts one session,
 * counts the transfer payloads that arrive on it, echoes pings, and talks to its parent over
 * the IPC channel:
 *
 *   child → parent  {type: 'ready', real, dht}       (keys in hex) at once
 *                   {type: 'connected'}                once the session is established
 *                   {type: 'begun'}                    after 'begin'
 *                   {type: 'report', count, drops}     after 'end'
 *                   {type: 'error', message}
 *   parent → child  {type: 'peer', dht}  route to the sender's DHT key
 *                   {type: 'begin'}      start counting
 *                   {type: 'end'}        stop and report
 *                   {type: 'quit'}       close and exit
 *
 * It exits when the parent goes away (IPC disconnect), and after 10 minutes in any case.
 *
 * @module
 */
import type { CryptoConnection } from '../src/netcrypto/index.ts';
import { fromHex, toHex } from '../src/wire/index.ts';
import { type CountReport, LosslessCounter, echoPings } from './netcrypto-end.ts';
import { toxlinkEnd } from './relay-c-ends.ts';

const LIFETIME_MS = 10 * 60 * 1000;

/** What the child reports at 'end'. */
export interface ReceiverReport {
  readonly type: 'report';
  readonly count: CountReport;
  /** Payloads that arrived twice (sent again though they had arrived), during the count. */
  readonly duplicates: number;
  readonly errors: string[];
}

if (process.send === undefined) {
  console.error('bench/relay-c-receiver.ts runs as a child of bench/relay-c.ts');
  process.exit(2);
}
const send = (message: object): void => {
  process.send?.(message);
};
setTimeout(() => process.exit(3), LIFETIME_MS).unref();
process.on('disconnect', () => process.exit(0));

const [port, keyHex] = process.argv.slice(2);
const end = toxlinkEnd({ address: { host: '127.0.0.1', port: Number(port) }, publicKey: fromHex(keyHex ?? '') });
const counter = new LosslessCounter();
let conn: CryptoConnection | undefined;
let duplicatesBefore = 0;
const duplicates = (): number => (conn?.stats.dropped.toJSON() as Record<string, number> | undefined)?.['duplicate'] ?? 0;
end.nc.on('connection', (c) => {
  if (conn !== undefined) return;
  conn = c;
  counter.attach(c);
  echoPings(c);
  c.established().then(() => send({ type: 'connected' }), (e: unknown) => send({ type: 'error', message: String(e) }));
});
process.on('message', (m: { type?: string; dht?: string }) => {
  if (m.type === 'peer' && m.dht !== undefined) {
    const peer = fromHex(m.dht);
    const ask = (): void => void end.client.routingRequest(peer);
    if (end.client.state === 'connected') ask();
    else end.client.on('connected', ask);
  } else if (m.type === 'begin') {
    duplicatesBefore = duplicates();
    counter.begin();
    send({ type: 'begun' });
  } else if (m.type === 'end') {
    const report: ReceiverReport = { type: 'report', count: counter.end(), duplicates: duplicates() - duplicatesBefore, errors: [...end.errors] };
    send(report);
  } else if (m.type === 'quit') {
    end.close();
    setTimeout(() => process.exit(0), 100);
  }
});
send({ type: 'ready', real: toHex(end.real.publicKey), dht: toHex(end.dht.publicKey) });
