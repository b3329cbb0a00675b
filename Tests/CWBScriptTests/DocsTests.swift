import Foundation
import XCTest
@testable import CWBScript

/// docs/LANGUAGE.md documents every builtin of each family it has a `### family` section for,
/// with its current signature (families bound later get checked once their section exists).
final class DocsTests: XCTestCase {
    func testLanguageReferenceListsEveryBuiltinSignature() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/LANGUAGE.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let families = Set(text.split(separator: "\n").filter { $0.hasPrefix("### ") }.map { String($0.dropFirst(4)) })
        XCTAssertTrue(families.isSuperset(of: ["core", "tensor", "plot"]), "\(families)")
        for b in BuiltinRegistry.standard().builtins.values where families.contains(b.domain) {
            XCTAssertTrue(text.contains("`\(b.signature)`"), "docs/LANGUAGE.md lacks `\(b.signature)`")
        }
        for command in Completion.commands {
            XCTAssertTrue(text.contains("`\(command)"), "docs/LANGUAGE.md lacks \(command)")
        }
    }
}
