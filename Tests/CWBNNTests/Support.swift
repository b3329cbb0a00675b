import CWBCore
@testable import CWBNN
import Foundation
import XCTest

/// A fixture file written by make_fixtures.py, read with cwb's own safetensors reader.
func fixture(_ name: String) throws -> StateDict {
    let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    return try SafeTensors.read(contentsOf: dir.appendingPathComponent(name)).tensors
}

/// PyTorch's `state_dict()` key order of fixture case `name` (kept in the file's metadata,
/// since safetensors writers sort their entries).
func fixtureKeyOrder(_ file: String, _ name: String) throws -> [String] {
    let meta = try SafeTensors.read(contentsOf: fixtureURL(file)).metadata
    let keys = try XCTUnwrap(meta["\(name).keys"], "no key order for \(name) in \(file)")
    return keys.isEmpty ? [] : keys.components(separatedBy: ",")
}

func fixtureURL(_ name: String) throws -> URL {
    try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appendingPathComponent(name)
}

extension StateDict {
    func require(_ key: String, file: StaticString = #filePath, line: UInt = #line) throws -> Tensor {
        try XCTUnwrap(self[key], "fixture has no \(key)", file: file, line: line)
    }
}

/// |a − b| ≤ atol + rtol·|b| elementwise, with the worst element named on failure.
func assertClose(_ a: Tensor, _ b: Tensor, rtol: Float = 1e-4, atol: Float = 1e-5, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    guard a.shape == b.shape else {
        XCTFail("\(what): shape \(a.shape) vs expected \(b.shape)", file: file, line: line)
        return
    }
    let x = a.scalars, y = b.scalars
    var worst = 0, excess: Float = 0
    for i in 0..<x.count {
        let e = abs(x[i] - y[i]) - (atol + rtol * abs(y[i]))
        if !(e <= excess) { excess = e.isNaN ? .infinity : e; worst = i }
    }
    if excess > 0 {
        XCTFail("\(what): element \(worst) is \(x[worst]), expected \(y[worst]) (shape \(a.shape))", file: file, line: line)
    }
}

func temporaryURL(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("cwbnn-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)-\(name)")
}
