import Foundation

/// Out-of-place transpose of a row-major matrix, in 8×8 tiles: eight rows are loaded eight
/// floats at a time and written back as eight columns, so both sides move whole vectors
/// (a strided scalar walk reads one float per cache line on the transposed side).
enum Transpose {
    /// dst[j·rows + i] = src[i·cols + j] for a rows×cols `src`.
    static func matrix(_ src: UnsafePointer<Float>, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>) {
        let rows8 = rows / 8 * 8, cols8 = cols / 8 * 8
        // Column bands of 64 (eight tiles side by side) keep the 64 destination rows being
        // written hot while the bands' source rows stream past; one chunk of bands per core.
        let bands = (cols8 + 63) / 64
        Parallel.forChunks(bands, minChunk: Swift.max(1, (1 << 15) / Swift.max(64 * rows, 1))) { chunk in
            for band in chunk {
                let c0 = band * 64, c1 = Swift.min(cols8, c0 + 64)
                for r0 in stride(from: 0, to: rows8, by: 8) {
                    for c in stride(from: c0, to: c1, by: 8) { tile(src + r0 * cols + c, cols, into: dst + c * rows + r0, rows) }
                }
            }
        }
        // The ragged right columns and bottom rows.
        for r in 0..<rows { for c in (r < rows8 ? cols8 : 0)..<cols { dst[c * rows + r] = src[r * cols + c] } }
    }

    @inline(__always)
    private static func tile(_ src: UnsafePointer<Float>, _ ld: Int, into dst: UnsafeMutablePointer<Float>, _ ldd: Int) {
        let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(dst), row = ld * 4
        let v0 = s.loadUnaligned(fromByteOffset: 0, as: SIMD8<Float>.self)
        let v1 = s.loadUnaligned(fromByteOffset: row, as: SIMD8<Float>.self)
        let v2 = s.loadUnaligned(fromByteOffset: 2 * row, as: SIMD8<Float>.self)
        let v3 = s.loadUnaligned(fromByteOffset: 3 * row, as: SIMD8<Float>.self)
        let v4 = s.loadUnaligned(fromByteOffset: 4 * row, as: SIMD8<Float>.self)
        let v5 = s.loadUnaligned(fromByteOffset: 5 * row, as: SIMD8<Float>.self)
        let v6 = s.loadUnaligned(fromByteOffset: 6 * row, as: SIMD8<Float>.self)
        let v7 = s.loadUnaligned(fromByteOffset: 7 * row, as: SIMD8<Float>.self)
        for j in 0..<8 {
            d.storeBytes(of: SIMD8(v0[j], v1[j], v2[j], v3[j], v4[j], v5[j], v6[j], v7[j]),
                         toByteOffset: j * ldd * 4, as: SIMD8<Float>.self)
        }
    }
}
