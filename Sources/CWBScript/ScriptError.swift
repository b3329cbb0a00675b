import CWBCore

/// Every mistake a script can make, with where it happened. `rendered` gives the
/// `file:line:col: kind error: message`, the source line and a caret under the column.
public struct ScriptError: Error, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case syntax          // the lexer or parser refused the text
        case name            // an unknown variable, builtin or attribute
        case type            // a value of the wrong type
        case value           // a value of the right type but wrong content (shape, range, …)
        case argument        // a builtin's arguments do not fit its signature
        case interrupted     // Ctrl-C
        case runtime         // anything else (files, the libraries)
    }

    public let kind: Kind
    public let message: String
    public var location: SourceLocation?

    public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
    }

    public var description: String { rendered }

    /// The full report: position, message, source line and caret.
    public var rendered: String {
        let label = kind == .interrupted ? "interrupted" : "\(kind.rawValue) error"
        guard let loc = location else { return "\(label): \(message)" }
        var out = "\(loc): \(label): \(message)"
        if let line = loc.file.line(loc.line) {
            let shown = line.replacingOccurrences(of: "\t", with: " ")
            out += "\n    \(shown)\n    " + String(repeating: " ", count: max(0, loc.column - 1)) + "^"
        }
        return out
    }

    /// Wraps any error thrown by a library or builtin into a located script error.
    static func wrap(_ error: Error, at location: SourceLocation?) -> ScriptError {
        if var e = error as? ScriptError {
            if e.location == nil { e.location = location }
            return e
        }
        if let e = error as? TensorError { return ScriptError(.value, e.message, at: location) }
        return ScriptError(.runtime, "\(error)", at: location)
    }
}
