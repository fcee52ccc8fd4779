// What makes the extension start its node as a window opens (hasLiveChannels): money in a contract, and also A's
// acceptance or deployment under way. Not B's acceptance waiting for A's deployment: nothing of B's is on chain,
// and a partner who vanished started B's node at every window; the extension says it waits instead (channelKeys
// names it, with its side and partner), and the node starts when the user uses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { DataDir } from '../../src/node/store/index.js';
import { encodeRecordFile } from '../../src/node/store/record.js';
import { channelKeys, hasLiveChannels, waitForEvent } from '../../src/node/index.js';
import { awaitsDeployment, needsNode, startsNode } from '../../src/node/uiRules.js';
import { TON, closePair, openPair } from '../helpers/nodes.js';

test("B's acceptance whose deposit waits for the deployment does not start the node with the window: it is named instead", async () => {
  const p = await openPair();
  try {
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
    await proposed;
    await p.alice.stop(); // deploys nothing: Bob's deposit waits
    const deposit = p.bob.deposit().catch((e: { code?: string }) => e.code);
    while (p.bob.channels()[0]?.phase !== 'accepted') await new Promise((r) => setTimeout(r, 20));
    await p.bob.stop();
    assert.equal(await deposit, 'NODE_STOPPED');
    assert.equal(await hasLiveChannels(join(p.dir, 'bob')), false);
    const [k] = (await channelKeys(join(p.dir, 'bob')))!;
    assert.deepEqual({ phase: k!.phase, me: k!.me, partner: k!.partner }, { phase: 'accepted', me: 'B', partner: p.alice.getAccount() });
    assert.equal(k!.contract, p.bob.channels()[0]!.id, 'the id the views give it');
    assert.ok(awaitsDeployment(k!.phase, k!.me));
  } finally {
    await closePair(p);
  }
});

test("the phases that need a node: money in a contract, or a deployment or an acceptance under way; not a bare proposal or an ended channel", () => {
  for (const phase of ['accepted', 'deploying', 'funding', 'locked', 'open', 'closing']) assert.equal(needsNode(phase), true, phase);
  for (const phase of ['proposed', 'closed', 'rejected']) assert.equal(needsNode(phase), false, phase);
  // at a window's start: all of them but B's acceptance (A's starts its deployment; an unread side counts as A's)
  assert.equal(startsNode('accepted', 'A'), true);
  assert.equal(startsNode('accepted', null), true);
  assert.equal(startsNode('accepted', 'B'), false);
  for (const phase of ['deploying', 'funding', 'locked', 'open', 'closing']) assert.equal(startsNode(phase, 'B'), true, phase);
});

test('a look at a data folder (channelKeys) takes no lock: a node opening the folder while the look reads is not refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-look-'));
  try {
    const data = await DataDir.open(dir);
    await (await data.channel('1')).writeRecord({ life: 'closed' });
    await data.close();
    // channel 2's record is a pipe: the look waits there, mid-read, until the test writes the record
    const fifo = join(dir, 'channels', '2', 'record.json');
    await mkdir(join(dir, 'channels', '2'));
    execFileSync('mkfifo', [fifo]);
    let done = false;
    const look = channelKeys(dir).finally(() => (done = true));
    const writer = async (): Promise<number> => {
      for (let i = 0; i < 250; i++) {
        try {
          return openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK); // opens once a reader waits on it
        } catch {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      throw new Error('the look never read the record');
    };
    const fd = await writer();
    const opened = await DataDir.open(dir).then(
      (d) => d.close().then(() => 'opened'),
      (e: { code?: string }) => e.code ?? 'failed',
    );
    // every read of the pipe gets the record (the old look read it twice)
    const bytes = encodeRecordFile({ life: 'open' });
    writeSync(fd, bytes);
    closeSync(fd);
    for (let i = 0; i < 5 && !done; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (done) break;
      const again = await writer().catch(() => null);
      if (again === null) continue;
      writeSync(again, bytes);
      closeSync(again);
    }
    const result = await look;
    assert.equal(opened, 'opened', 'a node opening the folder during the look');
    assert.deepEqual(result?.map((k) => k.phase), ['closed', 'open']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
