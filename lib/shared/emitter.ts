// A listener set for one kind of event. A listener that throws costs only
// itself, never the emitter or the other listeners.

export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  on(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        console.error("[emitter] listener failed:", error instanceof Error ? error.message : error);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
