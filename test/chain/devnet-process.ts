// The devnet as a real server process for the devnet tests: started on a data folder, its HTTP calls, and a
// get-method echo contract.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Address, beginCell } from '@ton/core';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface Devnet {
  url: string;
  proc: ChildProcess;
  output: string[];
  stop(): Promise<number | null>;
}

/** Starts `main.ts --port 0 --data dir` and waits for its first line. */
export function startDevnetProcess(dataDir: string): Promise<Devnet> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/chain/devnet/main.ts', '--port', '0', '--data', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const stderr: string[] = [];
  proc.stderr?.setEncoding('utf8').on('data', (s: string) => stderr.push(s));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`devnet did not start in time; stderr: ${stderr.join('')}`));
    }, 60_000);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`devnet exited with ${code} before listening; stdout: ${output.join('\n')}; stderr: ${stderr.join('')}`));
    });
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      output.push(line);
      if (output.length === 1 && !/^devnet listening on http:\/\/127\.0\.0\.1:\d+$/.test(line)) {
        clearTimeout(timer);
        proc.kill('SIGKILL');
        reject(new Error(`unexpected first line: ${line}`));
        return;
      }
      // The banner ends with the line that tells how to point a node at the devnet.
      if (line.startsWith('point a node at it:')) {
        clearTimeout(timer);
        resolve({ url: (output[0] as string).slice('devnet listening on '.length), proc, output, stop });
      }
    });
  });
}

/** Equal up to storage fees (an uninitialized account pays a few nanotons as chain time passes). */
export function assertAbout(actual: bigint, expected: bigint): void {
  assert.ok(actual <= expected && actual > expected - 1_000_000n, `${actual} is not about ${expected}`);
}

export async function post(url: string, body: unknown | string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export async function rpc(base: string, method: string, params: unknown) {
  return post(`${base}/jsonRPC`, { id: '7', jsonrpc: '2.0', method, params });
}

export async function info(base: string): Promise<{ now: number; time_offset: number; seqno: number; saved_seqno: number; treasury: string }> {
  const res = await fetch(`${base}/devnet/info`);
  const j = (await res.json()) as { ok: boolean; result: { now: number; time_offset: number; seqno: number; saved_seqno: number; treasury: string } };
  assert.equal(j.ok, true);
  return j.result;
}

export async function faucet(base: string, address: Address, amount: bigint) {
  const { status, json } = await post(`${base}/devnet/faucet`, { address: address.toString(), amount: amount.toString() });
  assert.equal(status, 200, JSON.stringify(json));
  return json.result as { balance: string; transaction_id: { lt: string; hash: string } };
}

// A get-method "echo" contract in raw TVM: DROP (the method id), 3 TUPLE, PUSHNULL. So a call with
// [a, b, cell, slice] answers [a, (b, cell, slice), null] — numbers, tuples, cells, slices and null.
export const ECHO_CODE = beginCell().storeUint(0x30, 8).storeUint(0x6f03, 16).storeUint(0x6d, 8).endCell();
