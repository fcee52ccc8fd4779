// Which VS Code runs the in-host suite. Desktop VS Code through @vscode/test-electron, as extension authors expect,
// when it can be downloaded (or is cached in .vscode-test/); else code-server, which works offline.
//   SYNCHANNEL_VSCODE_HOST=auto (default)  try the download, bounded to a few seconds; fall back to code-server
//   SYNCHANNEL_VSCODE_HOST=electron        desktop VS Code or a clear failure, no fallback
//   SYNCHANNEL_VSCODE_HOST=code-server     no download attempt at all
// SYNCHANNEL_VSCODE_VERSION picks the desktop version (default: the newest stable that satisfies engines.vscode).
import { join } from 'node:path';
import { REPO_ROOT, VsCodeHostError, type Log } from './common.js';

export const HOST_ENV = 'SYNCHANNEL_VSCODE_HOST';
export const HOST_MODES = ['auto', 'electron', 'code-server'] as const;
export type HostMode = (typeof HOST_MODES)[number];

export type HostChoice = { host: 'electron'; executablePath: string; reason: string } | { host: 'code-server'; reason: string };

/**
 * Gets desktop VS Code and resolves with its executable. `timeoutMs` bounds each request (and each stall of a
 * download); call `onAnswer` once the download service (or a cached install) has answered, which lifts the
 * overall bound of chooseHost: a real download may take minutes.
 */
export type VsCodeDownload = (opts: { timeoutMs: number; onAnswer: () => void; log: Log }) => Promise<string>;

/** The mode SYNCHANNEL_VSCODE_HOST asks for; throws on anything but auto, electron, code-server (or unset). */
export function hostMode(env: NodeJS.ProcessEnv = process.env): HostMode {
  const value = env[HOST_ENV]?.trim().toLowerCase() || 'auto';
  if ((HOST_MODES as readonly string[]).includes(value)) return value as HostMode;
  throw new VsCodeHostError('HOST_CHOICE_FAILED', `${HOST_ENV}=${env[HOST_ENV]} is not one of ${HOST_MODES.join(', ')}`);
}

/** @vscode/test-electron's download into .vscode-test/ (reused when already there). */
export const downloadDesktopVsCode: VsCodeDownload = async ({ timeoutMs, onAnswer, log }) => {
  const { downloadAndUnzipVSCode } = await import('@vscode/test-electron');
  const answered = new Set(['resolvedVersion', 'foundMatchingInstall', 'resolvingCDNLocation', 'downloading']);
  const version = process.env.SYNCHANNEL_VSCODE_VERSION;
  return downloadAndUnzipVSCode({
    ...(version ? { version } : {}),
    cachePath: join(REPO_ROOT, '.vscode-test'),
    extensionDevelopmentPath: REPO_ROOT,
    timeout: timeoutMs,
    reporter: {
      report(r) {
        if (answered.has(r.stage)) onAnswer();
        if (r.stage !== 'downloading') log(`[test-electron] ${r.stage}${'version' in r ? ` ${r.version}` : ''}`);
      },
      error(err) {
        log(`[test-electron] ${String(err)}`);
      },
    },
  });
};

export interface ChooseOptions {
  mode: HostMode;
  download?: VsCodeDownload;
  /** Bound on the attempt until the download service answers (default 5 s). */
  probeTimeoutMs?: number;
  /** Where the choice is printed (default console.log). */
  print?: Log;
  log?: Log;
}

/** Picks the host for the in-host suite and prints the choice and why. */
export async function chooseHost(opts: ChooseOptions): Promise<HostChoice> {
  const print = opts.print ?? ((line: string) => console.log(line));
  const choice = await decide(opts);
  print(`VS Code host: ${choice.host} (${choice.reason})`);
  return choice;
}

async function decide(opts: ChooseOptions): Promise<HostChoice> {
  if (opts.mode === 'code-server') return { host: 'code-server', reason: `${HOST_ENV}=code-server: no desktop download attempted` };
  const timeoutMs = opts.probeTimeoutMs ?? 5_000;
  const t0 = Date.now();
  try {
    const executablePath = await boundedDownload(opts.download ?? downloadDesktopVsCode, timeoutMs, opts.log ?? (() => {}));
    return { host: 'electron', executablePath, reason: `${opts.mode === 'auto' ? 'auto: ' : ''}desktop VS Code at ${executablePath}` };
  } catch (err) {
    const why = `${err instanceof Error ? err.message : String(err)} (after ${((Date.now() - t0) / 1000).toFixed(1)} s)`;
    if (opts.mode === 'electron') {
      throw new VsCodeHostError(
        'ELECTRON_UNAVAILABLE',
        `${HOST_ENV}=electron, but @vscode/test-electron could not get desktop VS Code: ${why}. ` +
          `It needs update.code.visualstudio.com (or a copy already in .vscode-test/). ` +
          `Set ${HOST_ENV}=code-server (or auto) to run in the offline code-server host instead.`,
        { cause: err },
      );
    }
    return { host: 'code-server', reason: `auto: desktop VS Code could not be downloaded: ${why}; falling back to code-server` };
  }
}

/** Runs the download, failing after `timeoutMs` (plus a grace for the request's own timeout) if nothing answered. */
async function boundedDownload(download: VsCodeDownload, timeoutMs: number, log: Log): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the VS Code download service within ${timeoutMs / 1000} s`)), timeoutMs + 1_000);
  });
  const onAnswer = () => clearTimeout(timer);
  try {
    return await Promise.race([download({ timeoutMs, onAnswer, log }), expired]);
  } finally {
    clearTimeout(timer);
  }
}
