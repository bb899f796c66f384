// Change notifications between the parts of one process and, with Redis, between processes.
// A message says only "topic X changed"; receivers re-read the database, so a lost message
// costs freshness (bounded by each reader's own polling), never correctness.
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

export interface ChangeBus {
  publish(topic: string): void;
  subscribe(topic: string, listener: () => void): void;
  close(): Promise<void>;
}

export class LocalBus implements ChangeBus {
  protected readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(0);
  }
  publish(topic: string): void {
    this.emitter.emit(topic);
  }
  subscribe(topic: string, listener: () => void): void {
    this.emitter.on(topic, listener);
  }
  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

const CHANNEL_PREFIX = 'souk:changed:';

export class RedisBus extends LocalBus {
  private readonly subscriber: Redis;
  private readonly channels = new Set<string>();

  constructor(private readonly publisher: Redis) {
    super();
    this.subscriber = publisher.duplicate();
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (channel: string) => {
      if (channel.startsWith(CHANNEL_PREFIX)) this.emitter.emit(channel.slice(CHANNEL_PREFIX.length));
    });
  }

  override publish(topic: string): void {
    // Local listeners hear at once; other processes through Redis (this one hears its own echo, harmlessly).
    super.publish(topic);
    this.publisher.publish(CHANNEL_PREFIX + topic, '1').catch(() => undefined);
  }

  override subscribe(topic: string, listener: () => void): void {
    super.subscribe(topic, listener);
    if (!this.channels.has(topic)) {
      this.channels.add(topic);
      this.subscriber.subscribe(CHANNEL_PREFIX + topic).catch(() => undefined);
    }
  }

  /** Resolves once every subscription is live, so a test or a starting process misses nothing. */
  async ready(): Promise<void> {
    await Promise.all([...this.channels].map((topic) => this.subscriber.subscribe(CHANNEL_PREFIX + topic)));
  }

  override async close(): Promise<void> {
    await super.close();
    this.subscriber.disconnect();
  }
}
