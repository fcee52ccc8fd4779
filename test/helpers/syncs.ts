// Which paths a piece of code fsyncs (Linux: a file handle's path read from /proc/self/fd), to check that a new
// file's folder is made durable after its rename, not only the file.
import { open } from 'node:fs/promises';
import { readlinkSync } from 'node:fs';
import { mock } from 'node:test';

/** Runs `fn` and returns the paths fsynced through a FileHandle meanwhile; null where /proc is missing. */
export async function syncedPaths(fn: () => Promise<unknown>): Promise<string[] | null> {
  let probe;
  try {
    probe = await open('/proc/self/fd', 'r');
  } catch {
    return null;
  }
  const proto = Object.getPrototypeOf(probe) as { sync: (this: { fd: number }) => Promise<void> };
  await probe.close();
  const seen: string[] = [];
  const real = proto.sync;
  const spy = mock.method(proto, 'sync', function (this: { fd: number }) {
    seen.push(readlinkSync(`/proc/self/fd/${this.fd}`));
    return real.call(this);
  });
  try {
    await fn();
  } finally {
    spy.mock.restore();
  }
  return seen;
}
