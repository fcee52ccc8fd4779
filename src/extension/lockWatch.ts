// A data folder another window or process holds ("watched by another window"): looked at again every few seconds,
// so that once that window closes (or an old extension host finishes stopping) this window takes over the watch
// instead of saying forever that another one keeps it.

/** How often a held data folder is looked at again (ms). */
export const LOOK_AGAIN_MS = 5_000;

/** Calls `look` every `everyMs` (one at a time) until it resolves true or `stop` is called. */
export function lookAgainWhile(look: () => Promise<boolean>, everyMs = LOOK_AGAIN_MS): { stop(): void } {
  let busy = false;
  const t = setInterval(() => {
    if (busy) return;
    busy = true;
    void look()
      .then((done) => done && clearInterval(t), () => undefined)
      .finally(() => (busy = false));
  }, everyMs);
  t.unref?.();
  return { stop: () => clearInterval(t) };
}
