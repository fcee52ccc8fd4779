// Every question and message the extension puts to a person goes through here: quick picks (one step of a flow,
// with its step number), input boxes validated as you type, modal confirmations, notifications with buttons.
// Each is recorded (the last 200); in the extension's test mode answers can be scripted, so the in-host tests
// drive the real flows (and see what was asked) without a person.
import * as vscode from 'vscode';
import { ExtensionError } from './util.js';

export type NoticeLevel = 'info' | 'warning' | 'error';

export type PromptRecord =
  | { kind: 'pick'; title: string; items: string[]; answer: string | null }
  | { kind: 'input'; title: string; prompt: string; value: string; answer: string | null; problem: string | null; note: string | null }
  | { kind: 'confirm'; message: string; detail: string; buttons: string[]; answer: string | null }
  | { kind: 'notify'; id: number; level: NoticeLevel; message: string; buttons: string[] };

/** A scripted answer (test mode): the label of a pick item, the text typed in an input box, the button of a confirmation (null: dismissed). */
export type ScriptedAnswer = { pick: string } | { input: string } | { confirm: string | null };

export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

export interface StepOptions {
  title: string;
  step?: number;
  totalSteps?: number;
  placeholder?: string;
}

export interface InputOptions extends StepOptions {
  /** the line above the box; a function: said again after onEnter (what it names may have been read afresh) */
  prompt: string | (() => string);
  value?: string;
  password?: boolean;
  /** why the text cannot be accepted, or undefined when it can (checked as the person types) */
  validate?: (text: string) => string | undefined | Promise<string | undefined>;
  /** what an acceptable text would do, shown under it as the person types (it does not block Enter) */
  note?: (text: string) => string | undefined;
  /** on Enter, the final check in place of `validate` (it may read afresh what `validate` judged by): why not, or undefined */
  onEnter?: (text: string) => Promise<string | undefined>;
}

export const cancelled = () => new ExtensionError('CANCELLED', 'cancelled');

const plain = (label: string) => label.replace(/\$\([^)]*\)\s*/g, '').trim();

export class Prompts {
  private readonly log: PromptRecord[] = [];
  private readonly script: ScriptedAnswer[] = [];
  private readonly clicks = new Map<number, (button: string) => void>();
  private nextId = 1;

  /** @param scriptable answers may be scripted (the extension runs in test mode) */
  constructor(private readonly scriptable: boolean) {}

  private record(r: PromptRecord): void {
    this.log.push(r);
    if (this.log.length > 200) this.log.shift();
  }

  private scripted<K extends 'pick' | 'input' | 'confirm'>(kind: K, what: string): Extract<ScriptedAnswer, Record<K, unknown>> | undefined {
    if (!this.scriptable || this.script.length === 0) return undefined;
    const next = this.script[0]!;
    if (!(kind in next)) throw new ExtensionError('INTERNAL', `test script: expected a ${Object.keys(next)[0]} answer, but the extension asks for a ${kind} (${what})`);
    this.script.shift();
    return next as Extract<ScriptedAnswer, Record<K, unknown>>;
  }

  /** One choice; throws CANCELLED when dismissed. */
  async pick<T>(items: readonly PickItem<T>[], opts: StepOptions): Promise<T> {
    const labels = items.map((i) => plain(i.label));
    const s = this.scripted('pick', opts.title);
    if (s) {
      const found = items.find((i) => plain(i.label) === s.pick) ?? items.find((i) => plain(i.label).startsWith(s.pick));
      if (!found) throw new ExtensionError('INTERNAL', `test script: no item "${s.pick}" in ${JSON.stringify(labels)}`);
      this.record({ kind: 'pick', title: opts.title, items: labels, answer: plain(found.label) });
      return found.value;
    }
    const qp = vscode.window.createQuickPick<PickItem<T>>();
    Object.assign(qp, { title: opts.title, step: opts.step, totalSteps: opts.totalSteps, placeholder: opts.placeholder, items, ignoreFocusOut: true, matchOnDescription: true, matchOnDetail: true });
    const picked = await new Promise<PickItem<T> | undefined>((resolve) => {
      qp.onDidAccept(() => resolve(qp.selectedItems[0]));
      qp.onDidHide(() => resolve(undefined));
      qp.show();
    });
    qp.dispose();
    this.record({ kind: 'pick', title: opts.title, items: labels, answer: picked ? plain(picked.label) : null });
    if (!picked) throw cancelled();
    return picked.value;
  }

  /** Text typed by the person, validated as they type; throws CANCELLED when dismissed. */
  async input(opts: InputOptions): Promise<string> {
    const promptNow = () => (typeof opts.prompt === 'function' ? opts.prompt() : opts.prompt);
    const s = this.scripted('input', opts.title);
    if (s) {
      const problem = (await (opts.onEnter ?? opts.validate)?.(s.input)) ?? null;
      const note = (!problem && opts.note?.(s.input)) || null;
      this.record({ kind: 'input', title: opts.title, prompt: promptNow(), value: opts.value ?? '', answer: problem ? null : s.input, problem, note });
      // Enter does nothing while the box shows a problem: the person fixes the text or leaves.
      if (problem) throw cancelled();
      return s.input;
    }
    const box = vscode.window.createInputBox();
    Object.assign(box, { title: opts.title, step: opts.step, totalSteps: opts.totalSteps, prompt: promptNow(), placeholder: opts.placeholder, value: opts.value ?? '', password: !!opts.password, ignoreFocusOut: true });
    let problem: string | undefined;
    let note: string | undefined;
    const check = async (text: string) => {
      problem = await opts.validate?.(text);
      note = problem ? undefined : opts.note?.(text);
      if (box.value === text) box.validationMessage = problem ?? (note ? { message: note, severity: vscode.InputBoxValidationSeverity.Info } : undefined);
      return problem;
    };
    box.onDidChangeValue((t) => void check(t));
    const text = await new Promise<string | undefined>((resolve) => {
      box.onDidAccept(async () => {
        const text = box.value;
        if (!opts.onEnter) {
          if (!(await check(text))) resolve(text);
          return;
        }
        box.busy = true;
        problem = await opts.onEnter(text).finally(() => (box.busy = false));
        // the figures it names may have been read again (the wallet on a deposit's Enter): said as read now
        box.prompt = promptNow();
        if (box.value !== text) return; // typed on meanwhile: the new text is checked as typed
        if (!problem) resolve(text);
        else box.validationMessage = problem;
      });
      box.onDidHide(() => resolve(undefined));
      box.show();
      void check(box.value);
    });
    box.dispose();
    this.record({ kind: 'input', title: opts.title, prompt: promptNow(), value: opts.value ?? '', answer: text ?? null, problem: problem ?? null, note: note ?? null });
    if (text === undefined) throw cancelled();
    return text;
  }

  /** A modal question before something irreversible; the button chosen, or undefined. */
  async confirm(message: string, detail: string, ...buttons: string[]): Promise<string | undefined> {
    const s = this.scripted('confirm', message);
    let answer: string | undefined;
    if (s) {
      if (s.confirm !== null && !buttons.includes(s.confirm)) throw new ExtensionError('INTERNAL', `test script: no button "${s.confirm}" in ${JSON.stringify(buttons)}`);
      answer = s.confirm ?? undefined;
    } else answer = await vscode.window.showWarningMessage(message, { modal: true, detail }, ...buttons);
    this.record({ kind: 'confirm', message, detail, buttons, answer: answer ?? null });
    return answer;
  }

  /** A notification; resolves with the button the person chose (or a test clicked). */
  notify(level: NoticeLevel, message: string, ...buttons: string[]): Promise<string | undefined> {
    const id = this.nextId++;
    this.record({ kind: 'notify', id, level, message, buttons });
    const show = level === 'error' ? vscode.window.showErrorMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const shown = Promise.resolve(show(message, ...buttons));
    if (!buttons.length) return shown;
    const clicked = new Promise<string>((resolve) => this.clicks.set(id, resolve));
    return Promise.race([shown, clicked]).finally(() => this.clicks.delete(id));
  }

  // ---- for the in-host tests ------------------------------------------------------------------------------------

  /** Queues answers for the next questions (test mode only). */
  answer(...answers: ScriptedAnswer[]): void {
    if (!this.scriptable) throw new ExtensionError('INTERNAL', 'answers can be scripted in test mode only');
    this.script.push(...answers);
  }

  /** Answers not used yet (a test checks none is left over). */
  unanswered(): ScriptedAnswer[] {
    return [...this.script];
  }

  records(): PromptRecord[] {
    return [...this.log];
  }

  /** Clicks a button of the newest notification whose message matches; false when none waits for a click. */
  click(message: RegExp, button: string): boolean {
    for (let i = this.log.length - 1; i >= 0; i--) {
      const r = this.log[i]!;
      if (r.kind === 'notify' && message.test(r.message) && r.buttons.includes(button)) {
        const click = this.clicks.get(r.id);
        if (!click) return false;
        click(button);
        return true;
      }
    }
    return false;
  }

  clear(): void {
    this.log.length = 0;
    this.script.length = 0;
  }
}
