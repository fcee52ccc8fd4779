// The code-server host's installation: scripts/setup-vscode-host.sh puts code-server (VS Code 1.100.3, from npm)
// into .vscode-test/host; Debian's Chromium draws its workbench.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_HOST_DIR, REPO_ROOT, VsCodeHostError, runProcess, tail, type Log } from './common.js';

const SETUP_SCRIPT = join(REPO_ROOT, 'scripts', 'setup-vscode-host.sh');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SETUP_HELP =
  'Set the host up once with `scripts/setup-vscode-host.sh` as root (it needs apt for chromium, ripgrep, ' +
  'libkrb5-dev, pkg-config and the npm registry for code-server@4.100.3); see the script header.';

export interface HostInstall {
  readonly dir: string;
  /** code-server's entry script (run with `node`). */
  readonly entry: string;
  /** The node binary code-server wants (ours, or one the setup script fetched from npm). */
  readonly node: string;
  /** Whether this call ran the setup script, and how long it took. */
  readonly installedNow: boolean;
  readonly setupMs: number;
}

function installedHost(dir: string): Omit<HostInstall, 'installedNow' | 'setupMs'> | undefined {
  const entry = join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(join(dir, '.setup-complete')) || !existsSync(entry) || !existsSync(CHROMIUM)) return undefined;
  const nodeFile = join(dir, 'node-bin-path');
  const node = existsSync(nodeFile) ? readFileSync(nodeFile, 'utf8').trim() : process.execPath;
  return { dir, entry, node };
}

/**
 * Returns the installed host, running scripts/setup-vscode-host.sh first when it is missing
 * (unless `install: false`). Throws VsCodeHostError HOST_SETUP_FAILED with the script's last
 * lines and what to do when it cannot be set up (e.g. not root, no apt, no registry).
 */
export async function ensureHost(opts: { dir?: string; install?: boolean; log?: Log } = {}): Promise<HostInstall> {
  const dir = opts.dir ?? DEFAULT_HOST_DIR;
  const ready = installedHost(dir);
  if (ready) return { ...ready, installedNow: false, setupMs: 0 };
  if (opts.install === false) throw new VsCodeHostError('HOST_SETUP_FAILED', `no VS Code host in ${dir}. ${SETUP_HELP}`);
  const t0 = Date.now();
  const { code, output } = await runProcess('bash', [SETUP_SCRIPT, dir], { log: opts.log, timeoutMs: 15 * 60_000 });
  const done = installedHost(dir);
  if (code !== 0 || !done) {
    throw new VsCodeHostError(
      'HOST_SETUP_FAILED',
      `could not set up the VS Code host in ${dir} (setup script exit ${code}):\n${tail(output)}\n${SETUP_HELP}`,
    );
  }
  return { ...done, installedNow: true, setupMs: Date.now() - t0 };
}
