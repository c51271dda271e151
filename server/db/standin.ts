import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { rootDir, dataDir } from '../paths.js';
import type { Logger } from 'pino';
import { stablePorts } from './ports.js';

/**
 * A MongoDB wire-compatible stand-in (mongo-java-server from Maven Central), for machines where no
 * real mongod can be had. Jars are resolved once with Maven into .data/standin-lib.
 */
const standinDir = path.join(rootDir, 'scripts', 'standin');

export function standinAvailable(): boolean {
  return commandExists('java') && commandExists('mvn');
}

function commandExists(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function resolveJars(log: Logger): string {
  const libDir = path.join(dataDir(), 'standin-lib');
  const marker = path.join(libDir, '.resolved');
  const pom = path.join(standinDir, 'pom.xml');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === fs.readFileSync(pom, 'utf8')) return libDir;
  log.info({ libDir }, 'resolving the MongoDB stand-in jars with Maven (first run only)');
  fs.rmSync(libDir, { recursive: true, force: true });
  fs.mkdirSync(libDir, { recursive: true });
  const result = spawnSync('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0) {
    throw new Error(`Maven could not resolve the stand-in jars: ${(result.stdout + result.stderr).slice(-2000)}`);
  }
  fs.writeFileSync(marker, fs.readFileSync(pom, 'utf8'));
  return libDir;
}

export type StandinHandle = { uriBase: string; stop(): Promise<void> };

export async function startStandin(opts: { persistentFile?: string; log: Logger }): Promise<StandinHandle> {
  const libDir = resolveJars(opts.log);
  const args = ['-cp', `${libDir}/*`, path.join(standinDir, 'StandinServer.java')];
  if (opts.persistentFile) {
    fs.mkdirSync(path.dirname(opts.persistentFile), { recursive: true });
    const { standin: port } = await stablePorts(path.dirname(opts.persistentFile), ['standin'] as const);
    args.push('--port', String(port), '--backend', 'h2', '--file', opts.persistentFile);
  } else {
    args.push('--port', '0', '--backend', 'memory');
  }
  // stdin stays open as a pipe: the stand-in exits when it closes, so it never outlives this process.
  const child = spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const port = await waitForReady(child);
  return {
    uriBase: `mongodb://127.0.0.1:${port}`,
    stop: () => stopChild(child),
  };
}

function waitForReady(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The stand-in did not start within 60 s. ${stderr.slice(-2000)}`));
    }, 60_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8000);
    });
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /^STANDIN_READY (\d+)$/.exec(line.trim());
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The stand-in exited with code ${code}. ${stderr.slice(-2000)}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
