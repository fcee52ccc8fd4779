// A data folder that holds a key folder (wallet.pk and wallet.addr: a CLI node run on it, say) of another key than
// the one this window's node runs with: channels that key opened there are not this key's. Said once per start of
// the node, with Import Key Folder (which makes that key the window's for the network).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { NodeHost } from './host.js';
import { keyFolderKey } from './nodeFactory.js';
import type { Prompts } from './prompts.js';

/** The wallet of the key folder in `dir` when it is not `account` (null: none there, the same, or unreadable). */
export async function foreignKeyFolder(dir: string, account: string): Promise<string | null> {
  if (!existsSync(join(dir, 'wallet.pk'))) return null;
  const key = await keyFolderKey(dir).catch(() => null);
  return key && key.account !== account ? key.account : null;
}

/** Tells, once per start of the user's node, of a key folder of another key in its data folder. */
export function foreignKeyNotices(host: NodeHost, prompts: Prompts): vscode.Disposable {
  let told: unknown = null;
  return host.onDidChange(() => {
    const node = host.mainNode;
    const dir = host.runningDataDir;
    const network = host.runningNetwork;
    if (!node || !dir || !network || told === node) return;
    told = node;
    void foreignKeyFolder(dir, node.api.getAccount()).then(async (other) => {
      if (!other || host.mainNode !== node) return;
      const pick = await prompts.notify(
        'warning',
        `SynChannel: the ${network} data folder ${dir} holds a key folder (wallet.pk) of another key, wallet ${other}, not this window's ${node.api.getAccount()}: ` +
          `channels opened there with that key (by the command line, say) are not this key's. To run that key here, Import Key Folder; otherwise move wallet.pk and wallet.addr out of the data folder.`,
        'Import Key Folder',
      );
      if (pick === 'Import Key Folder') void vscode.commands.executeCommand('synchannel.importKeyFolder', dir, network);
    });
  });
}
