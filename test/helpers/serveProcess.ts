/** Runs `kestrel serve` as a child process, as a trader or a monitoring script would. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

export const KESTREL_BIN = path.resolve('bin/kestrel.mjs');

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  origin: string;
  port: number;
  output: () => string;
  /** SIGTERM, then resolves with the exit code. */
  stop: () => Promise<number | null>;
}

export function runKestrel(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KESTREL_BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export function startServe(
  dataDir: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [KESTREL_BIN, 'serve', '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      if (signal) out += `\n[killed by ${signal}]`;
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kestrel serve printed no URL in time:\n${out}`)), 15_000);
    const onData = () => {
      const m = /(http:\/\/127\.0\.0\.1:(\d+))\/\?token=\S+/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({
        child,
        url: m[0],
        origin: m[1]!,
        port: Number(m[2]),
        output: () => out,
        stop: () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`kestrel serve exited with ${code} before printing its URL:\n${out}`));
    });
  });
}
