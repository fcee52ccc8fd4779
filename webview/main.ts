// Balances webview (browser bundle).
export {};
