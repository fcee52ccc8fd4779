// Decorations of tree rows (a badge and a colour on the label, VS Code's FileDecoration): a state awaiting your
// signature, your own proposal awaiting the partner, and a close on chain the watcher challenges (the node
// decides). Rows carry a `synchannel-tree:` resourceUri whose query names the decoration.
import * as vscode from 'vscode';

export type DecorationKind = 'pending-me' | 'pending-partner' | 'stale';

export const DECORATION_SCHEME = 'synchannel-tree';

const DECORATIONS: Record<DecorationKind, vscode.FileDecoration> = {
  'pending-me': new vscode.FileDecoration('!', 'awaiting your signature', new vscode.ThemeColor('list.warningForeground')),
  'pending-partner': new vscode.FileDecoration('…', "awaiting your partner's signature", new vscode.ThemeColor('descriptionForeground')),
  stale: new vscode.FileDecoration('!', 'your watcher challenges the close on chain: a state of yours pays you more, or guards against a worse one', new vscode.ThemeColor('list.errorForeground')),
};

export function decorationUri(rowId: string, kind: DecorationKind): vscode.Uri {
  return vscode.Uri.from({ scheme: DECORATION_SCHEME, path: `/${encodeURIComponent(rowId)}`, query: `d=${kind}` });
}

export class TreeDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== DECORATION_SCHEME) return undefined;
    const kind = new URLSearchParams(uri.query).get('d') as DecorationKind | null;
    return kind ? DECORATIONS[kind] : undefined;
  }
}
