import Foundation

/// The largest tensor cwb will ask memory for. Shapes that user-given sizes make bigger than
/// their inputs (broadcasts, products, padding, concatenation, upsampling, convolutions,
/// constructors) are checked here first, so a typo such as an outer product of two million-long
/// vectors is an error naming the op, not a failed allocation that ends the process.
public enum AllocationLimit {
    /// Bytes one tensor may take: this machine's memory (a larger one could never be filled).
    public nonisolated(unsafe) static var bytes = Int(clamping: ProcessInfo.processInfo.physicalMemory)

    /// Throws naming `op` when `shape`'s elements overflow or need more than `bytes`.
    public static func check(_ shape: [Int], _ op: String) throws {
        var elements = 1, overflow = false
        for d in shape {
            let (p, o) = elements.multipliedReportingOverflow(by: Swift.max(d, 0))
            elements = p; overflow = overflow || o
        }
        let (needed, o) = elements.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        guard overflow || o || needed > bytes else { return }
        let size = overflow || o ? "more bytes than can be counted" : byteText(needed)
        throw TensorError("\(op): a result of shape \(shapeString(shape)) would take \(size), more than this machine's \(byteText(bytes)) of memory")
    }

    static func byteText(_ n: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = Double(n), i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        return i == 0 ? "\(n) bytes" : String(format: "%.1f ", v) + units[i]
    }
}
