// The pure core's public surface (docs/architecture.md: @ton/core only, node:crypto behind signer.ts).
export * from './amounts.js';
export * from './errors.js';
export * from './state.js';
export * from './signer.js';
export * from './channel.js';
