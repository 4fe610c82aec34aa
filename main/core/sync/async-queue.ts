/**
 * A bounded single-producer, single-consumer async queue.
 *
 * The engine reads Intacct pages on one side and a .hyper writer consumes them on the other; the
 * bound gives back-pressure, so a fast reader never piles pages up in memory while the writer (or
 * Tableau) is slower.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private closed = false;
  private failure: { error: unknown } | null = null;
  private wakeConsumer: (() => void) | null = null;
  private wakeProducer: (() => void) | null = null;

  constructor(private readonly capacity = 4) {}

  /** Adds an item; waits while the queue is full. Throws if the consumer failed. */
  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.failure) {
      await new Promise<void>((resolve) => (this.wakeProducer = resolve));
    }
    if (this.failure) throw this.failure.error;
    if (this.closed) throw new Error('push after close');
    this.items.push(item);
    this.wake('consumer');
  }

  /** No more items: the consumer's loop ends once the queue is drained. */
  close(): void {
    this.closed = true;
    this.wake('consumer');
  }

  /** The consumer gave up (e.g. the writer failed): a waiting or later push throws `error`. */
  fail(error: unknown): void {
    this.failure = { error };
    this.items.length = 0;
    this.wake('producer');
    this.wake('consumer');
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.failure) throw this.failure.error;
      const item = this.items.shift();
      if (item !== undefined) {
        this.wake('producer');
        yield item;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
  }

  private wake(side: 'consumer' | 'producer'): void {
    const fn = side === 'consumer' ? this.wakeConsumer : this.wakeProducer;
    if (side === 'consumer') this.wakeConsumer = null;
    else this.wakeProducer = null;
    fn?.();
  }
}
