// The in-host test modules, each loaded lazily so that mocha's `describe`/`it` globals exist first.
// This file is a placeholder: test/vscode/harness.ts replaces its contents at bundle time with one
// entry per test/vscode/suite/*.test.ts. Left empty, run() fails with "no in-host test files".
export interface TestFile {
  readonly name: string;
  readonly load: () => unknown;
}

export const testFiles: readonly TestFile[] = [];
