/**
 * The receiving toxlink node of bench/netcrypto.ts's two-process figures, run as a child
 * (`child_process.fork`) so that sender and receiver each have their own event loop and core.
 * It accepts one session, counts the transfer payloads that arrive on it, echoes pings, and
 * talks to its parent over the IPC channel:
 *
 *   child → parent  {type: 'ready', port, real, dht}   (keys in hex) once bound
 *                   {type: 'connected'}                  once the session is established
 *                   {type: 'begun'}                      after 'begin'
 *                   {type: 'report', ...}                after 'end'
 *   parent → child  {type: 'begin'}  start a measurement (counts, timeline, CPU, drops)
 *                   {type: 'end'}    end it and report
 *                   {type: 'quit'}   close and exit
 *
 * It exits when the parent goes away (IPC disconnect), and after 15 minutes in any case.
 *
 * @module
 */
import type { CryptoConnection } from '../src/netcrypto/index.ts';
import {
  LosslessCounter, cpuSeconds, dropDelta, echoPings, makeEndpoint, nodeOnly, sessionSnapshot, toHexString,
} from './netcrypto-end.ts';

const LIFETIME_MS = 15 * 60 * 1000;

/** What the child reports at 'end'. */
export interface ReceiverReport {
  readonly type: 'report';
  readonly count: import('./netcrypto-end.ts').CountReport;
  readonly cpuSeconds: number;
  readonly sessionDropped: Record<string, number>;
  readonly nodeDropped: Record<string, number>;
  readonly requestsSent: number;
  readonly packetsReceived: number;
  readonly errors: string[];
}

async function main(): Promise<void> {
  if (process.send === undefined) throw new Error('bench/netcrypto-receiver.ts runs as a child of bench/netcrypto.ts');
  const send = (message: object): void => {
    process.send?.(message);
  };
  setTimeout(() => process.exit(3), LIFETIME_MS).unref();
  process.on('disconnect', () => process.exit(0));

  const end = await makeEndpoint();
  const counter = new LosslessCounter();
  let conn: CryptoConnection | undefined;
  end.node.on('connection', (c) => {
    if (conn !== undefined) return;
    conn = c;
    counter.attach(c);
    echoPings(c);
    c.established().then(() => send({ type: 'connected' }), (e: unknown) => send({ type: 'error', message: String(e) }));
  });

  let base = { cpu: process.cpuUsage(), node: {} as Record<string, number> };
  let session: ReturnType<typeof sessionSnapshot> | undefined;
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'begin') {
      session = conn === undefined ? undefined : sessionSnapshot(conn);
      base = { cpu: process.cpuUsage(), node: { ...end.node.stats.dropped.toJSON() } as Record<string, number> };
      counter.begin();
      send({ type: 'begun' });
    } else if (m.type === 'end') {
      const count = counter.end();
      const cpu = cpuSeconds(base.cpu);
      const now = conn === undefined ? undefined : sessionSnapshot(conn);
      const report: ReceiverReport = {
        type: 'report',
        count,
        cpuSeconds: cpu,
        sessionDropped: now === undefined || session === undefined ? {} : dropDelta(session.dropped, now.dropped),
        nodeDropped: nodeOnly(dropDelta(base.node, { ...end.node.stats.dropped.toJSON() } as Record<string, number>),
          now === undefined || session === undefined ? {} : dropDelta(session.dropped, now.dropped)),
        requestsSent: now === undefined || session === undefined ? 0 : now.requestsSent - session.requestsSent,
        packetsReceived: now === undefined || session === undefined ? 0 : now.packetsReceived - session.packetsReceived,
        errors: [...end.errors],
      };
      send(report);
    } else if (m.type === 'quit') {
      void end.close().finally(() => process.exit(0));
    }
  });
  send({ type: 'ready', port: end.address.port, real: toHexString(end.real.publicKey), dht: toHexString(end.dht.publicKey) });
}

main().catch((error: unknown) => {
  process.send?.({ type: 'error', message: String(error instanceof Error ? error.stack : error) });
  process.exit(1);
});
