/**
 * The child process of bench/relay.ts: a toxlink TcpRelayServer on 127.0.0.1 (NodeNetwork,
 * SystemClock), alone on its event loop, as tox-bootstrapd is alone in its process. It sends
 * `{ kind: 'ready', port, publicKey }` over IPC once listening, and answers:
 * - `{ kind: 'stats' }` with the server's counters;
 * - `{ kind: 'heap' }` with heapUsed and rss after a full GC (start it with --expose-gc),
 *   and the number of confirmed clients;
 * - `{ kind: 'stop' }` by closing the server and exiting.
 * It exits on its own if the parent goes away. With the argument `--onion` it also runs its
 * first onion hop on a UDP socket of its own at 127.0.0.1 (`onionSocket`), as `toxlink relay`
 * does, so that c-toxcore clients with UDP off can reach the onion through it (bench/relay-c.ts).
 *
 * @module
 */
import { generateKeyPair } from '../src/crypto/index.ts';
import { NodeNetwork, SystemClock } from '../src/io/index.ts';
import { TcpRelayServer } from '../src/relay/index.ts';
import { toHex } from '../src/wire/index.ts';

export type ServerRequest = { kind: 'stats' } | { kind: 'heap' } | { kind: 'stop' };
export type ServerReply =
  | { kind: 'ready'; port: number; publicKey: string }
  | { kind: 'stats'; stats: Record<string, unknown> }
  | { kind: 'heap'; heapUsed: number; rss: number; clients: number; pending: number };

if (process.send === undefined) {
  console.error('bench/relay-server.ts runs as a child of bench/relay.ts');
  process.exit(2);
}
const send = (reply: ServerReply): void => void process.send!(reply);
const keyPair = generateKeyPair();
const network = new NodeNetwork();
const onionSocket = process.argv.includes('--onion') ? await network.bindUdp({ host: '127.0.0.1', port: 0 }) : undefined;
const server = new TcpRelayServer({
  network, clock: new SystemClock(), keyPair, config: { maxClients: 8192, maxPendingConnections: 2048 }, onionSocket,
});
server.on('error', (e) => console.error(`relay server error: ${e.message}`));
const listener = await server.listen({ host: '127.0.0.1', port: 0 });

process.on('message', (message: ServerRequest) => {
  if (message.kind === 'stats') {
    const s = server.stats;
    send({
      kind: 'stats',
      stats: {
        accepted: s.accepted, confirmed: s.confirmed, framesReceived: s.framesReceived, framesSent: s.framesSent,
        dataRelayed: s.dataRelayed, dropped: s.dropped.toJSON(), closed: s.closed.toJSON(),
        onionForwarded: server.onionHop?.stats.requestsForwarded ?? 0, onionDelivered: server.onionHop?.stats.responsesDelivered ?? 0,
      },
    });
  } else if (message.kind === 'heap') {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    send({ kind: 'heap', heapUsed: m.heapUsed, rss: m.rss, clients: server.clientCount, pending: server.pendingCount });
  } else if (message.kind === 'stop') {
    void server.close().then(() => onionSocket?.close()).then(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
send({ kind: 'ready', port: listener.local.port, publicKey: toHex(keyPair.publicKey) });
