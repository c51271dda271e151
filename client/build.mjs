// Bundles the browser code into the static folder, under the names the views load (/static/js/<name>.js).
// Build output, never committed: npm runs this at install (prepare) and before start; the test run's global setup
// calls buildClient() so browser tests never load a stale bundle.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildClient() {
  const result = await build({
    absWorkingDir: root,
    entryPoints: {
      'agent-console': 'client/agent/main.ts',
      'chat-customer': 'client/customer/main.ts',
    },
    outdir: 'views/public/js',
    bundle: true,
    // The views load them as modules (type="module"); each page has one entry, so nothing is split.
    format: 'esm',
    target: 'es2022',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
  });
  // The client shares the server's types (erased) and its plain rules in server/domain/; any other server file in a
  // bundle means a value import that would ship server code to the browser.
  const stray = Object.keys(result.metafile.inputs).filter((input) => !/^(client|server\/domain)\//.test(input));
  if (stray.length) throw new Error(`client bundle: only client/ and server/domain/ may be bundled, found: ${stray.join(', ')}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildClient().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
