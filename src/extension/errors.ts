// How a failed command is shown in VS Code: a toast at its level with its next steps as buttons, "Copy Details"
// and, for a failure, "Show Log" (what it says and offers: nextSteps.ts). Cancellations are silent (unless something
// was already sent: a warning). A failure whose cause was shown just before is not shown again (sameCause.ts).
import * as vscode from 'vscode';
import type { ErrorCode } from '../core/errors.js';
import type { Prompts } from './prompts.js';
import { commandOf, describeFailure, type FailureContext, type ShownFailure } from './nextSteps.js';

export { TESTNET_GIVER, type FailureContext, type ShownFailure } from './nextSteps.js';

/** Shows a failure with its next step; returns what was shown (null for a cancellation). */
export function showFailure(prompts: Prompts, code: ErrorCode, message: string, c: FailureContext, showLog: () => void, err?: unknown): ShownFailure | null {
  const d = describeFailure(code, message, c, err);
  if (!d) return null;
  const { level, text, buttons } = d;
  if (d.repeat) return { level, text, buttons, repeat: true };
  void prompts.notify(level, text, ...buttons).then((pick) => {
    if (!pick) return;
    if (pick === 'Show Log') return showLog();
    if (pick === 'Copy Details') return void vscode.env.clipboard.writeText(`[${code}] ${message}${d.hint ? `\nnext: ${d.hint}` : ''}`);
    const run = commandOf(d, pick, c.target);
    if (run) void vscode.commands.executeCommand(run.command, ...run.args);
  });
  return { level, text, buttons };
}
