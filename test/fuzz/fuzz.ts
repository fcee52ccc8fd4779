// Fuzzing of every decoder a peer's bytes (or a file's) reach. Each target is a row of FUZZ_TARGETS:
// an arbitrary (fast-check) of inputs, a decode that throws only its typed error (any other throw, the
// target's own assertions included, is a failure), and that error's test. Another decoder is fuzzed by
// adding a row (or passing `targets`). npm test runs a few thousand inputs per target (fuzz.test.ts);
// a soak calls runFuzz({ runsPerDecoder: 100_000 }).
//
// "Never hangs": an input that takes longer than `hangMs` fails; the bound is a hang detector, orders of
// magnitude above a decode's cost, not a performance check. "Memory bounded": each target asserts the
// bounds it owes (e.g. FrameDecoder holds at most one frame; over-long messages are refused unparsed).
import fc from 'fast-check';
import { framesTarget, frameSplitTarget, handshakeTarget, stateB64Target, stateCellTarget, wireTarget } from './targets.js';

export interface FuzzTarget<T> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  /** Decodes one input and checks what must hold of the result. */
  decode(input: T): void;
  /** The decoder's typed error: the only thing it may throw. */
  isTypedError(e: unknown): boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFuzzTarget = FuzzTarget<any>;

export const FUZZ_TARGETS: AnyFuzzTarget[] = [wireTarget, framesTarget, frameSplitTarget, stateB64Target, stateCellTarget, handshakeTarget];

export interface FuzzOptions {
  runsPerDecoder: number;
  /** Reproduces a run (fast-check prints the seed and path of a failure). */
  seed?: number;
  /** Only these target names. */
  only?: string[];
  /** Default FUZZ_TARGETS. */
  targets?: AnyFuzzTarget[];
  /** An input slower than this fails as a hang (default 2000 ms). */
  hangMs?: number;
  /** Progress lines, e.g. console.log. */
  log?: (line: string) => void;
}

export interface FuzzReport {
  name: string;
  runs: number;
  /** inputs the decoder accepted */
  accepted: number;
  /** inputs it refused with its typed error */
  refused: number;
  slowestMs: number;
}

/** Runs every target; throws (with fast-check's counterexample, seed and path) at the first failure. */
export function runFuzz(options: FuzzOptions): FuzzReport[] {
  const hangMs = options.hangMs ?? 2_000;
  const targets = (options.targets ?? FUZZ_TARGETS).filter((t) => !options.only || options.only.includes(t.name));
  const reports: FuzzReport[] = [];
  for (const target of targets) {
    const report: FuzzReport = { name: target.name, runs: 0, accepted: 0, refused: 0, slowestMs: 0 };
    const property = fc.property(target.arbitrary, (input: unknown) => {
      const start = performance.now();
      let failure: unknown;
      try {
        target.decode(input);
        report.accepted++;
      } catch (e) {
        if (target.isTypedError(e)) report.refused++;
        else failure = e;
      }
      report.runs++;
      const ms = performance.now() - start;
      report.slowestMs = Math.max(report.slowestMs, ms);
      if (failure !== undefined) throw failure;
      if (ms > hangMs) throw new Error(`${target.name}: one input took ${Math.round(ms)} ms (a hang)`);
    });
    fc.assert(property, { numRuns: options.runsPerDecoder, ...(options.seed === undefined ? {} : { seed: options.seed }) });
    options.log?.(`${target.name}: ${report.runs} inputs, ${report.accepted} accepted, ${report.refused} refused, slowest ${report.slowestMs.toFixed(1)} ms`);
    reports.push(report);
  }
  return reports;
}
