// The p2p layer's public surface.
export { P2PNode, SynChannelService, synChannelService, parseDialAddr, SYNCHANNEL_PROTOCOL, P2P_DEFAULTS } from './node.js';
export type { P2PNodeOptions, P2PNodeEvents, ServeAddresses, ConnectOptions, SynChannelServiceComponents, SynChannelServiceInit } from './node.js';
export { PeerSession, MAX_OUTBOX, MAX_OUTBOX_BYTES, MAX_INBOX } from './session.js';
export type { PeerSessionEvents } from './session.js';
export type { PartnerInfo, VerifyWalletOwnership } from './link.js';
export type { P2PStats } from './stats.js';
export type { RateLimit } from './quota.js';
export { P2PError } from './errors.js';
export type { P2PErrorCode } from './errors.js';
export { loadOrCreateIdentity, IDENTITY_FILE } from './identity.js';
export { encodeFrame, FrameDecoder, MAX_FRAME_BYTES } from './frames.js';
export { proofPayload, signProof, verifyProof } from './handshake.js';
