import Foundation

/// A 64-byte-aligned buffer of Float32 that one or more tensors view (reshape shares it).
/// Hot loops take `pointer` once and run on it; never index an array property in a loop.
public final class Storage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Uninitialised memory; callers fill every element. Blocks of 1 MiB and more come from
    /// `LargeBlocks` (page-aligned, reused between steps), smaller ones from malloc.
    public init(uninitializedCount count: Int) {
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        var raw: UnsafeMutableRawPointer?
        if bytes >= LargeBlocks.minimumBytes {
            raw = LargeBlocks.shared.allocate(bytes)
            if raw == nil { LargeBlocks.shared.releaseCached(); raw = LargeBlocks.shared.allocate(bytes) }
        } else if posix_memalign(&raw, 64, bytes) != 0 {
            raw = nil
        }
        // Not a user mistake: every shape user input can make larger than its inputs is checked
        // against AllocationLimit (this machine's memory) before it gets here, so only the
        // system itself running out of memory lands here, where nothing can continue.
        guard let raw else { fatalError("cwb: the system is out of memory (\(bytes) bytes asked)") }
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    public convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.update(repeating: value, count: count)
    }

    deinit {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        if bytes >= LargeBlocks.minimumBytes { LargeBlocks.shared.release(pointer, bytes) } else { free(pointer) }
    }
}
