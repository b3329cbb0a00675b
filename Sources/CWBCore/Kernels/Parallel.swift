import Foundation

/// Work on every core when it pays. Splits 0..<count into at most one chunk per core, each at
/// least `minChunk` long, and runs `body` on the chunks concurrently.
public enum Parallel {
    public static let coreCount = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Set to 1 to keep kernels on the calling thread (benchmarks of one core).
    public nonisolated(unsafe) static var maxThreads = coreCount

    @inline(__always)
    public static func forChunks(_ count: Int, minChunk: Int, _ body: (Range<Int>) -> Void) {
        let chunks = min(maxThreads, count / max(minChunk, 1))
        if chunks <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let run = body
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = count * c / chunks, hi = count * (c + 1) / chunks
                run(lo..<hi)
            }
        }
    }
}
