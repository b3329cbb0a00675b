import Foundation
import XCTest
@testable import CWBScript

/// docs/LANGUAGE.md documents every builtin with its current signature.
final class DocsTests: XCTestCase {
    func testLanguageReferenceListsEveryBuiltinSignature() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/LANGUAGE.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        for b in BuiltinRegistry.standard().builtins.values {
            XCTAssertTrue(text.contains("`\(b.signature)`"), "docs/LANGUAGE.md lacks `\(b.signature)`")
        }
        for command in Completion.commands {
            XCTAssertTrue(text.contains("`\(command)"), "docs/LANGUAGE.md lacks \(command)")
        }
    }
}
