import Foundation
import Synchronization

/// Where tensors of 1 MiB and more live: pages mapped from the kernel and, once released,
/// kept in a cache keyed by exact size, because every training or inference step asks again
/// for the same sizes. A hit reuses pages already faulted in (a fresh buffer is several times
/// slower to fill the first time). A miss maps a fresh block while the total mapped stays
/// within 1/16 (and at least 32 MiB) above the peak of live bytes; past that it resizes the cached block nearest in
/// size (mremap keeps its pages) and returns the oldest cached blocks to the kernel, so the
/// process never holds much more than its live tensors needed at their peak.
/// Before, glibc's heap (tuned to keep such blocks for reuse) fragmented: in-use bytes stayed
/// flat across repeated U-Net inferences while the heap grew ~10 MiB a run.
final class LargeBlocks: Sendable {
    /// The cache every Storage of `minimumBytes` or more uses.
    static let shared = LargeBlocks()
    static let minimumBytes = 1 << 20
    /// Cached blocks may keep the total mapped up to 1/16 above the peak of live bytes: with
    /// none, steps whose phases free and ask for different sizes kept resizing blocks (13 600
    /// page faults a U-Net step at 128²); with 1/16, none in the steady state.
    static let slackDivisor = 16
    /// … and at least this much above it: a small model's step (a U-Net inference at batch 1
    /// has ~60 MiB live at its peak) asks for more distinct sizes than 1/16 of its peak holds,
    /// and kept resizing blocks: 2 200 page faults (~8.5 MiB faulted in) an inference, against
    /// ~140 with this floor, which made it ~5 % faster (paired runs) for ~18 MiB more mapped.
    static let minimumSlack = 32 << 20

    private struct Cache {
        /// Released blocks by byte size, most recently released last.
        var free: [Int: [UnsafeMutableRawPointer]] = [:]
        /// Byte sizes in the order their blocks were released (oldest first), for eviction.
        var order: [Int] = []
        var cachedBytes = 0
        /// Bytes mapped now (live and cached), and the most ever live at once.
        var mappedBytes = 0, peakLive = 0

        /// Removes and returns a cached block of exactly `size` bytes.
        mutating func take(_ size: Int) -> UnsafeMutableRawPointer? {
            guard let p = free[size]?.popLast() else { return nil }
            cachedBytes -= size
            if let i = order.firstIndex(of: size) { order.remove(at: i) }
            return p
        }

        /// The cached size nearest `size`: resizing costs pages in proportion to the difference
        /// (faulted in when growing, given back when shrinking).
        func nearestSize(to size: Int) -> Int? {
            free.filter { !$0.value.isEmpty }.keys.min { abs($0 - size) < abs($1 - size) }
        }
    }
    private let cache = Mutex(Cache())

    /// Page-rounded size of a block for `bytes`.
    static func blockSize(_ bytes: Int) -> Int {
        let page = 4096
        return (bytes + page - 1) / page * page
    }

    /// A block of at least `bytes` (≥ `minimumBytes`), or nil when the kernel refuses.
    func allocate(_ bytes: Int) -> UnsafeMutableRawPointer? {
        let size = LargeBlocks.blockSize(bytes)
        var evicted: [(UnsafeMutableRawPointer, Int)] = []
        var reshaped: (UnsafeMutableRawPointer, Int)?
        let hit: UnsafeMutableRawPointer? = cache.withLock { c in
            if let p = c.take(size) { return p }
            // Miss. (Without the slack, or evicting instead of resizing, a step's phases kept
            // taking the blocks the next phase needed: a chain of misses every step.)
            let live = c.mappedBytes - c.cachedBytes + size
            c.peakLive = max(c.peakLive, live)
            let cap = c.peakLive + max(c.peakLive / LargeBlocks.slackDivisor, LargeBlocks.minimumSlack)
            if c.mappedBytes + size > cap, let nearest = c.nearestSize(to: size), let p = c.take(nearest) {
                reshaped = (p, nearest)
            }
            c.mappedBytes += size - (reshaped?.1 ?? 0)
            // Keep the total mapped within the cap while cached blocks allow.
            while c.mappedBytes > cap, let s = c.order.first, let p = c.take(s) {
                c.mappedBytes -= s
                evicted.append((p, s))
            }
            return nil
        }
        for (p, s) in evicted { munmap(p, s) }
        if let hit { return hit }
        let p: UnsafeMutableRawPointer?
        if let (old, oldSize) = reshaped {
            p = linuxMremap(old, oldSize, size, 1 /* MREMAP_MAYMOVE */)
        } else {
            p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        }
        guard let p, p != MAP_FAILED else {
            cache.withLock { $0.mappedBytes -= size }
            if let (old, oldSize) = reshaped { munmap(old, oldSize) }   // mremap left it as it was
            return nil
        }
        return p
    }

    /// Returns every cached block to the kernel (when a mapping was refused: they may be what
    /// stands in its way).
    func releaseCached() {
        let blocks: [(UnsafeMutableRawPointer, Int)] = cache.withLock { c in
            let all = c.free.flatMap { size, ps in ps.map { ($0, size) } }
            c.mappedBytes -= c.cachedBytes
            c.free = [:]; c.order = []; c.cachedBytes = 0
            return all
        }
        for (p, s) in blocks { munmap(p, s) }
    }

    /// Bytes mapped now (live and cached) and bytes cached, for tests.
    var usage: (mapped: Int, cached: Int) { cache.withLock { ($0.mappedBytes, $0.cachedBytes) } }

    /// Takes back a block `allocate(bytes)` gave.
    func release(_ p: UnsafeMutableRawPointer, _ bytes: Int) {
        let size = LargeBlocks.blockSize(bytes)
        cache.withLock { c in
            c.free[size, default: []].append(p)
            c.order.append(size)
            c.cachedBytes += size
        }
    }
}

/// Linux's mremap (variadic in C, so not imported; the optional fifth argument is only read
/// with MREMAP_FIXED, which is never passed here).
@_silgen_name("mremap")
private func linuxMremap(_ old: UnsafeMutableRawPointer, _ oldSize: Int, _ newSize: Int, _ flags: Int32) -> UnsafeMutableRawPointer?
