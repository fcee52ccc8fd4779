// Measurements the in-host tests take (e.g. how long activation took), written into the results file next to
// the test results so the harness can print them. Reported only: tests never assert on times.
const recorded: Record<string, number> = {};

export function recordMetric(name: string, value: number): void {
  recorded[name] = value;
}

export function metrics(): Readonly<Record<string, number>> {
  return { ...recorded };
}
