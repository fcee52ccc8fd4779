// Which partner a command means when none is named: the one online. A partner who left stays known (its channels
// wait for it) but is no longer one of "several partners connected".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { Address } from '@ton/core';
import { join } from 'node:path';
import { closePair, openPair } from '../helpers/nodes.js';
import { createNode } from '../../src/node/index.js';
import { newKeyPair } from '../../src/core/signer.js';
import { TON } from '../adversary/scene.js';
import { World, until } from '../adversary/world.js';

test('open without --partner takes the one partner online, not one who left', async () => {
  const w = await World.create();
  try {
    const a = await w.node('a');
    const b = await w.node('b');
    const c = await w.node('c');
    await w.link(a, b);
    await w.link(a, c);
    await until(() => a.node.partners().filter((p) => p.online).length === 2, 'both partners online');
    await assert.rejects(a.node.open({ myDeposit: TON('1'), partnerDeposit: TON('1') }), (e: Error & { code?: string }) => e.code === 'MANY_PARTNERS');
    await w.stop(c);
    await until(() => a.node.partners().filter((p) => p.online).length === 1, 'c to be seen offline');
    const view = await a.node.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
    assert.equal(view.partnerAddress, b.node.getAccount());
  } finally {
    await w.close();
  }
});

test('a partner that connects is announced once, when it counts as online', async () => {
  const w = await World.create();
  try {
    const a = await w.node('a');
    const b = await w.node('b');
    const seen: boolean[] = [];
    a.node.on((e) => {
      if (e.type === 'partnerConnected' && e.partner.address === b.node.getAccount()) seen.push(a.node.partners().some((p) => p.address === e.partner.address && p.online));
    });
    await w.link(a, b);
    await until(() => seen.length > 0, 'the announcement');
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(seen, [true], 'once, and online when announced');
  } finally {
    await w.close();
  }
});

async function untilRead(path: string): Promise<string> {
  for (const end = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 50))) {
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text !== null || Date.now() > end) return text ?? '';
  }
}

test('an address pasted with quotes to a partner already connected is known as that partner: not dialled again, not kept with its quotes', async () => {
  const p = await openPair();
  try {
    const addr = p.alice.served()!.lan[0]!;
    const logs: string[] = [];
    const off = p.bob.on((e) => void (e.type === 'log' && logs.push(e.message)));
    const again = await p.bob.connect(`"${addr}"`);
    off();
    assert.equal(again.address, p.alice.getAccount());
    // (written after the first connect, not waited for)
    const kept = await untilRead(join(p.dir, 'bob', 'partners.json'));
    assert.ok(kept.includes(addr) && !kept.includes(`"${addr}"`.replace(/"/g, '\\"')), kept);
    assert.deepEqual(logs.filter((l) => /could not remember|"/.test(l)), []);
  } finally {
    await closePair(p);
  }
});

test('the address a connect dialled is on disk when connect returns (a stop right after it writes nothing later)', async () => {
  const p = await openPair();
  try {
    // openPair: bob dialled alice's first LAN address; nothing may be written into bob's folder after this point
    const dialled = p.alice.served()!.lan[0]!;
    const saved = JSON.parse(await readFile(join(p.dir, 'bob', 'partners.json'), 'utf8')) as { dialled: Record<string, string> };
    assert.ok(Object.values(saved.dialled).includes(dialled), 'the dialled address is remembered');
  } finally {
    await closePair(p);
  }
});

test('a stop while a connect finishes writes nothing into the data folder after it (the address is not remembered)', async () => {
  const p = await openPair();
  const dir = join(p.dir, 'carol');
  const carol = await createNode({ ...p.common, dataDir: dir, key: { keyPair: newKeyPair() } });
  try {
    let stopping: Promise<void> | null = null;
    carol.on((e) => {
      if (e.type === 'partnerConnected') stopping ??= carol.stop();
    });
    await carol.connect(p.alice.served()!.lan[0]!).catch(() => undefined);
    assert.ok(stopping, 'the stop began as the partner connected');
    await stopping;
    await new Promise((r) => setTimeout(r, 200));
    const left = (await readdir(dir)).filter((f) => f.startsWith('partners'));
    assert.deepEqual(left, [], 'nothing written after the stop');
  } finally {
    await carol.stop();
    await closePair(p);
  }
});

test('a partners file of another shape (edited by hand, or not ours) is passed over: the node starts, and good entries are kept', async () => {
  const p = await openPair();
  const alice = p.alice.served()!.lan[0]!;
  const good = { [Address.parse(p.alice.getAccount()).toRawString()]: alice };
  const shapes = ['5', '[]', '{"dialled":"x","serve":null}', '{"dialled":{},"serve":null,"listeners":{"a":1}}', '{"dialled":{},"serve":{"port":"abc"},"listeners":[7]}', `{"dialled":{"0:00":5,"0:0a":"/ip4/1.2.3.4/tcp/1","nonsense":"/ip4/1.2.3.4/tcp/1",${JSON.stringify(good).slice(1)},"serve":null}`];
  try {
    for (const [i, text] of shapes.entries()) {
      const dir = join(p.dir, `shape${i}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'partners.json'), text);
      const n = await createNode({ ...p.common, dataDir: dir, key: { keyPair: newKeyPair() } });
      await n.serve(0, '127.0.0.1'); // writes what it remembers
      await n.stop();
    }
    const kept = JSON.parse(await readFile(join(p.dir, `shape${shapes.length - 1}`, 'partners.json'), 'utf8')) as { dialled: Record<string, string> };
    assert.deepEqual(kept.dialled, good, 'the good entry kept, the others dropped');
  } finally {
    await closePair(p);
  }
});

test('a connect to a partner already connected, at its address or another of the same peer id, leaves the live session as it is', async () => {
  const p = await openPair();
  try {
    const addr = p.alice.served()!.lan[0]!;
    const port = Number(addr.split('/')[4]);
    const other = addr.replace(`/tcp/${port}/`, `/tcp/${port === 1 ? 2 : port - 1}/`);
    const drops: string[] = [];
    for (const [who, n] of [['alice', p.alice], ['bob', p.bob]] as const) n.on((e) => void (e.type === 'partnerDisconnected' && drops.push(who)));
    for (const typed of [addr, other]) assert.equal((await p.bob.connect(typed)).address, p.alice.getAccount());
    await new Promise((r) => setTimeout(r, 500)); // a dropped link is told at once; this is time for it to be
    assert.deepEqual(drops, [], 'the live session was dropped and taken over by the connect');
  } finally {
    await closePair(p);
  }
});
