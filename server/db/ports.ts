import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** A loopback port free right now: the given one when it is, else any the system hands out. */
export function freePort(preferred = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (preferred !== 0 && err.code === 'EADDRINUSE') resolve(freePort());
      else reject(err);
    });
    server.listen(preferred, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The ports an embedded server with data in `dir` listens on, the same across restarts while they are free, so that
 * a URI written down (a GUI client, a second terminal) keeps working; `ports.json` in the data folder remembers them.
 */
export async function stablePorts<Name extends string>(dir: string, names: readonly Name[]): Promise<Record<Name, number>> {
  const file = path.join(dir, 'ports.json');
  let remembered: Partial<Record<Name, number>> = {};
  try {
    remembered = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Record<Name, number>>;
  } catch {
    /* first start */
  }
  const ports = {} as Record<Name, number>;
  for (const name of names) {
    const last = remembered[name];
    ports[name] = await freePort(Number.isInteger(last) && last! > 1024 && last! < 65536 ? last : 0);
  }
  fs.writeFileSync(file, JSON.stringify(ports));
  return ports;
}
