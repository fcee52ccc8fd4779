// The tree rows' menus in the manifest, for the context values src/extension/tree.ts gives its rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { itemMenus, type ItemMenu } from '../helpers/menus.js';
import { REPO_ROOT } from '../vscode/common.js';

const menus = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { contributes: { menus: Record<string, ItemMenu[]> } }).contributes.menus['view/item/context']!;
const inline = (contextValue: string) => itemMenus(menus, contextValue).filter((m) => m.group?.startsWith('inline')).map((m) => m.command);

test("a partner's proposal offers Deposit on its row, beside the balances; an open channel offers its moves", () => {
  assert.deepEqual(inline('channel can-deposit can-decline'), ['synchannel.deposit', 'synchannel.openBalances']);
  assert.deepEqual(inline('channel can-send can-withdraw'), ['synchannel.send', 'synchannel.openBalances']);
});

test('a channel the node could not load offers nothing (each action would fail, or act on another channel)', () => {
  assert.deepEqual(itemMenus(menus, 'broken'), []);
});

test('the palette lists the commands that act on a channel only while a node runs (yours or the demo): with none they could only fail', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { contributes: { menus: { commandPalette: { command: string; when: string }[] } } };
  const when = new Map(pkg.contributes.menus.commandPalette.map((m) => [m.command.replace('synchannel.', ''), m.when]));
  const onChannel = ['send', 'sign', 'createEmpty', 'requestEmpty', 'withdraw', 'showAll', 'showLast', 'getPartnerAccount', 'getSmartContractAccount', 'balanceContract', 'balanceChan', 'refund', 'leave', 'decline', 'challenge', 'finish', 'channels', 'export'];
  for (const c of onChannel) assert.equal(when.get(c), 'synchannel.nodeRunning || synchannel.demoRunning', c);
  // what starts your node by itself stays listed
  for (const c of ['serve', 'connect', 'open', 'deposit', 'balanceTon', 'getAccount', 'getSeqno', 'import']) assert.equal(when.get(c), undefined, c);
});
