// `synchannel devnet [--port N] [--data DIR]`, also runnable alone:
//   node --import tsx src/chain/devnet/main.ts --port 0 --data DIR
// Prints exactly one line `devnet listening on http://127.0.0.1:PORT` first, then where the data lives,
// how to point a node at it, and one log line per change. SIGINT / SIGTERM save the chain and exit.
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
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code !== 'commander.helpDisplayed' && e.code !== 'commander.version') process.exitCode = 1;
      return undefined;
    }
    throw e;
  }
  const opts = program.opts<{ port: number; host: string; data: string }>();
  const dataDir = resolve(opts.data);

  // Log lines wait until the "listening" line is out, so that line is always the first.
  const pending: string[] = [];
  let ready = false;
  const log = (line: string) => {
    const stamped = `[${new Date().toISOString()}] ${line}`;
    if (ready) io.out(stamped);
    else pending.push(stamped);
  };

  let server: DevnetServer;
  try {
    server = await startDevnet({ port: opts.port, host: opts.host, dataDir, log });
  } catch (e) {
    for (const line of pending) io.err(line);
    io.err(`devnet: ${e instanceof DevnetError ? `${e.message} [${e.code}]` : e instanceof Error ? e.message : String(e)}`);
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
      io.out(`[${new Date().toISOString()}] ${signal}: saving and stopping`);
      server.close().then(
        () => process.exit(0),
        (e: unknown) => {
          io.err(`devnet: could not save on exit: ${e instanceof Error ? e.message : String(e)}`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  }
  io.out(`devnet listening on ${server.url}`);
  io.out(`data: ${dataDir} (the chain persists here across restarts)`);
  io.out(`point a node at it: --chain devnet --devnet-url ${server.url}`);
  io.out(`TonClient endpoint: ${server.jsonRpcUrl}; faucet: POST ${server.url}/devnet/faucet {"address","amount"}; time: POST ${server.url}/devnet/advanceTime {"seconds"}`);
  if (!isLoopback(opts.host)) io.err(`warning: bound to ${opts.host}, which other machines may reach; the devnet has no authentication.`);
  ready = true;
  for (const line of pending.splice(0)) io.out(line);

  return server;
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
