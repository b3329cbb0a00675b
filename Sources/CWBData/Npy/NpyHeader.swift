/// The header of a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0).
public struct NpyHeader: Equatable, Sendable {
    public enum DType: String, Sendable {
        case uint8 = "u1"
        case float32 = "f4"
        public var size: Int { self == .uint8 ? 1 : 4 }
    }

    public let version: Int
    public let dtype: DType
    public let shape: [Int]
    /// Byte offset of the first element.
    public let dataOffset: Int

    public var elementCount: Int { shape.reduce(1, *) }
    public var dataSize: Int { elementCount * dtype.size }

    /// Parses the header at the start of `bytes` (at least the whole header); `name` is used in
    /// error messages. Only C-order arrays of uint8 or little-endian float32 are accepted.
    public static func parse(_ bytes: UnsafeRawBufferPointer, name: String) throws -> NpyHeader {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]   // \x93NUMPY
        guard bytes.count >= 10, bytes.prefix(6).elementsEqual(magic) else {
            throw DataError("\(name): not a .npy file (no \\x93NUMPY magic)")
        }
        let major = Int(bytes[6])
        let headerLength: Int, start: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw DataError("\(name): .npy header cut short") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        default:
            throw DataError("\(name): .npy format version \(major).\(bytes[7]) is not supported (1.0 to 3.0 are)")
        }
        guard start + headerLength <= bytes.count else {
            throw DataError("\(name): .npy header declares \(headerLength) bytes but the file is shorter")
        }
        let text = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        var parser = PyLiteralParser(text: text, name: name)
        guard case .dict(let dict) = try parser.parseValue() else {
            throw DataError("\(name): .npy header is not a dictionary: \(text.prefix(80))")
        }
        guard case .string(let descr)? = dict["descr"] else { throw DataError("\(name): .npy header has no 'descr' string") }
        guard case .bool(let fortran)? = dict["fortran_order"] else {
            throw DataError("\(name): .npy header has no 'fortran_order' True/False")
        }
        guard case .tuple(let dims)? = dict["shape"] else { throw DataError("\(name): .npy header has no 'shape' tuple") }
        if fortran {
            throw DataError("\(name): Fortran-order arrays are not supported (save with np.ascontiguousarray)")
        }
        var shape: [Int] = []
        for d in dims {
            guard case .int(let v) = d, v >= 0 else { throw DataError("\(name): .npy shape must hold non-negative integers") }
            shape.append(v)
        }
        let dtype: DType
        switch descr {
        case "|u1", "<u1", ">u1", "u1", "=u1": dtype = .uint8
        case "<f4", "=f4", "f4": dtype = .float32
        default:
            throw DataError("\(name): dtype '\(descr)' is not supported (uint8 '|u1' or little-endian float32 '<f4' are)")
        }
        return NpyHeader(version: major, dtype: dtype, shape: shape, dataOffset: start + headerLength)
    }

    /// The bytes of a header for this dtype and shape (version 1.0, padded to 64 bytes), so
    /// tests and tools can write .npy files.
    public static func encode(dtype: DType, shape: [Int]) -> [UInt8] {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(dtype == .uint8 ? "|u1" : "<f4")', 'fortran_order': False, 'shape': \(dims), }"
        let total = 10 + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        let n = dict.utf8.count
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(dict.utf8)
    }
}

/// The Python literals a .npy header uses: dict, tuple, string, int, True/False.
enum PyLiteral: Equatable {
    case dict([String: PyLiteral]), tuple([PyLiteral]), string(String), int(Int), bool(Bool)
}

struct PyLiteralParser {
    let chars: [Character]
    var i = 0
    let name: String

    init(text: String, name: String) {
        chars = Array(text)
        self.name = name
    }

    func fail(_ what: String) -> DataError {
        DataError("\(name): malformed .npy header: \(what) at character \(i) of \"\(String(chars).trimmingCharacters())\"")
    }

    mutating func skipSpace() { while i < chars.count, chars[i].isWhitespace { i += 1 } }

    mutating func expect(_ c: Character) throws {
        skipSpace()
        guard i < chars.count, chars[i] == c else { throw fail("expected '\(c)'") }
        i += 1
    }

    mutating func peek() -> Character? { skipSpace(); return i < chars.count ? chars[i] : nil }

    mutating func parseValue() throws -> PyLiteral {
        guard let c = peek() else { throw fail("unexpected end") }
        switch c {
        case "{":
            i += 1
            var d: [String: PyLiteral] = [:]
            while peek() != "}" {
                guard case .string(let key) = try parseValue() else { throw fail("dictionary key is not a string") }
                try expect(":")
                d[key] = try parseValue()
                if peek() == "," { i += 1 } else if peek() != "}" { throw fail("expected ',' or '}'") }
            }
            i += 1
            return .dict(d)
        case "(":
            i += 1
            var items: [PyLiteral] = []
            while peek() != ")" {
                items.append(try parseValue())
                if peek() == "," { i += 1 } else if peek() != ")" { throw fail("expected ',' or ')'") }
            }
            i += 1
            return .tuple(items)
        case "'", "\"":
            i += 1
            var s = ""
            while i < chars.count, chars[i] != c { s.append(chars[i]); i += 1 }
            guard i < chars.count else { throw fail("unterminated string") }
            i += 1
            return .string(s)
        default:
            var word = ""
            while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "-" || chars[i] == "_" {
                word.append(chars[i]); i += 1
            }
            if word == "True" { return .bool(true) }
            if word == "False" { return .bool(false) }
            if let v = Int(word.hasSuffix("L") ? String(word.dropLast()) : word) { return .int(v) }
            throw fail(word.isEmpty ? "unexpected '\(c)'" : "unknown value '\(word)'")
        }
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
