// Context keys for `when` clauses (welcome views per situation, menus, key bindings), kept in step with the host
// and the model: synchannel.nodeState, .nodeRunning, .network, .hasKey, .channelCount, .serving, .partnersOnline,
// .demoRunning, .demoStarting.
import * as vscode from 'vscode';
import type { NodeHost } from './host.js';
import type { ModelBuilder } from './model.js';

export function contextKeys(host: NodeHost, model: ModelBuilder): vscode.Disposable & { value(key: string): unknown } {
  const last = new Map<string, unknown>();
  const set = (key: string, value: unknown) => {
    if (last.get(key) === value) return;
    last.set(key, value);
    void vscode.commands.executeCommand('setContext', `synchannel.${key}`, value);
  };
  let seq = 0;
  const update = async () => {
    const mine = ++seq;
    const me = model.current.nodes.find((n) => n.node.id === 'me');
    // the node running here (a switch not made in this window leaves it on its network), else the one set
    const network = host.runningNetwork ?? host.network;
    const hasKey = await host.keys.hasKey(network);
    if (mine !== seq) return;
    set('nodeState', host.status);
    set('nodeRunning', host.status === 'running');
    set('network', network);
    set('hasKey', hasKey);
    set('channelCount', me?.channels.length ?? 0);
    set('serving', !!me?.served && me.served.lan.length + me.served.wan.length > 0);
    set('partnersOnline', me?.partners.filter((p) => p.online).length ?? 0);
    set('demoRunning', host.demos.session !== null);
    set('demoStarting', host.demos.starting);
  };
  void update();
  const subs = [host.onDidChange(() => void update()), model.onDidUpdate(() => void update())];
  return { dispose: () => subs.forEach((s) => s.dispose()), value: (key) => last.get(key) };
}
