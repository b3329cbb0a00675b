import CWBCore
import Foundation
import XCTest
@testable import CWBScript

/// Runs `code` in a fresh interpreter; returns the last value and everything printed.
func runScript(_ code: String, file: String = "test.cwb") throws -> (value: Value, output: String) {
    var out = ""
    let interp = Interpreter(output: { out += $0 })
    let result = try interp.run(SourceFile(name: file, text: code))
    return (result.value, out)
}

func value(_ code: String) throws -> Value { try runScript(code).value }

func number(_ code: String, file: StaticString = #filePath, line: UInt = #line) throws -> Double {
    let v = try value(code)
    guard case let .number(x) = v else { XCTFail("expected a number, got \(v.repr)", file: file, line: line); return .nan }
    return x
}

/// Asserts that `code` fails with an error of `kind` at `line:column`; returns the error.
@discardableResult
func expectError(_ code: String, _ kind: ScriptError.Kind, line: Int, column: Int, contains text: String? = nil,
                 file: StaticString = #filePath, testLine: UInt = #line) -> ScriptError? {
    do {
        let v = try value(code)
        XCTFail("expected a \(kind) error, got value \(v.repr)", file: file, line: testLine)
        return nil
    } catch let e as ScriptError {
        XCTAssertEqual(e.kind, kind, e.rendered, file: file, line: testLine)
        XCTAssertEqual(e.location?.line, line, "line of: " + e.rendered, file: file, line: testLine)
        XCTAssertEqual(e.location?.column, column, "column of: " + e.rendered, file: file, line: testLine)
        if let text { XCTAssertTrue(e.message.contains(text), "'\(e.message)' should contain '\(text)'", file: file, line: testLine) }
        return e
    } catch {
        XCTFail("unexpected error type \(error)", file: file, line: testLine)
        return nil
    }
}

/// The built `cwb` executable, next to the test bundle (swift build/test builds it too).
func cwbExecutable() throws -> URL {
    let env = ProcessInfo.processInfo.environment
    if let path = env["CWB_BINARY"] { return URL(fileURLWithPath: path) }
    var candidates: [URL] = [Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL]
    for b in Bundle.allBundles { candidates.append(b.bundleURL.deletingLastPathComponent()) }
    candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
    for dir in candidates {
        let url = dir.appendingPathComponent("cwb")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    throw XCTSkip("the cwb executable was not found next to the tests (looked in \(candidates.map(\.path))); run `swift build` first")
}

struct ProcessResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs cwb with `arguments`, feeding `input` to its stdin (a pipe, never a terminal).
func runCWB(_ arguments: [String], input: String = "", directory: URL? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
    let process = Process()
    process.executableURL = try cwbExecutable()
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let group = DispatchGroup()
    nonisolated(unsafe) var out = Data(), err = Data()
    DispatchQueue.global().async(group: group) { out = stdout.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { err = stderr.fileHandleForReading.readDataToEndOfFile() }
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                         stderr: String(decoding: err, as: UTF8.self))
}

extension XCTestCase {
    /// A fresh folder for this test, removed when the test ends.
    func temporaryDirectory(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cwb-tests-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }
}

/// Width and height from a PNG's IHDR chunk; nil when the bytes are not a PNG.
func pngSize(_ path: String) -> (width: Int, height: Int)? {
    guard let d = FileManager.default.contents(atPath: path), d.count > 24 else { return nil }
    let bytes = [UInt8](d)
    guard bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR" else { return nil }
    func be(_ i: Int) -> Int { bytes[i..<i + 4].reduce(0) { $0 << 8 | Int($1) } }
    return (be(16), be(20))
}
