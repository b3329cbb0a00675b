import Foundation

/// A `.npy` array mapped read-only into memory: nothing is read until an item is touched,
/// and items can be released again so a pass over a large file keeps memory flat.
public final class NpyArray: @unchecked Sendable {
    public let path: String
    public let header: NpyHeader
    private let base: UnsafeMutableRawPointer
    private let mappedLength: Int
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
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw DataError("\(path): cannot stat") }
        let size = Int(st.st_size)
        guard size > 0 else { throw DataError("\(path): empty file, not a .npy array") }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw DataError("\(path): cannot memory-map (\(String(cString: strerror(errno))))")
        }
        do {
            let h = try NpyHeader.parse(UnsafeRawBufferPointer(start: p, count: size), name: path)
            guard h.shape.count >= 1 else { throw DataError("\(path): a 0-dimensional array holds no items") }
            guard h.dataOffset + h.dataSize <= size else {
                throw DataError("\(path): shape \(h.shape) of \(h.dtype) needs \(h.dataSize) bytes of data, the file holds \(size - h.dataOffset)")
            }
            header = h
        } catch {
            munmap(p, size)
            throw error
        }
        self.path = path
        base = p
        mappedLength = size
    }

    deinit { munmap(base, mappedLength) }

    /// The raw bytes of item `index` along the first axis (valid while the array lives).
    public func item(_ index: Int) throws -> UnsafeRawBufferPointer {
        guard (0..<itemCount).contains(index) else {
            throw DataError("\(path): item \(index) out of range 0..<\(itemCount)")
        }
        return UnsafeRawBufferPointer(start: base + header.dataOffset + index * itemSize, count: itemSize)
    }

    /// Tells the kernel the pages wholly inside item `index` may be dropped from this
    /// process (they are re-read from the file if touched again).
    public func release(_ index: Int) {
        guard (0..<itemCount).contains(index) else { return }
        let start = header.dataOffset + index * itemSize
        let first = (start + Self.pageSize - 1) / Self.pageSize * Self.pageSize
        let end = (start + itemSize) / Self.pageSize * Self.pageSize
        if end > first { madvise(base + first, end - first, MADV_DONTNEED) }
    }
}
