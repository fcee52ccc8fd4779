// How a failed command is shown: by its code's level in the one vocabulary (src/core/codes.ts), never by its
// text. Cancellations are silent, situations the user can fix are warnings, failures are errors; each offers
// its next step as buttons, and "Copy Details".
import * as vscode from 'vscode';
import { levelOf, nextStep, type ErrorCode } from '../core/errors.js';

interface NextAction {
  title: string;
  command: string;
  args?: unknown[];
}

/** The buttons that take the user to the next step, per code. */
const NEXT: Partial<Record<ErrorCode, NextAction[]>> = {
  NODE_NOT_RUNNING: [
    { title: 'Serve', command: 'synchannel.serve' },
    { title: 'Connect', command: 'synchannel.connect' },
    { title: 'Open Teaching Demo', command: 'synchannel.openTeachingDemo' },
  ],
  NO_KEY: [
    { title: 'Create Key', command: 'synchannel.createKey' },
    { title: 'Import Mnemonic', command: 'synchannel.importMnemonic' },
  ],
  NO_PARTNER: [
    { title: 'Serve', command: 'synchannel.serve' },
    { title: 'Connect', command: 'synchannel.connect' },
  ],
  NO_CHANNEL: [{ title: 'Open a Channel', command: 'synchannel.open' }],
  NOT_YOUR_TURN: [{ title: 'Request the Turn', command: 'synchannel.requestEmpty' }],
  PENDING_STATE: [{ title: 'Sign', command: 'synchannel.sign' }],
  INSUFFICIENT_FUNDS: [{ title: 'Get Test Coins', command: 'synchannel.faucet' }],
  NO_FUNDS: [{ title: 'Get Test Coins', command: 'synchannel.faucet' }],
  API_KEY_REJECTED: [{ title: 'Set Testnet API Key', command: 'synchannel.setTestnetApiKey' }],
  ENDPOINT_UNREACHABLE: [{ title: 'Switch Network', command: 'synchannel.switchNetwork' }],
  CHALLENGE_FAILED: [{ title: 'Get Test Coins', command: 'synchannel.faucet' }],
};

export function showFailure(code: ErrorCode, message: string, showLog: () => void): void {
  const level = levelOf(code);
  if (level === 'cancelled') return;
  const actions = NEXT[code] ?? [];
  const hint = nextStep(code);
  const text = `SynChannel: ${message}${hint && !message.includes(hint) && !actions.length ? ` (${hint})` : ''}`;
  const buttons = [...actions.map((a) => a.title), 'Copy Details', ...(level === 'error' ? ['Show Log'] : [])];
  const shown = level === 'warning' ? vscode.window.showWarningMessage(text, ...buttons) : vscode.window.showErrorMessage(text, ...buttons);
  void shown.then((pick) => {
    if (!pick) return;
    if (pick === 'Show Log') return showLog();
    if (pick === 'Copy Details') return void vscode.env.clipboard.writeText(`[${code}] ${message}`);
    const a = actions.find((x) => x.title === pick);
    if (a) void vscode.commands.executeCommand(a.command, ...(a.args ?? []));
  });
}
