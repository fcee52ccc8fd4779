// A deposit whose message went to the chain while an import loaded its channel again: the deposit lands, and the
// command that sent it must say so (sent), not "it did not go on; run it again" (the extension offers Run Again for
// that: a second deposit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ChainError } from '../../src/chain/errors.js';
import { waitForEvent } from '../../src/node/index.js';
import { TON } from '../helpers/nodes.js';
import { World, until } from '../adversary/world.js';
import type { Chain } from '../../src/chain/types.js';
import type { NodeContext } from '../../src/node/context.js';
import { Address } from '@ton/core';

type Node = Awaited<ReturnType<World['node']>>;

/** Alice and Bob, linked. */
async function pair(w: World): Promise<{ alice: Node; bob: Node }> {
  const alice = await w.node('alice');
  const bob = await w.node('bob');
  await w.link(alice, bob);
  return { alice, bob };
}

/** Alice proposes a channel (1 TON hers, 2 Bob's); Bob has it. */
async function propose(alice: Node, bob: Node) {
  const told = waitForEvent(bob.node, 'channelProposed');
  const view = await alice.node.open({ myDeposit: TON('1'), partnerDeposit: TON('2'), partner: bob.node.getAccount() });
  await told;
  return view;
}

/** A linked pair with Alice's proposal. */
async function proposed(w: World) {
  const { alice, bob } = await pair(w);
  return { alice, bob, view: await propose(alice, bob) };
}

/** Holds `who`'s next wallet sends at the endpoint: `atChain` once one got there, `release` lets them go. */
function holdAtChain(w: World, who: Node): { atChain: Promise<void>; release: () => void } {
  let reached!: () => void;
  const atChain = new Promise<void>((r) => (reached = r));
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  w.slowWallet(who, async () => {
    reached();
    await held;
  });
  return { atChain, release };
}

/** The channel's record is lost on disk; a backup taken now (with the mark) restores it, closing its storage. */
async function reloadFromBackup(w: World, who: Node, name: string, channelId: string): Promise<void> {
  const backup = join(w.dir, `${name}.backup`);
  await who.node.exportBackup(backup);
  await rm(join(who.dataDir, 'channels', channelId, 'record.json'));
  assert.deepEqual((await who.node.importBackup(backup)).imported, [channelId]);
}

/** The command failed with CHANNEL_RELOADED marked sent, saying what went (`what`), never to run it again. */
function assertToldSent(got: unknown, what: RegExp): void {
  const e = got as Error & { code?: string; sent?: boolean };
  assert.equal(e.code, 'CHANNEL_RELOADED', String(e));
  assert.equal(e.sent, true, e.message);
  assert.doesNotMatch(e.message, /did not go on|run it again/, e.message);
  assert.match(e.message, what, e.message);
}

test('a deposit sent as an import reloads its channel says that it went to the contract (CHANNEL_RELOADED, sent), not to run it again', { timeout: 240_000 }, async () => {
  const w = await World.create();
  try {
    const { bob, view } = await proposed(w);
    // Bob's deposit is held at the endpoint, its mark on disk, until the import below loaded the channel again.
    const hold = holdAtChain(w, bob);
    const depositing = bob.node.deposit(undefined, { channel: view.channelId }).catch((e: Error) => e);
    await hold.atChain; // Bob's wallet sends nothing else: this is his deposit, once Alice's deployment landed
    await reloadFromBackup(w, bob, 'bob', view.channelId);
    hold.release();
    assertToldSent(await depositing, /deposit/);
    await until(() => bob.node.channel(view.channelId)?.depositB === TON('2'), 'the reloaded channel to see the deposit', 60_000);
  } finally {
    await w.close();
  }
});

test('a refund sent as an import reloads its channel says that it went to the contract (CHANNEL_RELOADED, sent), not to run it again', { timeout: 240_000 }, async () => {
  const w = await World.create();
  try {
    const { alice, bob, view } = await proposed(w);
    // Bob accepts; his own deposit never leaves (held until the stop), so Alice's deposit alone is in the contract.
    w.slowWallet(bob, (s) => new Promise<void>((_r, reject) => s.addEventListener('abort', () => reject(s.reason as Error), { once: true })));
    void bob.node.deposit(undefined, { channel: view.channelId }).catch(() => undefined);
    await until(() => alice.node.channel(view.channelId)?.actions.refund.ok === true, "Alice's deposit in the contract", 60_000);
    // Alice's refund is held at the endpoint until the import below loaded the channel again.
    const hold = holdAtChain(w, alice);
    const refunding = alice.node.refund({ channel: view.channelId }).catch((e: Error) => e);
    await hold.atChain;
    await reloadFromBackup(w, alice, 'alice', view.channelId);
    hold.release();
    assertToldSent(await refunding, /refund/);
  } finally {
    await w.close();
  }
});

test('a deployment sent as an import reloads its channel says that it went to the chain (CHANNEL_RELOADED, sent), not to run it again', { timeout: 240_000 }, async () => {
  const w = await World.create();
  try {
    // Alice's first deployment is refused before it is signed (nothing sent): her deposit deploys again.
    const chain = w.chain as unknown as { signTransfer: (...a: unknown[]) => Promise<unknown> };
    const sign = chain.signTransfer.bind(w.chain);
    let refused = false;
    chain.signTransfer = async (...a) => {
      if (!refused) {
        refused = true;
        throw new ChainError('RATE_LIMITED', 'injected: the endpoint answered 429 to the wallet read', { retryable: true });
      }
      return sign(...a);
    };
    const { alice, bob } = await pair(w);
    const failed = waitForEvent(alice.node, 'error', (e) => e.code === 'RATE_LIMITED', 60_000);
    const view = await propose(alice, bob);
    void bob.node.deposit(undefined, { channel: view.channelId }).catch(() => undefined);
    await failed;
    // Alice's deployment is held at the endpoint, its mark on disk, until the import below loaded the channel again.
    const hold = holdAtChain(w, alice);
    const deploying = alice.node.deposit(undefined, { channel: view.channelId }).catch((e: Error) => e);
    await hold.atChain;
    await reloadFromBackup(w, alice, 'alice', view.channelId);
    hold.release();
    assertToldSent(await deploying, /deploy/);
    await until(() => alice.node.channel(view.channelId)?.depositA === TON('1'), 'the reloaded channel to see the deployment', 60_000);
  } finally {
    await w.close();
  }
});

type DeployArgs = Parameters<Chain['deployChannel']>;

/**
 * Alice's chain, wrapped: her deployments fail as `deploy` says (the arguments kept), and her next status read once
 * `holdStatus` is armed waits at `reached` until `release`.
 */
function aliceChain() {
  const s = { deploys: [] as DeployArgs[], deploy: (_a: DeployArgs, _c: Chain): Promise<unknown> => Promise.reject(new Error('unset')), arm: () => undefined as void, reached: Promise.resolve(), release: () => undefined as void, quiet: false };
  let armed = false;
  let held = Promise.resolve();
  s.arm = () => {
    armed = true;
    s.reached = new Promise<void>((r) => (reachedNow = r));
    held = new Promise<void>((r) => (s.release = r));
  };
  let reachedNow = () => undefined as void;
  const wrap = (c: Chain): Chain =>
    new Proxy(c, {
      get(target, prop, receiver) {
        if (prop === 'deployChannel') return (...a: DeployArgs) => (s.deploys.push(a), s.deploy(a, target));
        if (prop === 'getChannelStatus') {
          return async (...a: Parameters<Chain['getChannelStatus']>) => {
            if (armed) {
              armed = false;
              reachedNow();
              await held;
            }
            return target.getChannelStatus(...a);
          };
        }
        // her watch reports nothing (a read of her own tells the deployment)
        if (prop === 'watchChannel' && s.quiet) return () => ({ stop: () => undefined });
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
      },
    });
  return { s, wrap };
}

/** Refused before it is signed: nothing of it can land. */
const unsent = () => Object.assign(new ChainError('RATE_LIMITED', 'injected: the endpoint answered 429 to the wallet read', { retryable: true }), { unsent: true });

/**
 * Alice and Bob linked, Bob's deposit asked for a proposal of Alice: her first deployment (the acceptance's) is refused
 * unsent. `quiet`: her node watches no contract; `holdBob`: Bob's own deposit never leaves (until the stop).
 */
async function firstDeployRefused(w: World, o: { quiet?: boolean; holdBob?: boolean } = {}) {
  const { s, wrap } = aliceChain();
  s.deploy = () => Promise.reject(unsent());
  s.quiet = o.quiet ?? false;
  const alice = await w.node('alice', { wrap });
  const bob = await w.node('bob');
  await w.link(alice, bob);
  const failed = waitForEvent(alice.node, 'error', (e) => e.code === 'RATE_LIMITED', 60_000);
  const view = await propose(alice, bob);
  if (o.holdBob) w.slowWallet(bob, (sig) => new Promise<void>((_r, reject) => sig.addEventListener('abort', () => reject(sig.reason as Error), { once: true })));
  void bob.node.deposit(undefined, { channel: view.channelId }).catch(() => undefined);
  await failed;
  return { s, alice, bob, view };
}

test('a deployment that failed and may still land, as an import reloads its channel, says it may land (CHANNEL_RELOADED, sent), not to run it again', { timeout: 240_000 }, async () => {
  const w = await World.create();
  try {
    // Alice's first deployment (the acceptance's) is refused unsent; her deposit's one is signed, then its send is
    // not answered (it may land).
    const { s, alice, view } = await firstDeployRefused(w);
    s.deploy = async ([, , , o]) => {
      await o?.beforeSend?.({ validUntil: Math.floor(Date.now() / 1000) + 60 });
      s.arm(); // the read of whether it landed waits for the import
      throw new ChainError('ENDPOINT_UNREACHABLE', 'injected: the endpoint did not answer the send');
    };
    const deploying = alice.node.deposit(undefined, { channel: view.channelId }).catch((e: Error) => e);
    await until(() => s.deploys.length === 2, "Alice's deposit to deploy", 60_000);
    await s.reached;
    await reloadFromBackup(w, alice, 'alice', view.channelId);
    s.release();
    assertToldSent(await deploying, /deploy/);
  } finally {
    await w.close();
  }
});

test('a deposit run that finds its deployment on chain as an import reloads the channel says it is deployed (CHANNEL_RELOADED, sent), not to run it again', { timeout: 240_000 }, async () => {
  const w = await World.create();
  try {
    // Bob accepts; his own deposit never leaves (held until the stop): nothing of his tells Alice of the contract.
    const { s, alice, view } = await firstDeployRefused(w, { quiet: true, holdBob: true });
    // Her deployment lands although her node took it as refused (its record still says accepted).
    const [wallet, config, amount] = s.deploys[0]!;
    await w.chain.deployChannel(wallet, config, amount);
    assert.equal(alice.node.channel(view.channelId)?.phase, 'accepted');
    s.arm(); // her deposit's read of the contract waits for the import
    const depositing = alice.node.deposit(undefined, { channel: view.channelId }).catch((e: Error) => e);
    await s.reached;
    await reloadFromBackup(w, alice, 'alice', view.channelId);
    s.release();
    assertToldSent(await depositing, /deploy/);
  } finally {
    await w.close();
  }
});

test('a deployment whose mark could not be saved as an import closed the storage says to run it again (nothing was sent), not that it may land', { timeout: 240_000 }, async () => {
  const w = await World.create();
  try {
    const { s, alice, view } = await firstDeployRefused(w);
    // Her deposit's deployment goes through the chain; the save of its signed mark waits until the import below
    // closed the channel's storage (so it is refused, and nothing leaves).
    s.deploy = ([wallet, config, amount, o], chain) => chain.deployChannel(wallet, config, amount, o);
    const { ctx } = (alice.node as unknown as { node: { ctx: NodeContext } }).node;
    const storage = ctx.channels.get(view.channelId)!.storage!;
    const write = storage.writeRecord.bind(storage);
    let reached!: () => void;
    const atSave = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    storage.writeRecord = async (rec) => {
      if ((rec as { deployValidUntil?: number }).deployValidUntil !== undefined) {
        reached();
        await held;
      }
      return write(rec);
    };
    const deploying = alice.node.deposit(undefined, { channel: view.channelId }).catch((e: Error) => e);
    await atSave;
    await reloadFromBackup(w, alice, 'alice', view.channelId);
    release();
    const e = (await deploying) as Error & { code?: string; sent?: boolean };
    assert.equal(e.code, 'CHANNEL_RELOADED', String(e));
    assert.notEqual(e.sent, true, e.message);
    assert.doesNotMatch(e.message, /may still land/, e.message);
    assert.equal(await w.chain.getChannelStatus(Address.parse(view.contract)).then((x) => x.status), 'not_deployed', 'nothing was sent');
  } finally {
    await w.close();
  }
});
