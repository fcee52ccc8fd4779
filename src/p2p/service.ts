// The `/synchannel/1.0.0` protocol as a libp2p service (in the style of @libp2p/ping).
import type { Multiaddr } from '@multiformats/multiaddr';
import type { Connection, PeerId, Startable, Stream } from '@libp2p/interface';
import { SYNCHANNEL_PROTOCOL } from './diagnose.js';

/** The parts of libp2p's components the service uses. */
export interface SynChannelServiceComponents {
  peerId: PeerId;
  registrar: {
    handle(protocol: string, handler: (stream: Stream, connection: Connection) => void | Promise<void>, options?: { maxInboundStreams?: number; maxOutboundStreams?: number }): Promise<void>;
    unhandle(protocol: string): Promise<void>;
  };
  transportManager: { listen(addrs: Multiaddr[]): Promise<void>; getAddrs(): Multiaddr[] };
}

export interface SynChannelServiceInit {
  /** Called for every inbound stream of the protocol. */
  onStream(stream: Stream, connection: Connection): void;
  maxInboundStreams?: number;
  maxOutboundStreams?: number;
}

export class SynChannelService implements Startable {
  readonly protocol = SYNCHANNEL_PROTOCOL;
  readonly [Symbol.toStringTag] = '@synchannel/p2p';
  private started = false;

  constructor(
    private readonly components: SynChannelServiceComponents,
    private readonly init: SynChannelServiceInit,
  ) {}

  async start(): Promise<void> {
    await this.components.registrar.handle(this.protocol, (stream, connection) => this.init.onStream(stream, connection), {
      maxInboundStreams: this.init.maxInboundStreams ?? 8,
      maxOutboundStreams: this.init.maxOutboundStreams ?? 8,
    });
    this.started = true;
  }

  async stop(): Promise<void> {
    await this.components.registrar.unhandle(this.protocol);
    this.started = false;
  }

  isStarted(): boolean {
    return this.started;
  }

  /** Starts listening on more addresses (the node starts with none). */
  async listen(addrs: Multiaddr[]): Promise<void> {
    await this.components.transportManager.listen(addrs);
  }

  listeningAddrs(): Multiaddr[] {
    return this.components.transportManager.getAddrs();
  }
}

export function synChannelService(init: SynChannelServiceInit): (components: SynChannelServiceComponents) => SynChannelService {
  return (components) => new SynChannelService(components, init);
}
