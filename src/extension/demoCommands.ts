// The teaching demo in VS Code: open it (asking before a running demo is thrown away), run its steps from the
// walkthrough or the step picker, replay the run in the balances panel. The walkthrough's ticks are reset for each
// run and set by the extension itself when a step has run (VS Code's onContext completion fires once a session).
import * as vscode from 'vscode';
import type { CommandContext, CommandName, Handler } from './commands.js';
import { WALKTHROUGH_ID } from './commands.js';
import type { DemoRunner, DemoSession } from './demoHost.js';
import { DEMO_STEP_IDS } from './nodeFactory.js';
import type { TreeElement } from './tree.js';
import { onChain } from './ui.js';
import { ExtensionError, errorCode } from './util.js';

const WALKTHROUGH_STEPS = ['start', ...DEMO_STEP_IDS] as const;

async function tick(id: string, done: boolean): Promise<void> {
  await vscode.commands.executeCommand(done ? 'welcome.markStepComplete' : 'welcome.markStepIncomplete', `${WALKTHROUGH_ID}#${id}`).then(undefined, () => undefined);
  if (id !== 'start') await vscode.commands.executeCommand('setContext', `synchannel.demo.${id}`, done);
}

/**
 * At activation: VS Code keeps the walkthrough's ticks across a window reload, but the demo run they tick was in
 * the window's memory and is gone, so they go too (a next step would only say "run … first"). Never while a demo
 * runs or starts (a click during activation): its own start resets the ticks and ticks "start". Returns whether
 * they were reset.
 */
export async function resetWalkthrough(demos: Pick<DemoRunner, 'session' | 'startingDemo'>): Promise<boolean> {
  for (const id of WALKTHROUGH_STEPS) {
    if (demos.session || demos.startingDemo) return false;
    await tick(id, false);
  }
  return true;
}

/** Shows the SynChannel view without taking the keyboard focus (a quick pick may be open). */
async function revealTree(c: CommandContext): Promise<void> {
  const first = c.tree.getChildren()[0] as TreeElement | undefined;
  if (first) await c.treeView.reveal(first, { focus: false, select: false, expand: true }).then(undefined, () => undefined);
}

async function startDemo(c: CommandContext, opts: { walkthrough: boolean }): Promise<DemoSession> {
  // a start under way (another click) is joined, never doubled
  const starting = c.host.demos.startingDemo;
  if (starting) return starting;
  const session = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'SynChannel: starting Alice and Bob on the embedded sandbox chain…' },
    () => c.host.demos.startDemo(),
  );
  // A new run: every tick of the last one goes.
  for (const id of WALKTHROUGH_STEPS) await tick(id, false);
  await vscode.commands.executeCommand('setContext', 'synchannel.demoRunning', true);
  await tick('start', true);
  await c.model.rebuild();
  if (opts.walkthrough) await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
  await revealTree(c);
  return session;
}

async function openTeachingDemo(c: CommandContext) {
  const starting = c.host.demos.startingDemo;
  if (starting) return (await starting).steps.map((s) => s.id);
  const running = c.host.demos.session;
  if (running) {
    const ran = running.steps.filter((s) => running.done(s.id)).length;
    const pick = await c.prompts.confirm(
      'The teaching demo is running. Start it again?',
      `Alice and Bob${ran ? ` have run ${ran} of ${running.steps.length} steps; their channel` : "'s nodes"} would be thrown away.`,
      'Start Again',
      'Show the Running Demo',
    );
    if (pick === 'Show the Running Demo') {
      await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
      return running.steps.map((s) => s.id);
    }
    if (pick !== 'Start Again') return running.steps.map((s) => s.id);
  }
  const session = await startDemo(c, { walkthrough: true });
  return session.steps.map((s) => s.id);
}

async function pickStep(c: CommandContext, session: DemoSession): Promise<string> {
  const next = session.next();
  const items = session.steps.map((s, i) => ({
    label: `${i + 1}. ${s.title}`,
    description: session.done(s.id) ? '$(check) done' : s === next ? 'next' : '',
    value: s.id as string,
  }));
  const ordered = next ? [items[session.steps.indexOf(next)]!, ...items.filter((x) => x.value !== next.id)] : items;
  return c.prompts.pick(ordered, { title: 'SynChannel: run a teaching demo step', placeholder: next ? `Next: ${next.title}` : 'The story is over' });
}

/** Says at once why a step cannot run now; the button runs the step that can. */
function refuse(c: CommandContext, text: string, step: { id: string; title: string } | null): void {
  void c.info(text, ...(step ? [`Run "${step.title}"`] : [])).then((pick) => {
    if (pick && step) void vscode.commands.executeCommand('synchannel.demoStep', step.id);
  });
}

/**
 * The story's channel closed by hand (from the tree) before the demo's own close: no later step can run on it. Read
 * from the node's view (its phase), never from rules of our own.
 */
function closedByHand(session: DemoSession): string | null {
  if (session.done('staleClose')) return null;
  const ch = session.alice.api.channels()[0];
  if (!ch || (ch.phase !== 'closing' && ch.phase !== 'closed')) return null;
  return `the channel was closed by hand (it is ${ch.phase}): the story's next steps cannot run on it. Start the Demo Again for a new run.`;
}

async function demoStep(c: CommandContext, idArg: unknown) {
  if (idArg !== undefined && (typeof idArg !== 'string' || !(DEMO_STEP_IDS as readonly string[]).includes(idArg))) {
    throw new ExtensionError('BAD_INPUT', `unknown demo step ${JSON.stringify(idArg)}: one of ${DEMO_STEP_IDS.join(', ')}`);
  }
  // From the walkthrough (an id) the walkthrough is open already; from the palette it is not opened over the picker.
  const session = c.host.demos.session ?? (await startDemo(c, { walkthrough: false }));
  const id = (idArg as string | undefined) ?? (await pickStep(c, session));
  const step = session.step(id)!;
  if (session.running) return refuse(c, `"${session.running.title}" is still running: wait for it.`, null);
  if (session.done(id)) {
    const next = session.next();
    if (next) return refuse(c, `"${step.title}" is done already. Next: "${next.title}".`, next);
    // the story is over: the next thing to do is its replay (as the last step's own toast offers)
    void c.info(`"${step.title}" is done already. The story is over: Replay shows it step by step.`, 'Replay').then((pick) => pick && void vscode.commands.executeCommand('synchannel.demoReplay'));
    return undefined;
  }
  const byHand = closedByHand(session);
  if (byHand) {
    void c.info(byHand, 'Start the Demo Again').then((pick) => pick && void startDemo(c, { walkthrough: true }).catch((e: unknown) => c.host.log(`[demo] start again: ${String(e)}`, 'warn')));
    return undefined;
  }
  const missing = session.missingBefore(id);
  if (missing) return refuse(c, `run "${missing.title}" first.`, missing);
  let result: string;
  try {
    result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `SynChannel demo: ${step.title}…` }, () => c.host.demos.runStep(id));
  } catch (e) {
    // the user stopped (or started again) the demo under this step: its nodes stopped (NODE_STOPPED), no bug
    if (c.host.demos.session === session) throw e;
    c.host.log(`[demo] ${step.title}: stopped with the demo (${errorCode(e)})`);
    void c.info(`the teaching demo was stopped: "${step.title}" did not finish.`);
    return undefined;
  }
  await tick(id, true);
  const next = session.next();
  const n = session.steps.indexOf(step) + 1;
  void c.info(`Step ${n}/${session.steps.length} · ${result}`, ...(next ? ['Run the Next Step'] : ['Replay'])).then((pick) => {
    if (pick === 'Run the Next Step' && next) void vscode.commands.executeCommand('synchannel.demoStep', next.id);
    if (pick === 'Replay') void vscode.commands.executeCommand('synchannel.demoReplay');
  });
  return result;
}

export function demoCommands(c: CommandContext): Partial<Record<CommandName, Handler>> {
  return {
    openTeachingDemo: () => openTeachingDemo(c),
    demoStep: (id) => demoStep(c, id),
    demoReplay: async () => {
      if (!c.host.demos.session) throw new ExtensionError('NO_DEMO', 'no teaching demo ran in this window: open it and run a few steps first');
      c.balances.show({ replay: true });
      return c.host.demos.session.journal.list().length;
    },
    stopTeachingDemo: async () => {
      // a start under way is stopped too (demos.stop waits for it)
      const ran = !!(c.host.demos.session ?? c.host.demos.startingDemo);
      // stopping two nodes and removing their folder takes a moment: shown, as every wait is
      await onChain('stopping Alice and Bob…', () => c.host.demos.stop(), { cancellable: false });
      await vscode.commands.executeCommand('setContext', 'synchannel.demoRunning', false);
      // the walkthrough no longer ticks steps of a run that is gone
      for (const id of WALKTHROUGH_STEPS) await tick(id, false);
      c.host.log("[demo] stopped: the walkthrough's ticks are cleared");
      if (!ran) void c.info('no teaching demo runs in this window: nothing to stop.');
      else void c.info("the teaching demo stopped: Alice's and Bob's nodes and their channel are gone. Open Teaching Demo starts a new run.", 'Open Teaching Demo').then((pick) => pick && void vscode.commands.executeCommand('synchannel.openTeachingDemo'));
      return true;
    },
  };
}
