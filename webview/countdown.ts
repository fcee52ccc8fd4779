// The challenge window's countdown in words (pure: the tests read it without a DOM).

/** Seconds to words for the countdown ("9m 05s left", "23 h 59 min left" from an hour on); "over" when past. */
export function countdownText(deadline: number | null, now = Date.now() / 1000): string {
  if (deadline === null) return "end being read (the node reads the chain's time first)";
  const left = Math.max(0, Math.round(deadline - now));
  if (left === 0) return 'over: the close can be finished';
  const m = Math.floor(left / 60);
  if (m >= 60) return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''} left`;
  return `${m}m ${String(left % 60).padStart(2, '0')}s left`;
}
