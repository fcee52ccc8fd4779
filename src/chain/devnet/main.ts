// `synchannel devnet [--port N] [--data DIR]`, also runnable alone:
//   node --import tsx src/chain/devnet/main.ts --port 0 --data DIR
// Prints exactly one line `devnet listening on http://127.0.0.1:PORT` first, then where the data lives,
// how to point a node at it, and one log line per change. SIGINT / SIGTERM save the chain and exit.
// `synchannel devnet --json` (io.json): the same as one object per line, `event` first (listening, data, log, ...).
import '../../polyfill.js';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { startDevnet, type DevnetServer } from './server.js';
import { DevnetError } from './errors.js';
import { SYNCHANNEL_VERSION } from '../../core/version.js';

/** The port `synchannel devnet` listens on by default (the CLI's default --devnet-url points here). */
export const DEFAULT_DEVNET_PORT = 8081;
export const DEFAULT_DEVNET_DATA_DIR = join(homedir(), '.synchannel', 'devnet');

export interface DevnetMainIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Installs SIGINT/SIGTERM handlers that save and exit (default true). */
  handleSignals?: boolean;
  /**
   * `--json`: each line said is one object given here instead (`event`: listening, data, log, warning, stopping,
   * version, fatal), no text; the caller writes it as one JSON line.
   */
  json?: (o: Record<string, unknown>) => void;
}

/** What a line of the devnet says, as text or (io.json) as one object. */
function sayer(io: DevnetMainIo) {
  const { json } = io;
  const time = () => new Date().toISOString();
  return {
    /** a log line (`to`: stderr in text, for the lines before a failed start) */
    log: (message: string, at = time(), to = io.out) => (json ? json({ event: 'log', time: at, message }) : to(`[${at}] ${message}`)),
    fatal: (code: string, message: string, hint?: string) => (json ? json({ event: 'fatal', code, message, ...(hint ? { hint } : {}) }) : io.err(`devnet: ${message}${code === 'ERROR' ? '' : ` [${code}]`}`)),
  };
}

function parsePort(value: string): number {
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535 (0 picks a free port).');
  return Number(value);
}

const isLoopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');

/**
 * Runs the devnet with command-line flags (the words after `devnet`). Resolves to the running server once
 * it listens, or to undefined after printing the problem (process.exitCode is then 1) or the help.
 */
export async function devnetMain(argv: string[], io: DevnetMainIo = { out: (l) => console.log(l), err: (l) => console.error(l) }): Promise<DevnetServer | undefined> {
  // named as typed (`synchannel devnet`), with how nodes use it after the options, as the main --help says its own
  const said: string[] = [];
  const program = new Command('synchannel devnet')
    .description('Serve one local TON sandbox chain over HTTP (toncenter v2 JSON-RPC) on 127.0.0.1, kept in a data directory across restarts, for several nodes to share.')
    .option('-p, --port <n>', 'TCP port (0 picks a free one)', parsePort, DEFAULT_DEVNET_PORT)
    .option('--host <host>', 'interface to bind (keep it on loopback)', '127.0.0.1')
    .option('--data <dir>', 'directory that keeps the chain', DEFAULT_DEVNET_DATA_DIR)
    .version(`synchannel ${SYNCHANNEL_VERSION} devnet`, '-V, --version', 'print the version and exit')
    .addHelpText('after', `
Then start each node with --chain devnet --devnet-url http://127.0.0.1:${DEFAULT_DEVNET_PORT} (the port you chose) and its own --data.
It also answers POST /devnet/faucet {"address","amount"} (nanotons, 100 TON when left out) and
POST /devnet/advanceTime {"seconds"}. Ctrl+C (SIGINT) or SIGTERM saves the chain and stops it.`)
    .showHelpAfterError('(see synchannel devnet --help)')
    .exitOverride()
    // with --json, commander's text (help, version, a usage error) is said as one object below, not printed
    .configureOutput({ writeOut: (s) => void (io.json ? said.push(s.trimEnd()) : io.out(s.trimEnd())), writeErr: (s) => void (io.json ? undefined : io.err(s.trimEnd())) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      const usage = e.code !== 'commander.helpDisplayed' && e.code !== 'commander.version';
      if (usage) process.exitCode = 1;
      if (io.json && e.code === 'commander.version') io.json({ event: 'version', version: SYNCHANNEL_VERSION });
      if (io.json && e.code === 'commander.helpDisplayed') io.json({ event: 'help', usage: `${said.join('\n')}\n` });
      if (io.json && usage) io.json({ event: 'fatal', code: 'USAGE', message: e.message.replace(/^error: /, ''), hint: 'see synchannel devnet --help' });
      return undefined;
    }
    throw e;
  }
  const opts = program.opts<{ port: number; host: string; data: string }>();
  const dataDir = resolve(opts.data);

  // Log lines wait until the "listening" line is out, so that line is always the first.
  const say = sayer(io);
  const pending: [string, string][] = [];
  let ready = false;
  const log = (line: string) => {
    if (ready) say.log(line);
    else pending.push([line, new Date().toISOString()]);
  };

  let server: DevnetServer;
  try {
    server = await startDevnet({ port: opts.port, host: opts.host, dataDir, log });
  } catch (e) {
    for (const [line, at] of pending) say.log(line, at, io.err);
    say.fatal(e instanceof DevnetError ? e.code : 'ERROR', e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
    return undefined;
  }
  // The handlers are in place before the first line: a signal sent as soon as it is read still saves.
  if (io.handleSignals ?? true) {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.exit(130);
      }
      stopping = true;
      if (io.json) io.json({ event: 'stopping', signal, time: new Date().toISOString(), message: 'saving and stopping' });
      else io.out(`[${new Date().toISOString()}] ${signal}: saving and stopping`);
      server.close().then(
        () => process.exit(0),
        (e: unknown) => {
          say.fatal(e instanceof DevnetError ? e.code : 'ERROR', `could not save on exit: ${e instanceof Error ? e.message : String(e)}`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  }
  banner(io, server, dataDir, isLoopback(opts.host) ? null : `bound to ${opts.host}, which other machines may reach; the devnet has no authentication.`);
  ready = true;
  for (const [line, at] of pending.splice(0)) say.log(line, at);

  return server;
}

/** The first lines: where it listens (always the first), where the chain is kept, how a node uses it. */
function banner(io: DevnetMainIo, server: DevnetServer, dataDir: string, warning: string | null): void {
  const { url } = server;
  if (io.json) {
    io.json({ event: 'listening', url, nodeFlags: `--chain devnet --devnet-url ${url}`, jsonRpcUrl: server.jsonRpcUrl, faucet: `${url}/devnet/faucet`, advanceTime: `${url}/devnet/advanceTime` });
    io.json({ event: 'data', dataDir, message: 'the chain persists here across restarts' });
    if (warning) io.json({ event: 'warning', message: warning });
    return;
  }
  io.out(`devnet listening on ${url}`);
  io.out(`data: ${dataDir} (the chain persists here across restarts)`);
  io.out(`point a node at it: --chain devnet --devnet-url ${url}`);
  io.out(`TonClient endpoint: ${server.jsonRpcUrl}; faucet: POST ${url}/devnet/faucet {"address","amount"}; time: POST ${url}/devnet/advanceTime {"seconds"}`);
  if (warning) io.err(`warning: ${warning}`);
}

function isEntry(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  void devnetMain(process.argv.slice(2));
}
