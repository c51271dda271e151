import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildTestApp } from '../setup/app.js';
import { attachRealtime } from '../../server/realtime/index.js';

export type RunningServer = { baseUrl: string; close(): Promise<void> };

/** The real app with Socket.IO, listening on a free loopback port, for a browser to drive. */
export async function startServer(): Promise<RunningServer> {
  const { app, session } = await buildTestApp();
  const httpServer = http.createServer(app);
  const realtime = attachRealtime(httpServer, session);
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      // Socket.IO closes the HTTP server too; dropping keep-alive connections lets that finish at once.
      const closing = realtime.close();
      httpServer.closeAllConnections();
      await closing;
    },
  };
}
