// The load generator of scripts/bench/uploads.ts, in a child process of its own so its buffers never count in the
// app's memory. Sends every form at once, each streamed with backpressure from one shared buffer per kind.
import crypto from 'node:crypto';
import http from 'node:http';
import sharp from 'sharp';

export type UploadCommand = { baseUrl: string; senders: { cookie: string; csrf: string }[]; files: number; mb: number; kind: 'junk' | 'pictures' };
export type UploadReply = { statuses: Record<string, number>; seconds: number };

/** What each file holds: random bytes (no picture at all), or a picture of about `mb` MB that decodes. */
async function fileBytes(kind: UploadCommand['kind'], mb: number): Promise<Buffer> {
  if (kind === 'junk') return crypto.randomBytes(mb * 1024 * 1024);
  // Noise does not compress: a raw PNG of this side weighs just under `mb` MB.
  const side = Math.floor(Math.sqrt((mb * 1024 * 1024 * 0.98) / 3));
  return sharp(crypto.randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

function write(req: http.ClientRequest, chunk: Buffer): Promise<void> {
  return req.write(chunk) ? Promise.resolve() : new Promise((resolve) => req.once('drain', resolve));
}

async function sendForm(cmd: UploadCommand, sender: UploadCommand['senders'][number], file: Buffer): Promise<number> {
  const boundary = `----bench${crypto.randomBytes(8).toString('hex')}`;
  const req = http.request(`${cmd.baseUrl}/moments?_csrf=${encodeURIComponent(sender.csrf)}`, {
    method: 'POST',
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, Cookie: sender.cookie, Accept: 'text/html' },
  });
  const answered = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
  });
  await write(
    req,
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\nbench\r\n--${boundary}\r\nContent-Disposition: form-data; name="audienceMode"\r\n\r\nall\r\n`,
    ),
  );
  for (let i = 0; i < cmd.files; i += 1) {
    await write(req, Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="images"; filename="p${i}.png"\r\nContent-Type: image/png\r\n\r\n`));
    for (let at = 0; at < file.length; at += 256 * 1024) await write(req, file.subarray(at, at + 256 * 1024));
    await write(req, Buffer.from('\r\n'));
  }
  req.end(`--${boundary}--\r\n`);
  return answered;
}

if (!process.send) {
  process.stderr.write('upload-clients.ts is started by scripts/bench/uploads.ts\n');
  process.exit(2);
}
process.once('message', (cmd: UploadCommand) => {
  void (async () => {
    const file = await fileBytes(cmd.kind, cmd.mb);
    const started = performance.now();
    const codes = await Promise.all(cmd.senders.map((sender) => sendForm(cmd, sender, file)));
    const statuses: Record<string, number> = {};
    for (const code of codes) statuses[code] = (statuses[code] ?? 0) + 1;
    process.send!({ statuses, seconds: (performance.now() - started) / 1000 } satisfies UploadReply, () => process.exit(0));
  })();
});
