// The channel contract: wrapper, code, message bodies, exit codes (see ChannelContract.ts).
export * from './ChannelContract.js';
