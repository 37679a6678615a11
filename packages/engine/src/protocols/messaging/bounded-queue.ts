/**
 * A capped FIFO for messages that arrive while no step reads them (WebSocket frames, MQTT messages).
 * When full, the oldest item is dropped, so a user that never reads holds bounded memory. Storage
 * grows with use only: an idle connection pays for an empty array.
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  /** Items dropped because the queue was full. */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('capacity must be a positive integer');
  }

  get size(): number {
    return this.items.length;
  }

  /** Appends an item, dropping the oldest when full. */
  push(item: T): void {
    if (this.items.length === this.capacity) {
      this.items.shift();
      this.dropped++;
    }
    this.items.push(item);
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    return this.items.shift();
  }

  /** Removes and returns the oldest item that satisfies `match`, keeping the order of the others. */
  take(match: (item: T) => boolean): T | undefined {
    const index = this.items.findIndex(match);
    return index < 0 ? undefined : this.items.splice(index, 1)[0];
  }

  /** Empties the queue. */
  clear(): void {
    this.items.length = 0;
  }
}
