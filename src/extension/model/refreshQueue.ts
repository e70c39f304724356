/**
 * Tree refreshes, serialised. Two refreshes fired close together (a point-in-time change
 * and an account's indexing ending) made VS Code resolve the same children twice at
 * once: "Element with id folder/<id>/2 is already registered", and an empty account
 * until Refresh. Here refreshes asked for within a short delay are merged into one
 * event (a whole-tree refresh swallows the rest), and none is fired while the view is
 * still fetching children for the previous one: it goes out once they have settled.
 */
export class RefreshQueue<N> {
  private pending = new Set<N | undefined>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inflight = 0;
  private disposed = false;

  constructor(
    /** Fires the tree's change event: `undefined` is the whole tree. */
    private readonly fire: (nodes: N[] | undefined) => void,
    private readonly delayMs = 30,
  ) {}

  /** Asks for a refresh of `node` (undefined: the whole tree). */
  request(node: N | undefined): void {
    if (this.disposed || this.pending.has(undefined)) return;
    if (node === undefined) this.pending = new Set([undefined]);
    else this.pending.add(node);
    this.schedule();
  }

  /** getChildren calls this on entry; the returned function on exit (also on failure). */
  begin(): () => void {
    this.inflight++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inflight--;
      if (this.inflight === 0 && this.pending.size > 0) this.schedule();
    };
  }

  /** Whether a refresh is waiting to go out. */
  get waiting(): boolean {
    return this.pending.size > 0;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private schedule(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Children are still being fetched for an earlier refresh: wait for them (end() reschedules).
      if (this.inflight > 0 || this.pending.size === 0) return;
      const nodes = [...this.pending];
      this.pending.clear();
      this.fire(nodes.includes(undefined) ? undefined : (nodes as N[]));
    }, this.delayMs);
  }
}
