/**
 * The structures the multi-index-hashing `FrameIndex` was measured against
 * (bench/frame-index.bench.ts, docs/perceptual-hashes.md, "Why multi-index hashing: the figures"). Same interface, same
 * exact answers; kept so the comparison can be re-run, not used by the matcher.
 *
 * - `LinearScanIndex`: every stored hash checked per query (half the words first).
 * - `BkTreeIndex`: a Burkhard–Keller tree on Hamming distance, packed in typed arrays
 *   (first child, next sibling, edge distance). Children of a node are only visited when
 *   their edge distance k satisfies |k − d| ≤ r; with 256-bit hashes most stored hashes sit
 *   ~128 bits from any node, so at r = 31 that window (97…159) still holds most children.
 */
import { HASH256_WORDS, popcount32 as sharedPopcount32 } from '../../shared/pdq/hash256'

// A module-level copy of the import: transpilers that keep live bindings (tsx, vitest) turn
// every use of an imported name into a property getter, a fifth of a hot loop's time.
const popcount32 = sharedPopcount32
import { checkQueryHash, checkRadius, PackedFrames, type FrameHashIndex, type FrameVisitor } from './frame-index'

export class LinearScanIndex extends PackedFrames implements FrameHashIndex {
  static fromPacked(hashes: Uint32Array, payloads: ArrayLike<number>): LinearScanIndex {
    const index = new LinearScanIndex()
    index.add(hashes, payloads)
    return index
  }

  add(hashes: Uint32Array, payloads: ArrayLike<number>): void {
    this.append(hashes, payloads)
  }

  removeWhere(remove: (payload: number) => boolean): number {
    const removed = this.markWhere(remove)
    if (this.deletedCount * 4 >= this.count) this.compact()
    return removed
  }

  forEachWithin(hash: Uint32Array, radius: number, visit: FrameVisitor, offset = 0): void {
    checkQueryHash(hash, offset)
    checkRadius(radius)
    this.scanRange(0, this.count, hash, offset, radius, visit)
  }

  memoryBytes(): number {
    return this.storageBytes()
  }
}

const NONE = -1

export class BkTreeIndex extends PackedFrames implements FrameHashIndex {
  private firstChild = new Int32Array(0)
  private nextSibling = new Int32Array(0)
  /** Distance from an entry to its parent (the key its parent files it under). */
  private edge = new Uint16Array(0)
  /** Entries [0, inTree) are in the tree. */
  private inTree = 0
  private stack = new Int32Array(64)

  static fromPacked(hashes: Uint32Array, payloads: ArrayLike<number>): BkTreeIndex {
    const index = new BkTreeIndex()
    index.add(hashes, payloads)
    return index
  }

  protected override grew(capacity: number): void {
    const grow = <T extends Int32Array | Uint16Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity)
      next.set(old.subarray(0, this.inTree))
      return next
    }
    this.firstChild = grow(this.firstChild, (n) => new Int32Array(n))
    this.nextSibling = grow(this.nextSibling, (n) => new Int32Array(n))
    this.edge = grow(this.edge, (n) => new Uint16Array(n))
  }

  add(hashes: Uint32Array, payloads: ArrayLike<number>): void {
    this.append(hashes, payloads)
    this.insertPending()
  }

  removeWhere(remove: (payload: number) => boolean): number {
    const removed = this.markWhere(remove)
    // Deleted entries stay as routing nodes until a quarter of the tree is deleted.
    if (this.deletedCount * 4 >= this.count && this.deletedCount > 0) {
      this.compact()
      this.inTree = 0
      this.insertPending()
    }
    return removed
  }

  private distance(a: number, b: number): number {
    const h = this.hashes
    const x = a << 3
    const y = b << 3
    let d = 0
    for (let w = 0; w < HASH256_WORDS; w++) d += popcount32(h[x + w]! ^ h[y + w]!)
    return d
  }

  private insertPending(): void {
    for (let id = this.inTree; id < this.count; id++) {
      this.firstChild[id] = NONE
      this.nextSibling[id] = NONE
      if (id === 0) {
        this.edge[0] = 0
        continue
      }
      let node = 0
      for (;;) {
        const d = this.distance(node, id)
        let child = this.firstChild[node]!
        let last = NONE
        while (child !== NONE && this.edge[child] !== d) {
          last = child
          child = this.nextSibling[child]!
        }
        if (child !== NONE) {
          node = child
          continue
        }
        this.edge[id] = d
        if (last === NONE) this.firstChild[node] = id
        else this.nextSibling[last] = id
        break
      }
    }
    this.inTree = this.count
  }

  forEachWithin(hash: Uint32Array, radius: number, visit: FrameVisitor, offset = 0): void {
    checkQueryHash(hash, offset)
    checkRadius(radius)
    if (this.inTree === 0) return
    const h = this.hashes
    let top = 0
    this.stack[top++] = 0
    while (top > 0) {
      const node = this.stack[--top]!
      const b = node << 3
      let d = 0
      for (let w = 0; w < HASH256_WORDS; w++) d += popcount32(h[b + w]! ^ hash[offset + w]!)
      if (d <= radius && this.deleted[node] === 0) visit(this.payloads[node]!, d)
      for (let child = this.firstChild[node]!; child !== NONE; child = this.nextSibling[child]!) {
        const k = this.edge[child]!
        if (k >= d - radius && k <= d + radius) {
          if (top === this.stack.length) {
            const bigger = new Int32Array(this.stack.length * 2)
            bigger.set(this.stack)
            this.stack = bigger
          }
          this.stack[top++] = child
        }
      }
    }
  }

  memoryBytes(): number {
    return this.storageBytes() + this.firstChild.byteLength + this.nextSibling.byteLength + this.edge.byteLength + this.stack.byteLength
  }
}
