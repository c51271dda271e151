import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildTestApp } from './app.js';
import { attachRealtime, type Realtime } from '../../server/realtime/index.js';

/** The app listening on a free loopback port with Socket.IO attached, as main.ts runs it. */
export async function startTestServer(
  opts: { appUrl?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ baseUrl: string; realtime: Realtime; close(): Promise<void> }> {
  const { app, session, config } = await buildTestApp(opts.env);
  const server = http.createServer(app);
  const realtime = attachRealtime(server, session, { appUrl: opts.appUrl, requestTimeLimitMs: config.requestTimeLimitMs });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    realtime,
    close: async () => {
      // Socket.IO closes the HTTP server too; dropping keep-alive connections lets that finish at once.
      const closing = realtime.close();
      server.closeAllConnections();
      await closing;
    },
  };
}
