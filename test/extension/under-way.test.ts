// A window reload cuts the commands under way short, and VS Code takes the window's side away before the
// extension stops: what they said then was shown nowhere. The long ones are noted while they run, and the next
// activation says which were cut short (once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnderWay, cutShortWords, type StateStore } from '../../src/extension/underWay.js';

function memento(): StateStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return { data, get: <T>(k: string) => data.get(k) as T | undefined, update: (k, v) => (data.set(k, v), Promise.resolve()) };
}

test('a long command is noted while it runs and not after; a short one is never noted', async () => {
  const m = memento();
  const w = new UnderWay(m, 100);
  let during: unknown;
  await w.run('deposit', async () => void (during = m.data.get('synchannel.underWay')));
  assert.deepEqual((during as { command: string }[]).map((e) => e.command), ['deposit']);
  assert.deepEqual(m.data.get('synchannel.underWay'), []);
  await assert.rejects(w.run('withdraw', () => Promise.reject(new Error('failed'))));
  assert.deepEqual(m.data.get('synchannel.underWay'), [], 'cleared on failure too');
  await w.run('balanceTon', async () => void (during = m.data.get('synchannel.underWay')));
  assert.deepEqual(during, []);
});

test('the next extension host takes what the one before left under way, once; its own running commands stay', async () => {
  const m = memento();
  const before = new UnderWay(m, 100);
  void before.run('withdraw', () => new Promise(() => undefined)); // the window reloads during the close
  void before.run('send', () => new Promise(() => undefined));
  const after = new UnderWay(m, 200);
  let release: () => void = () => undefined;
  const mine = after.run('deposit', () => new Promise<void>((r) => (release = r)));
  const left = await after.taken();
  assert.deepEqual(left.map((e) => e.command), ['withdraw', 'send']);
  assert.deepEqual(await after.taken(), [], 'said once');
  assert.deepEqual((m.data.get('synchannel.underWay') as { command: string }[]).map((e) => e.command), ['deposit']);
  release();
  await mine;
  const words = cutShortWords(left, { nodeRuns: true, network: 'sandbox' }).text;
  assert.match(words, /the window was reloaded or closed while a close \(withdraw\) and a payment were under way \(started .*\), so their results were not shown\. The SynChannel view shows your channels as they are now: look there before you run them again, since each may have gone through\./);
  assert.match(cutShortWords(left.slice(0, 1), { nodeRuns: false, network: 'sandbox' }).text, /while a close \(withdraw\) was under way .* as they are once the node runs again: look there before you run it again/);
});

test('a damaged state is read as nothing under way', async () => {
  const m = memento();
  m.data.set('synchannel.underWay', [{ id: 1 }, 'x', null, { id: 'a', command: 'send', at: 1, pid: 5 }]);
  assert.deepEqual((await new UnderWay(m, 6).taken()).map((e) => e.command), ['send']);
  m.data.set('synchannel.underWay', 'nonsense');
  assert.deepEqual(await new UnderWay(m, 6).taken(), []);
});

test('a command cut short is noted with the network of the node it ran on: reopened on another network, it is said and Switch to that network offered', async () => {
  const m = memento();
  const before = new UnderWay(m, 100);
  // a deposit on the devnet node: its network is known once the command found its node
  void before.run('deposit', (on) => (on('devnet'), new Promise(() => undefined)));
  const left = await new UnderWay(m, 200).taken();
  assert.deepEqual(left.map((e) => [e.command, e.network]), [['deposit', 'devnet']]);
  // the window reopened on testnet: the SynChannel view shows testnet's channels, not the deposit's
  const away = cutShortWords(left, { nodeRuns: true, network: 'testnet' });
  assert.match(away.text, /^the window was reloaded or closed while a deposit on devnet was under way \(started .*\), so its result was not shown\. This window is on testnet now: the SynChannel view shows your devnet channels once you Switch to devnet; look there before you run it again, since it may have gone through\.$/);
  assert.deepEqual(away.actions, [{ title: 'Switch to devnet', command: 'synchannel.switchNetwork', args: ['devnet'] }]);
  // on the same network: the network is said, no switch
  const here = cutShortWords(left, { nodeRuns: true, network: 'devnet' });
  assert.match(here.text, /while a deposit on devnet was under way .* The SynChannel view shows your channels as they are now: look there/);
  assert.deepEqual(here.actions, []);
});

test('commands cut short on two networks, or noted before the network was (an older window, a demo party): each said as it is known', async () => {
  const m = memento();
  m.data.set('synchannel.underWay', [
    { id: 'a', command: 'withdraw', at: 1, pid: 5, network: 'devnet' },
    { id: 'b', command: 'send', at: 2, pid: 5, network: 'sandbox' },
    { id: 'c', command: 'challenge', at: 3, pid: 5 },
    { id: 'd', command: 'finish', at: 4, pid: 5, network: 'mainnet' },
  ]);
  const left = await new UnderWay(m, 6).taken();
  assert.deepEqual(left.map((e) => e.network), ['devnet', 'sandbox', undefined, undefined], 'a network that is not one of ours is dropped');
  const said = cutShortWords(left, { nodeRuns: false, network: 'sandbox' });
  assert.match(said.text, /while a close \(withdraw\) on devnet, a payment on sandbox, a challenge and finishing a close were under way/);
  assert.match(said.text, /This window is on sandbox now: the SynChannel view shows your sandbox channels once the node runs again, your devnet channels once you Switch to devnet; look there before you run them again, since each may have gone through\.$/);
  assert.deepEqual(said.actions.map((a) => a.title), ['Switch to devnet']);
});

test("a teaching demo party's command cut short names the demo and its network; it offers no switch (the demo's run ended with the window)", async () => {
  const m = memento();
  const before = new UnderWay(m, 100);
  // Bob's deposit in the demo: its node is the demo's, on sandbox, whatever network the user's node runs
  void before.run('deposit', (on) => (on('sandbox', 'Bob'), new Promise(() => undefined)));
  const left = await new UnderWay(m, 200).taken();
  assert.deepEqual(left.map((e) => [e.command, e.network, e.demo]), [['deposit', 'sandbox', 'Bob']]);
  const said = cutShortWords(left, { nodeRuns: true, network: 'testnet' });
  assert.match(said.text, /^the window was reloaded or closed while a deposit by Bob in the teaching demo on sandbox was under way \(started .*\), so its result was not shown\. /);
  assert.match(said.text, /The teaching demo's run ended with the window: open the demo again for a new run\.$/);
  assert.doesNotMatch(said.text, /Switch to sandbox|your sandbox channels/, said.text);
  assert.deepEqual(said.actions, [], "the user's sandbox node does not hold the demo's channels");
  // with a command of the user's node on another network: each said as it is, the switch offered for that one
  const both = cutShortWords([...left, { id: 'x', command: 'withdraw', at: 1, pid: 100, network: 'devnet' }], { nodeRuns: true, network: 'testnet' });
  assert.match(both.text, /while a deposit by Bob in the teaching demo on sandbox and a close \(withdraw\) on devnet were under way/);
  assert.match(both.text, /the SynChannel view shows your devnet channels once you Switch to devnet; .* The teaching demo's run ended with the window/);
  assert.deepEqual(both.actions.map((a) => a.title), ['Switch to devnet']);
});
