// Runs the extension in a real VS Code: code-server (VS Code 1.100.3 server build, from npm) opened
// in Debian's headless Chromium through playwright-core. Works offline; the host is installed by
// scripts/setup-vscode-host.sh into .vscode-test/host (see ensureHost).
//
//   await using host = await VsCodeHost.start();          // build, bundle, start code-server
//   const run = await host.runSuite();                   // in-host mocha suite -> per-test results
//   const wb = await host.openWorkbench();               // a Playwright page on the workbench
//   await wb.runCommand('SynChannel: Open Teaching Demo');
//   await wb.screenshot('tree', wb.view('SynChannel'));  // -> docs/screenshots/tree.png
//
// The suite runs through VS Code's own test hook: the workbench URL's `payload` carries
// extensionDevelopmentPath (the repo root) and extensionTestsPath (the bundled suite); VS Code
// loads the extension, awaits the suite's run() in the Node extension host and calls
// window.codeAutomationExit(code). Everything started here runs in its own process group and is
// tagged with a session id in its environment; dispose() ends exactly those processes.
//
// Desktop VS Code (@vscode/test-electron's runTests) runs the same suite when it can be downloaded:
// host-choice.ts picks the host (SYNCHANNEL_VSCODE_HOST=auto|electron|code-server), electron.ts runs it.
//
// The parts, by concern: common.ts (paths, errors, process helpers), install.ts (code-server's
// installation), bundle.ts (the extension and suite bundles), session.ts (a session's files and
// processes, SuiteRun), code-server.ts (VsCodeHost), electron.ts (ElectronHost), host-choice.ts,
// workbench.ts (Workbench, the Playwright steps), appearance.ts (themes, sidebar width, cut tree rows).
export type { InHostReport, InHostTestResult } from './results.js';
export { DEFAULT_HOST_DIR, DEFAULT_SETTINGS, REPO_ROOT, SCREENSHOT_DIR, VsCodeHostError, type VsCodeHostErrorCode } from './common.js';
export { ensureHost, type HostInstall } from './install.js';
export { buildExtension, bundleSuite, suiteTestFiles } from './bundle.js';
export type { SuiteHost, SuiteRun } from './session.js';
export { VsCodeHost, type StartOptions } from './code-server.js';
export { ElectronHost, type ElectronStartOptions } from './electron.js';
export { HOST_ENV, chooseHost, hostMode, type HostChoice, type HostMode } from './host-choice.js';
export { Workbench } from './workbench.js';
export {
  THEMES,
  THEME_NAMES,
  UI_SHOT_DIR,
  currentTheme,
  cutTreeRows,
  describeRows,
  screenshotInThemes,
  setColorTheme,
  setSidebarWidth,
  sidebarWidth,
  tabIconContrast,
  treeRowFit,
  type IconContrast,
  type RowFit,
  type ThemeName,
} from './appearance.js';
