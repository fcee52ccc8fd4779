// The extension's log: the "SynChannel" output channel, with every secret the key store has seen redacted, and the
// last lines kept for the tests (which check what it says, and that it says it once).
import * as vscode from 'vscode';
import { Redactor } from './util.js';

export type LogLevel = 'info' | 'warn' | 'error';

export class HostLog {
  readonly redactor = new Redactor();
  private readonly recent: string[] = [];

  constructor(
    private readonly out: vscode.LogOutputChannel,
    /** in the in-host tests the log also goes to the console (the harness shows it); never outside tests */
    private readonly toConsole: boolean,
  ) {}

  log(line: string, level: LogLevel = 'info'): void {
    const text = this.redactor.redact(line);
    this.recent.push(text);
    if (this.recent.length > 500) this.recent.shift();
    if (this.toConsole) console.log(`[synchannel ${level}] ${text}`);
    if (level === 'error') this.out.error(text);
    else if (level === 'warn') this.out.warn(text);
    else this.out.info(text);
  }

  /** The last lines of the log. */
  recentLog(): string[] {
    return [...this.recent];
  }

  show(): void {
    this.out.show(true);
  }
}
