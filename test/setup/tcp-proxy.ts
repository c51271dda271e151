import net from 'node:net';
import { connectMongoose } from '../../server/db/connect.js';
import { testDatabaseUri } from './db.js';

/** A loopback TCP proxy that a test can cut and restore, to take the database away from the app for real. */
export async function startTcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  /** Each client connection with its upstream, so that a freeze can stop both directions and a thaw start them. */
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let frozen = false;
  let server: net.Server | undefined;
  let port = 0;
  const flow = ({ client, upstream }: { client: net.Socket; upstream: net.Socket }) => {
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const hold = ({ client, upstream }: { client: net.Socket; upstream: net.Socket }) => {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        const pair = { client, upstream };
        pairs.add(pair);
        if (frozen) hold(pair);
        else flow(pair);
        client.on('close', () => {
          pairs.delete(pair);
          upstream.destroy();
        });
        upstream.on('close', () => client.destroy());
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });

  await listen();
  return {
    get port() {
      return port;
    },
    /** Drops every connection and refuses new ones. */
    cut: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server?.close(() => resolve());
      }),
    /** Accepts connections again on the same port. */
    restore: listen,
    /**
     * The database stops answering without closing anything (a frozen server, a network that drops packets):
     * connections stay open and accepted, and no byte passes either way until `thaw`.
     */
    freeze: () => {
      frozen = true;
      pairs.forEach(hold);
    },
    thaw: () => {
      frozen = false;
      pairs.forEach(flow);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (server?.listening) server.close(() => resolve());
        else resolve();
      }),
  };
}

/** Connects this test file's Mongoose to its own database through a proxy the file can cut, freeze and restore. */
export async function connectThroughProxy(): Promise<Awaited<ReturnType<typeof startTcpProxy>>> {
  const direct = new URL(testDatabaseUri());
  const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 27017) });
  const viaProxy = new URL(direct.toString());
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  await connectMongoose(viaProxy.toString());
  return proxy;
}
