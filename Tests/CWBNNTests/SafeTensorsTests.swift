import CWBCore
@testable import CWBNN
import Foundation
import XCTest

final class SafeTensorsTests: XCTestCase {
    func testRoundTripOfEveryDType() throws {
        var sd = StateDict()
        let values: [Float] = [0, 1, -2.5, 3.25, 1000, -0.125], integers: [Float] = [0, 1, -2, 3, 1000, -7]
        for d in DType.allCases {
            sd.set("t.\(d.rawValue)", try Tensor(shape: [2, 3], scalars: d == .i64 || d == .i32 ? integers : values), dtype: d)
        }
        sd.set("scalar \"quoted\"\n", Tensor(7), dtype: .i64)
        sd.set("empty", Tensor.zeros([0, 4]))
        let url = temporaryURL("round.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(sd, metadata: ["epoch": "3", "note": "ü \"x\""], to: url)
        let (back, meta) = try SafeTensors.read(contentsOf: url)
        XCTAssertEqual(meta, ["epoch": "3", "note": "ü \"x\""])
        XCTAssertEqual(Set(back.keys), Set(sd.keys))
        for (k, t, d) in sd {
            XCTAssertEqual(back.dtype(k), d, k)
            XCTAssertEqual(back[k]?.shape, t.shape, k)
            XCTAssertEqual(back[k]?.scalars, t.scalars, k)   // these values are exact in every dtype
        }
        // Header length is a multiple of 8 and data starts right after it.
        let bytes = [UInt8](try Data(contentsOf: url))
        let n = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(n % 8, 0)
    }

    func testF16Rounding() throws {
        var sd = StateDict()
        sd.set("x", try Tensor(shape: [2], scalars: [0.1, 70000]), dtype: .f16)
        let back = try SafeTensors.decode(SafeTensors.encode(sd)).tensors["x"]!.scalars
        XCTAssertEqual(back[0], Float(Float16(0.1)))
        XCTAssertTrue(back[1].isInfinite)   // beyond F16's range, as numpy/torch
    }

    /// A file from a header string and a data size, for corrupt cases.
    func file(header: String, dataBytes: Int, declaredLength: UInt64? = nil) -> Data {
        var h = Array(header.utf8)
        while h.count % 8 != 0 { h.append(0x20) }
        let n = declaredLength ?? UInt64(h.count)
        var out = (0..<8).map { UInt8((n >> (8 * UInt64($0))) & 0xff) }
        out += h
        out += [UInt8](repeating: 0, count: dataBytes)
        return Data(out)
    }

    func assertRejects(_ data: Data, mentioning word: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors.decode(data, source: "bad.safetensors"), file: file, line: line) { e in
            XCTAssertTrue("\(e)".contains(word), "error \"\(e)\" does not mention \(word)", file: file, line: line)
            XCTAssertTrue("\(e)".contains("bad.safetensors"), "error \"\(e)\" does not name the file", file: file, line: line)
        }
    }

    func testCorruptFilesAreErrors() {
        let good = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        XCTAssertNoThrow(try SafeTensors.decode(file(header: good, dataBytes: 12)))
        assertRejects(Data([1, 2, 3]), mentioning: "too short")
        assertRejects(file(header: good, dataBytes: 12, declaredLength: 1 << 40), mentioning: "header length")
        assertRejects(file(header: good, dataBytes: 12, declaredLength: 100_000), mentioning: "header length")
        assertRejects(file(header: "{not json", dataBytes: 0), mentioning: "JSON")
        let overlap = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        assertRejects(file(header: overlap, dataBytes: 12), mentioning: "overlaps")
        assertRejects(file(header: good, dataBytes: 10), mentioning: "truncated")
        let wrongSize = #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        assertRejects(file(header: wrongSize, dataBytes: 8), mentioning: "needs 12")
        let gap = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        assertRejects(file(header: gap, dataBytes: 8), mentioning: "gap")
        assertRejects(file(header: good, dataBytes: 16), mentioning: "after the last entry")
        let huge = #"{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}"#
        assertRejects(file(header: huge, dataBytes: 8), mentioning: "impossible shape")
        let dtype = #"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#
        assertRejects(file(header: dtype, dataBytes: 8), mentioning: "C64")
    }

    func testMissingFileIsAnError() {
        XCTAssertThrowsError(try SafeTensors.read(contentsOf: URL(fileURLWithPath: "/nonexistent/x.safetensors")))
    }

    /// A PyTorch-written file (safetensors.torch) parses, I64 included.
    func testReadsPyTorchFiles() throws {
        let fx = try fixture("layers.safetensors")
        XCTAssertEqual(fx.dtype("bn_train.p.num_batches_tracked"), .i64)
        XCTAssertEqual(fx["bn_train.after.num_batches_tracked"]?.scalars, [4])
    }
}
