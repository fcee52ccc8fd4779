// What the in-host runner (test/vscode/suite/index.ts) writes to the file named by TEST_RESULTS and
// test/vscode/harness.ts reads back. Types only: both sides import it, neither pulls in the other.

export type InHostTestState = 'passed' | 'failed' | 'pending';

export interface InHostTestResult {
  /** Titles from the outermost describe down to the test, e.g. ['SynChannel extension', 'activates']. */
  readonly titlePath: readonly string[];
  /** titlePath joined with spaces, as mocha prints it. */
  readonly fullTitle: string;
  /** The suite file it came from (e.g. 'activation.test.ts'), when mocha knows it. */
  readonly file?: string;
  readonly state: InHostTestState;
  readonly durationMs?: number;
  /** For failed tests (and failed hooks): the assertion or error, as the host saw it. */
  readonly error?: { readonly message: string; readonly stack?: string };
}

export interface InHostReport {
  /** mocha's failure count (failed tests plus failed hooks). */
  readonly failures: number;
  readonly results: readonly InHostTestResult[];
  /** Facts about the host the suite ran in. */
  readonly host: {
    readonly vscodeVersion: string;
    readonly node: string;
    readonly appName: string;
    readonly uiKind: 'desktop' | 'web';
    readonly remoteName: string | undefined;
  };
  /** Measurements the tests recorded (suite/metrics.ts), e.g. activationMs; reported, never asserted on. */
  readonly metrics?: Readonly<Record<string, number>>;
  /** Set when the runner itself broke (no tests found, a file failed to load). */
  readonly runnerError?: string;
}
