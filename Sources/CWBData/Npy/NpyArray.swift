import Foundation

/// A `.npy` array read through memory maps, never whole: each access maps just the pages of
/// one item (along the first axis) and unmaps them afterwards, so a pass over a file of any
/// size keeps memory flat. (Mapping the whole file and dropping pages with
/// madvise(MADV_DONTNEED) was measured to leave about half of the touched pages resident on
/// Linux 6.18; unmapping does not.)
public final class NpyArray: @unchecked Sendable {
    public let path: String
    public let header: NpyHeader
    private let fd: Int32
    private let fileSize: Int
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    public var shape: [Int] { header.shape }
    public var dtype: NpyHeader.DType { header.dtype }
    /// Number of items along the first axis.
    public var itemCount: Int { header.shape.first ?? 0 }
    /// Bytes of one item (everything after the first axis).
    public var itemSize: Int { header.shape.dropFirst().reduce(1, *) * header.dtype.size }

    public init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DataError("\(path): cannot open (\(String(cString: strerror(errno))))") }
        var st = stat()
        guard fstat(fd, &st) == 0 else { close(fd); throw DataError("\(path): cannot stat") }
        let size = Int(st.st_size)
        do {
            guard size > 0 else { throw DataError("\(path): empty file, not a .npy array") }
            // The header is at most a few kB (numpy pads it to 64 bytes); map just its start.
            let headLength = min(size, 1 << 16)
            guard let p = mmap(nil, headLength, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
                throw DataError("\(path): cannot memory-map (\(String(cString: strerror(errno))))")
            }
            defer { munmap(p, headLength) }
            let h = try NpyHeader.parse(UnsafeRawBufferPointer(start: p, count: headLength), name: path)
            guard h.shape.count >= 1 else { throw DataError("\(path): a 0-dimensional array holds no items") }
            guard h.dataOffset + h.dataSize <= size else {
                throw DataError("\(path): shape \(h.shape) of \(h.dtype) needs \(h.dataSize) bytes of data, the file holds \(size - h.dataOffset)")
            }
            header = h
        } catch {
            close(fd)
            throw error
        }
        self.path = path
        self.fd = fd
        fileSize = size
    }

    deinit { close(fd) }

    /// Calls `body` with the raw bytes of item `index`, mapped for the duration of the call.
    public func withItem<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard (0..<itemCount).contains(index) else {
            throw DataError("\(path): item \(index) out of range 0..<\(itemCount)")
        }
        let start = header.dataOffset + index * itemSize
        let first = start / Self.pageSize * Self.pageSize
        let length = start + itemSize - first
        guard length > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        guard let p = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, off_t(first)), p != MAP_FAILED else {
            throw DataError("\(path): cannot memory-map item \(index) (\(String(cString: strerror(errno))))")
        }
        defer { munmap(p, length) }
        return try body(UnsafeRawBufferPointer(start: p + (start - first), count: itemSize))
    }
}
