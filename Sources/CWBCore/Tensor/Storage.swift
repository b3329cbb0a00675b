import Foundation

/// A 64-byte-aligned buffer of Float32 that one or more tensors view (reshape shares it).
/// Hot loops take `pointer` once and run on it; never index an array property in a loop.
public final class Storage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Uninitialised memory; callers fill every element.
    public init(uninitializedCount count: Int) {
        _ = Storage.allocatorTuned
        self.count = count
        var raw: UnsafeMutableRawPointer?
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        if posix_memalign(&raw, 64, bytes) != 0 || raw == nil {
            // Out of memory is not a user mistake we can recover from.
            fatalError("cwb: cannot allocate \(bytes) bytes")
        }
        pointer = raw!.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    public convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.update(repeating: value, count: count)
    }

    deinit { free(pointer) }

    /// glibc serves blocks above 128 KiB with mmap and returns them to the kernel on free, so
    /// every fresh activation buffer page-faults again (measured 4–5× slower to fill). Keep
    /// blocks up to 32 MiB (glibc's maximum) on the heap for reuse, and trim it rarely.
    private static let allocatorTuned: Void = {
        #if os(Linux)
        _ = glibcMallopt(-3 /* M_MMAP_THRESHOLD */, 32 << 20)
        _ = glibcMallopt(-1 /* M_TRIM_THRESHOLD */, 512 << 20)
        #endif
    }()
}

#if os(Linux)
/// glibc's `mallopt` (declared in <malloc.h>, which the Glibc module does not import).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
