/**
 * A lazy max-heap of groups by a key (ties: the lower tie value), so a greedy loop finds its
 * best group in O(log groups) instead of scanning every group per pick. A group is pushed
 * again whenever its key changes; entries whose version is no longer the group's are stale
 * and dropped when they reach the top.
 */
export class GroupHeap {
  #group = new Int32Array(256);
  #version = new Uint32Array(256);
  #key = new Float64Array(256);
  #tie = new Float64Array(256);
  #size = 0;

  push(group: number, version: number, key: number, tie: number): void {
    if (this.#size === this.#group.length) this.#grow();
    let at = this.#size++;
    // Sift up.
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.#above(key, tie, this.#key[parent]!, this.#tie[parent]!)) break;
      this.#copy(parent, at);
      at = parent;
    }
    this.#group[at] = group; this.#version[at] = version; this.#key[at] = key; this.#tie[at] = tie;
  }

  /** The best group whose entry is current (`isCurrent(group, version)`), or -1 when none is. */
  top(isCurrent: (group: number, version: number) => boolean): number {
    while (this.#size > 0 && !isCurrent(this.#group[0]!, this.#version[0]!)) this.#popTop();
    return this.#size > 0 ? this.#group[0]! : -1;
  }

  /** Entries held, stale ones included. */
  get size(): number {
    return this.#size;
  }

  clear(): void {
    this.#size = 0;
  }

  #above(key: number, tie: number, otherKey: number, otherTie: number): boolean {
    return key > otherKey || (key === otherKey && tie < otherTie);
  }

  #popTop(): void {
    const last = --this.#size;
    if (last === 0) return;
    const key = this.#key[last]!, tie = this.#tie[last]!, group = this.#group[last]!, version = this.#version[last]!;
    let at = 0;
    // Sift down.
    while (true) {
      let child = 2 * at + 1;
      if (child >= last) break;
      if (child + 1 < last && this.#above(this.#key[child + 1]!, this.#tie[child + 1]!, this.#key[child]!, this.#tie[child]!)) child++;
      if (!this.#above(this.#key[child]!, this.#tie[child]!, key, tie)) break;
      this.#copy(child, at);
      at = child;
    }
    this.#group[at] = group; this.#version[at] = version; this.#key[at] = key; this.#tie[at] = tie;
  }

  #copy(from: number, to: number): void {
    this.#group[to] = this.#group[from]!; this.#version[to] = this.#version[from]!;
    this.#key[to] = this.#key[from]!; this.#tie[to] = this.#tie[from]!;
  }

  #grow(): void {
    const n = this.#group.length * 2;
    const group = new Int32Array(n); group.set(this.#group); this.#group = group;
    const version = new Uint32Array(n); version.set(this.#version); this.#version = version;
    const key = new Float64Array(n); key.set(this.#key); this.#key = key;
    const tie = new Float64Array(n); tie.set(this.#tie); this.#tie = tie;
  }
}
