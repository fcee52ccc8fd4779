// The start-up's start of the user's node (NodeHost.startIfLive, at activation and on a network switch): when the
// network's data folder holds channels that are open or closing, the node starts so its watcher guards them. The
// steps are the host's; the order and the answers are here, without VS Code.

export type StartUpResult = 'started' | 'nothing' | 'locked' | 'failed';

export interface StartUpSteps {
  /** the window is closing (deactivate): its node was stopped, or is being stopped, and nothing starts again */
  closed(): boolean;
  /** a node runs or starts already */
  busy(): boolean;
  /** the data folder is usable and exists, and the network has a key */
  ready(): Promise<boolean>;
  /** whether the folder holds channels to watch (null: another window or process holds it) */
  live(): Promise<boolean | null>;
  /** says the folder is held by another */
  locked(): void;
  /** starts the node (throws when it does not start) */
  start(): Promise<unknown>;
}

/**
 * Starts the node when its folder holds channels to watch; returns what it did. A window closed during a read
 * (deactivate() stops the node it finds, and none runs yet) starts nothing after it: checked after each await.
 */
export async function startIfLive(s: StartUpSteps): Promise<StartUpResult> {
  if (s.closed() || s.busy()) return 'nothing';
  if (!(await s.ready()) || s.closed()) return 'nothing';
  const live = await s.live();
  if (s.closed()) return 'nothing';
  if (live === null) {
    s.locked();
    return 'locked';
  }
  if (!live) return 'nothing';
  try {
    await s.start();
    return 'started';
  } catch {
    return 'failed';
  }
}
