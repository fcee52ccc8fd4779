// Start Devnet run twice before the first is up (a second click, the palette again): one devnet, not two on one
// chain file (the second took the first's lock; one of them was never stopped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { DevnetHolder } from '../../src/extension/devnetHolder.js';

test('two Start Devnet at once get the one devnet; a stop stops it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-holder-'));
  const holder = new DevnetHolder(() => dir, () => undefined, () => undefined);
  try {
    const [a, b] = await Promise.allSettled([holder.start(0), holder.start(0)]);
    assert.equal(a.status, 'fulfilled', a.status === 'rejected' ? String(a.reason) : '');
    assert.equal(b.status, 'fulfilled', b.status === 'rejected' ? String(b.reason) : '');
    assert.equal(a.value.url, b.value.url);
    assert.equal(holder.current, a.value);
    assert.equal(await holder.stop(), true);
    await assert.rejects(fetch(`${a.value.url}/devnet/info`), 'stopped');
  } finally {
    await holder.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('Start Devnet while Stop Devnet is under way starts it again once the stop is done, not refused for its own folder', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-holder-'));
  const holder = new DevnetHolder(() => dir, () => undefined, () => undefined);
  try {
    await holder.start(0);
    const [stopped, again] = await Promise.allSettled([holder.stop(), holder.start(0)]);
    assert.equal(stopped.status === 'fulfilled' && stopped.value, true);
    assert.equal(again.status, 'fulfilled', again.status === 'rejected' ? String(again.reason) : '');
    assert.equal(holder.current, again.value);
    const info = await fetch(`${again.value.url}/devnet/info`);
    assert.equal(info.ok, true, 'the devnet started again serves');
  } finally {
    await holder.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('Start Devnet on another port while one runs is refused naming the port it runs on; the first goes on', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-holder-'));
  const holder = new DevnetHolder(() => dir, () => undefined, () => undefined);
  try {
    const first = await holder.start(0);
    const port = Number(new URL(first.url).port);
    const other = port === 65535 ? port - 1 : port + 1;
    await assert.rejects(holder.start(other), (e: unknown) => {
      const err = e as { code?: string; message?: string };
      assert.equal(err.code, 'DEVNET_DATA_LOCKED');
      assert.match(err.message ?? '', new RegExp(`a devnet already runs in this window on port ${port} \\(${first.url}\\): use it, or Stop Devnet first to start one on port ${other}`));
      return true;
    });
    assert.equal(holder.current, first);
    assert.equal(holder.runningOtherThan(other), first);
    // its own port, or any free one (0), is the devnet running
    assert.equal(await holder.start(port), first);
    assert.equal(await holder.start(0), first);
    assert.equal((await fetch(`${first.url}/devnet/info`)).ok, true, 'the first devnet still serves');
  } finally {
    await holder.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('Start Devnet on a given port while a start on any port (0) is under way does not join it: it waits, then is refused naming the port that start took', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-holder-'));
  const holder = new DevnetHolder(() => dir, () => undefined, () => undefined);
  // a free port for the second start (nothing listens there once closed)
  const free = createServer();
  await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
  const other = (free.address() as AddressInfo).port;
  await new Promise((resolve) => free.close(resolve));
  try {
    const [a, b] = await Promise.allSettled([holder.start(0), holder.start(other)]);
    assert.equal(a.status, 'fulfilled', a.status === 'rejected' ? String(a.reason) : '');
    const port = Number(new URL(a.value.url).port);
    assert.notEqual(port, other, 'the free port was taken by the first start: run again');
    assert.equal(b.status, 'rejected', `the start on port ${other} joined the one on port ${port}`);
    assert.equal((b.reason as { code?: string }).code, 'DEVNET_DATA_LOCKED', String(b.reason));
    assert.equal(holder.current, a.value);
  } finally {
    await holder.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
