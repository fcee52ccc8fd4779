// Partner events become notifications with actions (the user's node; the demo's parties only log).
import * as vscode from 'vscode';
import type { HostedEvent, NodeHost } from './host.js';
import { formatTon, stateLine } from './util.js';

export function partnerNotifications(host: NodeHost): vscode.Disposable {
  return host.onNodeEvent(({ node, event }: HostedEvent) => {
    if (node.id !== 'me') return;
    const target = (channel: string) => ({ party: node.id, channel });
    const run = (cmd: string, arg: unknown) => void vscode.commands.executeCommand(cmd, arg);
    switch (event.type) {
      case 'partnerConnected':
        void vscode.window.showInformationMessage(`SynChannel: partner connected: ${event.partner.address}`);
        return;
      case 'partnerDisconnected':
        void vscode.window.showWarningMessage(`SynChannel: partner disconnected: ${event.partner.address}`);
        return;
      case 'channelProposed':
        void vscode.window
          .showInformationMessage(
            `SynChannel: your partner proposes a channel: you deposit ${formatTon(event.channel.me === 'A' ? event.channel.expectedDepositA : event.channel.expectedDepositB)} TON`,
            'Deposit',
          )
          .then((pick) => pick && run('synchannel.deposit', target(event.channel.id)));
        return;
      case 'stateReceived': {
        const initial = event.state.step === 0n;
        void vscode.window
          .showInformationMessage(`SynChannel: ❗ Received ${initial ? 'initial' : 'new'} state ❗ Step ${event.state.step}: ${stateLine(event.state)}`, 'Sign', 'Show')
          .then((pick) => {
            if (pick === 'Sign') run('synchannel.sign', target(event.channel.id));
            if (pick === 'Show') run('synchannel.showAll', target(event.channel.id));
          });
        return;
      }
      case 'turnRequested':
        void vscode.window
          .showInformationMessage('SynChannel: your partner requested the turn', 'Pass')
          .then((pick) => pick && run('synchannel.createEmpty', target(event.channel.id)));
        return;
      case 'closeStarted':
        if (!event.byPartner) return;
        void vscode.window
          .showWarningMessage(`SynChannel: your partner sent the state (Step ${event.step}) to the smart contract`, 'Show')
          .then((pick) => pick && run('synchannel.showAll', target(event.channel.id)));
        return;
      case 'challenged':
        if (event.byMe) void vscode.window.showInformationMessage(`SynChannel: the watcher challenged a stale close with Step ${event.step}`);
        return;
      case 'closed':
        void vscode.window.showInformationMessage(`SynChannel: channel closed: A gets ${formatTon(event.payoutA)} TON, B gets ${formatTon(event.payoutB)} TON`);
        return;
      case 'error':
        void vscode.window.showErrorMessage(`SynChannel: ${event.message}`);
        return;
      default:
        return;
    }
  });
}
