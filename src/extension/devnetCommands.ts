// The local devnet this window serves: Start Devnet (one at a time: a second one on another port asks whether to
// use the one running or stop it first) and Stop Devnet (a node on it stops first, asked about first).
import * as vscode from 'vscode';
import type { CommandContext, CommandName, Handler } from './commands.js';
import { onServedDevnet } from './guards.js';
import { confirmStop } from './setupCommands.js';
import { cancelled } from './ui.js';
import { ExtensionError } from './util.js';
import type { DevnetServer } from './nodeFactory.js';

async function startDevnet(c: CommandContext, p: unknown): Promise<string | undefined> {
  let port = p === undefined ? undefined : Number(p);
  if (port === undefined) {
    const url = vscode.workspace.getConfiguration('synchannel').get<string>('devnetUrl', 'http://127.0.0.1:8081');
    try {
      port = Number(new URL(url).port || 80);
    } catch {
      throw new ExtensionError('BAD_INPUT', `synchannel.devnetUrl is not a URL (${url}): set it to the devnet's address, such as http://127.0.0.1:8081, or give Start Devnet a port`);
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ExtensionError('BAD_INPUT', `port ${String(p)}: a port is a whole number from 0 to 65535`);
  // one devnet per window (one chain folder): another port asks first, instead of joining the one running silently;
  // a start under way on another port (or on any free one) is waited for, then asked about as the one running
  await c.host.devnets.startedOtherThan(port);
  const other = c.host.devnets.runningOtherThan(port);
  if (other && (await useOther(c, port, other.url))) return other.url;
  const begin = async (): Promise<DevnetServer> => await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'SynChannel: starting the devnet…' }, () => c.host.devnets.start(port));
  const server = await begin().catch(async (e: unknown) => {
    // a start begun on another port just after the look above: asked about once it is up, as one running
    const up = (e as { code?: string }).code === 'DEVNET_DATA_LOCKED' && !other ? c.host.devnets.runningOtherThan(port) : null;
    if (!up) throw e;
    return (await useOther(c, port, up.url)) ? up : begin();
  });
  void c.info(`devnet serving at ${server.url}`);
  return server.url;
}

/** A devnet runs on another port than `port`: Use It (true), or Stop It (stopped: false); cancelled otherwise. */
async function useOther(c: CommandContext, port: number, url: string): Promise<boolean> {
  const use = 'Use It';
  const stop = `Stop It, Then Start on Port ${port}`;
  const was = new URL(url).port;
  const pick = await c.prompts.confirm(
    `A devnet already runs in this window, on port ${was}.`,
    `It serves at ${url}. A window runs one devnet (its chain is kept in one folder). Use It keeps that devnet; ${stop} stops it (and your node, if it runs on it: asked first), then starts a devnet on port ${port} with the same chain.`,
    use,
    stop,
  );
  if (pick === use) {
    void c.info(`devnet serving at ${url}`);
    return true;
  }
  if (pick !== stop) throw cancelled();
  await stopDevnet(c);
  return false;
}

async function stopDevnet(c: CommandContext): Promise<boolean> {
  await c.host.startSettled(); // a node starting on the devnet is asked about as a running one
  const url = c.host.devnets.current?.url ?? null;
  // a node on this devnet has no chain once it stops: asked about first, it stops first, and is said to;
  // a node on another devnet goes on
  const onIt = onServedDevnet(url, c.host.runningNetwork, c.host.runningEndpoint);
  if (onIt) await confirmStop(c, 'Stop the devnet', 'Stop the Devnet');
  if (onIt) await c.host.stopNode();
  const stopped = await c.host.devnets.stop();
  const node = onIt ? `, and your node with it: it ran on that devnet (${url}). Start the Devnet, then Start the Node, to go on` : '';
  void c.info(stopped ? `devnet stopped${node}` : 'the devnet was not running in this window');
  return stopped;
}

export function devnetCommands(c: CommandContext): Partial<Record<CommandName, Handler>> {
  return {
    startDevnet: (p) => startDevnet(c, p),
    stopDevnet: () => stopDevnet(c),
  };
}
