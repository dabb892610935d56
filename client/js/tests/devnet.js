// Starts a real devnet process (the `ee` binary) on loopback for the package's tests and
// stops it afterwards. EE_BIN overrides the binary (default: the workspace's
// target/release/ee); the EEs come from target/ees.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const eeBin = process.env.EE_BIN ?? join(root, 'target/release/ee');
export const eesDir = join(root, 'target/ees');

/** Runs `ee ARGS` and returns its stdout (throws on a non-zero exit). */
export function ee(...args) {
  return execFileSync(eeBin, args, { encoding: 'utf8' });
}

/** A devnet on a free loopback port: `{url, stop()}`. */
export async function startDevnet({ shards = 2, slotMs = 200 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ee-js-'));
  const child = spawn(eeBin, [
    'devnet', '--rpc', '127.0.0.1:0', '--db', join(dir, 'devnet.redb'), '--shards', String(shards),
    '--slot-ms', String(slotMs), '--ees-dir', eesDir, '--explorer', join(root, 'client/js'),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`devnet did not start in 60 s: ${stderr}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/^rpc: (\S+)$/m);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`devnet exited ${code}: ${stderr}`)); });
  });
  const exited = new Promise((r) => child.on('exit', r));
  return {
    url,
    async stop() {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
