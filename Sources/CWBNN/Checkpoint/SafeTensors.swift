import CWBCore
import Foundation

/// The safetensors format (https://github.com/huggingface/safetensors), read and written here:
/// 8-byte little-endian header length N, N bytes of JSON
/// `{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}`
/// (padded with spaces to a multiple of 8), then the data. Offsets are relative to the data.
/// Values become Float32 tensors in memory; each entry keeps the dtype it was stored as.
public enum SafeTensors {
    /// Refuse headers beyond this size (the reference implementation's limit) before allocating.
    static let maxHeader = 100_000_000

    // MARK: Reading

    public static func read(contentsOf url: URL) throws -> (tensors: StateDict, metadata: [String: String]) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TensorError("safetensors: cannot read \(url.path): \(error.localizedDescription)")
        }
        return try decode(data, source: url.lastPathComponent)
    }

    public static func decode(_ data: Data, source: String = "data") throws -> (tensors: StateDict, metadata: [String: String]) {
        try data.withUnsafeBytes { try decode(bytes: $0, source: source) }
    }

    static func decode(bytes: UnsafeRawBufferPointer, source: String) throws -> (tensors: StateDict, metadata: [String: String]) {
        func fail(_ m: String) -> TensorError { TensorError("safetensors \(source): \(m)") }
        guard bytes.count >= 8 else { throw fail("file of \(bytes.count) bytes is too short for the 8-byte header length") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(maxHeader), Int(n) <= bytes.count - 8 else {
            throw fail("header length \(n) does not fit in a file of \(bytes.count) bytes")
        }
        let headerEnd = 8 + Int(n)
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])) } catch {
            throw fail("header is not valid JSON")
        }
        guard let header = json as? [String: Any] else { throw fail("header is not a JSON object") }
        let dataCount = bytes.count - headerEnd

        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw fail("__metadata__ value of \"\(k)\" is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw fail("entry \"\(name)\" is not an object") }
            guard let dt = info["dtype"] as? String else { throw fail("entry \"\(name)\" has no dtype") }
            guard let dtype = DType(rawValue: dt) else { throw fail("entry \"\(name)\" has unsupported dtype \(dt)") }
            guard let shape = intArray(info["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("entry \"\(name)\" has no valid shape")
            }
            guard let off = intArray(info["data_offsets"]), off.count == 2 else {
                throw fail("entry \"\(name)\" has no valid data_offsets")
            }
            guard off[0] >= 0, off[0] <= off[1], off[1] <= dataCount else {
                throw fail("entry \"\(name)\" data_offsets [\(off[0]), \(off[1])] outside the data (\(dataCount) bytes; file truncated?)")
            }
            var expected = dtype.size
            for d in shape {
                let (m, overflow) = expected.multipliedReportingOverflow(by: d)
                guard !overflow else { throw fail("entry \"\(name)\" has an impossible shape \(shapeText(shape))") }
                expected = m
            }
            guard off[1] - off[0] == expected else {
                throw fail("entry \"\(name)\" has \(off[1] - off[0]) bytes but shape \(shapeText(shape)) of \(dt) needs \(expected)")
            }
            entries.append((name, dtype, shape, off[0], off[1]))
        }
        // Entries must tile the data exactly: no overlaps, no holes, nothing after the last.
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var cursor = 0
        for e in entries {
            guard e.begin == cursor else {
                throw fail(e.begin < cursor ? "entry \"\(e.name)\" overlaps the previous entry (starts at \(e.begin), previous ends at \(cursor))"
                                            : "gap in the data before entry \"\(e.name)\" (bytes \(cursor)..<\(e.begin))")
            }
            cursor = e.end
        }
        guard cursor == dataCount else { throw fail("\(dataCount - cursor) bytes after the last entry are not described by the header") }

        var out = StateDict()
        for e in entries {
            let t = Tensor.zeros(e.shape)
            if let base = bytes.baseAddress, t.count > 0 {
                convert(from: base + headerEnd + e.begin, dtype: e.dtype, into: t.pointer, count: t.count)
            }
            out.set(e.name, t, dtype: e.dtype)
        }
        return (out, metadata)
    }

    private static func intArray(_ v: Any?) -> [Int]? {
        guard let a = v as? [Any] else { return nil }
        var out: [Int] = []
        for x in a {
            guard let n = x as? NSNumber, n.doubleValue == n.doubleValue.rounded(), abs(n.doubleValue) < 9e15 else { return nil }
            out.append(n.intValue)
        }
        return out
    }

    private static func convert(from src: UnsafeRawPointer, dtype: DType, into dst: UnsafeMutablePointer<Float>, count: Int) {
        // Loads are unaligned-safe; the format is little-endian like this machine.
        switch dtype {
        case .f32: for i in 0..<count { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .f64: for i in 0..<count { dst[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
        case .f16: for i in 0..<count { dst[i] = Float(Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
        case .bf16: for i in 0..<count { dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
        case .i64: for i in 0..<count { dst[i] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case .i32: for i in 0..<count { dst[i] = Float(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        }
    }

    // MARK: Writing

    /// The file's bytes: entries in `tensors` order, each converted to its dtype.
    public static func encode(_ tensors: StateDict, metadata: [String: String] = [:]) -> Data {
        var parts: [String] = []
        if !metadata.isEmpty {
            let m = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            parts.append("\"__metadata__\":{" + m.joined(separator: ",") + "}")
        }
        var offset = 0
        for (k, t, d) in tensors {
            let n = t.count * d.size
            parts.append("\(jsonString(k)):{\"dtype\":\"\(d.rawValue)\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + n)]}")
            offset += n
        }
        var header = Array(("{" + parts.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var out = [UInt8](repeating: 0, count: 8 + header.count + offset)
        let hn = UInt64(header.count)
        for i in 0..<8 { out[i] = UInt8((hn >> (8 * UInt64(i))) & 0xff) }
        out.replaceSubrange(8..<(8 + header.count), with: header)
        var pos = 8 + header.count
        out.withUnsafeMutableBytes { raw in
            for (_, t, d) in tensors {
                store(t.pointer, count: t.count, dtype: d, into: raw.baseAddress! + pos)
                pos += t.count * d.size
            }
        }
        return Data(out)
    }

    /// Writes atomically: a temporary file in the same folder, then a rename.
    public static func write(_ tensors: StateDict, metadata: [String: String] = [:], to url: URL) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: url.path)
    }

    private static func store(_ src: UnsafeMutablePointer<Float>, count: Int, dtype: DType, into dst: UnsafeMutableRawPointer) {
        switch dtype {
        case .f32: for i in 0..<count { dst.storeBytes(of: src[i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
        case .f64: for i in 0..<count { dst.storeBytes(of: Double(src[i]).bitPattern.littleEndian, toByteOffset: 8 * i, as: UInt64.self) }
        case .f16: for i in 0..<count { dst.storeBytes(of: Float16(src[i]).bitPattern.littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
        case .bf16:
            for i in 0..<count {   // round to nearest even on the dropped 16 bits
                let b = src[i].bitPattern
                let r = b &+ 0x7fff &+ ((b >> 16) & 1)
                dst.storeBytes(of: UInt16(truncatingIfNeeded: (src[i].isNaN ? b : r) >> 16).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
            }
        case .i64: for i in 0..<count { dst.storeBytes(of: Int64(src[i].rounded()).littleEndian, toByteOffset: 8 * i, as: Int64.self) }
        case .i32: for i in 0..<count { dst.storeBytes(of: Int32(src[i].rounded()).littleEndian, toByteOffset: 4 * i, as: Int32.self) }
        }
    }

    private static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
