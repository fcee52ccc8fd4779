// A partner for the in-host tests: a `synchannel --json` CLI process (the extension's own dist/cli.js) on the
// devnet this window serves, driven through stdin. Ended with kill9() or exit(). And the set-up the partner files
// share: this window's devnet with the user's node on it, funded, and a partner there (devnetWithPartner, ended by
// endDevnetPartner), a channel opened with it (openWithPartner).
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ChannelView } from '../../../src/node/types.js';
import { JsonLinesProc } from '../../helpers/json-lines.js';
import { EXTENSION_ID, api, until } from './helpers.js';

export type { Json } from '../../helpers/json-lines.js';

export class Partner extends JsonLinesProc {
  constructor(extensionPath: string, args: string[]) {
    // The extension host's executable is node (code-server) or Electron (desktop), which runs as node with this.
    super([join(extensionPath, 'dist', 'cli.js'), '--json', ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  }
}

type Ext = Awaited<ReturnType<typeof api>>;

export interface DevnetPartner {
  ext: Ext;
  devnetUrl: string;
  /** a temporary folder: the partner's data is in its `partner` folder */
  dir: string;
  partner: Partner;
  /** a CLI process on this devnet with the data folder given */
  cli(data: string): Partner;
  /** the user's first channel */
  channel(): ChannelView;
}

/**
 * This window serves a devnet (channels opened here have a 120 s challenge window), the user's node runs on it with
 * 20 TON from its faucet, and a partner (a CLI node, 20 TON too) runs there. `ownFolder`: the user's node keeps its
 * data in a folder of this set-up's (synchannel.dataDir), so that the channels it opens are not left in the default
 * devnet folder for the next file's node, on another devnet.
 */
export async function devnetWithPartner(o: { ownFolder?: boolean } = {}): Promise<DevnetPartner> {
  const ext = await api();
  // the challenge period of channels the user opens, from the settings to the node
  await vscode.workspace.getConfiguration('synchannel').update('challengePeriod', 120, vscode.ConfigurationTarget.Global);
  const dir = mkdtempSync(join(tmpdir(), 'synchannel-partner-'));
  if (o.ownFolder) await vscode.workspace.getConfiguration('synchannel').update('dataDir', join(dir, 'me'), vscode.ConfigurationTarget.Global);
  const devnetUrl = ((await vscode.commands.executeCommand('synchannel.startDevnet', 0)) as string | undefined) ?? '';
  assert.ok(devnetUrl, `startDevnet: ${JSON.stringify(ext.lastFailure())}`);
  assert.equal(await vscode.commands.executeCommand('synchannel.switchNetwork', 'devnet'), 'devnet', JSON.stringify(ext.lastFailure()));
  assert.ok(await vscode.commands.executeCommand('synchannel.faucet', '20'), JSON.stringify(ext.lastFailure()));
  const extensionPath = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
  const cli = (data: string) => new Partner(extensionPath, ['--chain', 'devnet', '--devnet-url', devnetUrl, '--data', data]);
  const partner = cli(join(dir, 'partner'));
  await partner.event('ready');
  await partner.run('faucet 20');
  const channel = (): ChannelView => {
    const ch = ext.test.channels('me')[0];
    assert.ok(ch, 'the user has a channel');
    return ch;
  };
  return { ext, devnetUrl, dir, partner, cli, channel };
}

/** Ends what devnetWithPartner set up: the partner, the user's node (Stop asks first while it guards a channel), the settings (the data folder too), the devnet, the folder. */
export async function endDevnetPartner(d: DevnetPartner | undefined): Promise<void> {
  if (!d) return;
  const { ext, partner, dir } = d;
  await partner.kill9();
  // the node guards a closing channel: Stop asks first
  if (ext.test.channels('me').some((c) => ['locked', 'open', 'closing'].includes(c.phase))) ext.test.answer({ confirm: 'Stop the Node' });
  await vscode.commands.executeCommand('synchannel.stopNode');
  await vscode.workspace.getConfiguration('synchannel').update('network', undefined, vscode.ConfigurationTarget.Global);
  await vscode.workspace.getConfiguration('synchannel').update('challengePeriod', undefined, vscode.ConfigurationTarget.Global);
  await vscode.workspace.getConfiguration('synchannel').update('dataDir', undefined, vscode.ConfigurationTarget.Global);
  await vscode.commands.executeCommand('synchannel.stopDevnet');
  rmSync(dir, { recursive: true, force: true });
}

/** The partner serves on the loopback; the user connects and opens a channel (2 TON theirs, 1 TON the partner's), which the partner accepts: open, with the initial state. */
export async function openWithPartner(d: DevnetPartner): Promise<void> {
  const { ext, partner } = d;
  const served = await partner.run('serve 0 127.0.0.1');
  const addr = (served.lan as string[]).find((a) => a.startsWith('/ip4/127.0.0.1/'))!;
  assert.ok(await vscode.commands.executeCommand('synchannel.connect', addr), JSON.stringify(ext.lastFailure()));
  assert.ok(await vscode.commands.executeCommand('synchannel.open', '2', '1'), JSON.stringify(ext.lastFailure()));
  await partner.event('channelProposed');
  await partner.run('deposit');
  await until('the channel open on the user side', async () => {
    await ext.test.settle();
    return ext.test.channels('me')[0]?.phase === 'open' && ext.test.channels('me')[0]?.latest;
  }, 90_000);
}
