import CWBCore

/// A value of the language. The language's own values have their own cases; everything the
/// libraries add (models, losses, optimizers, datasets, histories, reports, images, plots) is an
/// `.object`, bound by a small adapter that conforms to `ScriptObject`.
public enum Value {
    case number(Double)
    case bool(Bool)
    case string(String)
    case null
    case list([Value])
    case record(Record)
    case range(ScriptRange)
    case function(Closure)
    case builtin(BuiltinFunction)
    case tensor(Tensor)
    case object(any ScriptObject)

    public var typeName: String {
        switch self {
        case .number: return "number"
        case .bool: return "bool"
        case .string: return "string"
        case .null: return "nil"
        case .list: return "list"
        case .record: return "record"
        case .range: return "range"
        case .function, .builtin: return "function"
        case .tensor: return "tensor"
        case let .object(o): return o.typeName
        }
    }

    public var isTruthy: Bool {
        switch self {
        case let .bool(b): return b
        case .null: return false
        default: return true
        }
    }
}

/// Fields in the order they were written, so records print as they were made.
public struct Record {
    public private(set) var fields: [(name: String, value: Value)]

    public init(_ fields: [(name: String, value: Value)] = []) { self.fields = fields }

    public subscript(name: String) -> Value? {
        get { fields.first(where: { $0.name == name })?.value }
        set {
            if let i = fields.firstIndex(where: { $0.name == name }) {
                if let v = newValue { fields[i].value = v } else { fields.remove(at: i) }
            } else if let v = newValue {
                fields.append((name, v))
            }
        }
    }

    public var names: [String] { fields.map(\.name) }
}

/// `a..b` (inclusive), `a..<b`, `range(a, b, step)`: integers from start while before end.
public struct ScriptRange: Equatable {
    public let start: Int
    public let end: Int      // exclusive
    public let step: Int

    public init(start: Int, end: Int, step: Int = 1) {
        self.start = start
        self.end = end
        self.step = step
    }

    public var count: Int {
        if step > 0 { return end > start ? (end - start + step - 1) / step : 0 }
        return start > end ? (start - end - step - 1) / -step : 0
    }

    public func element(_ i: Int) -> Int { start + i * step }
}

/// A function written in the language: its declaration and the scope it closes over.
public final class Closure {
    public let declaration: FunctionDecl
    let scope: Scope
    init(declaration: FunctionDecl, scope: Scope) {
        self.declaration = declaration
        self.scope = scope
    }
    public var name: String { declaration.name ?? "<anonymous>" }
}

/// A builtin, possibly bound to a receiver (`t.mean` is `mean` bound to `t`).
public final class BuiltinFunction {
    public let builtin: Builtin
    public let receiver: Value?
    init(_ builtin: Builtin, receiver: Value? = nil) {
        self.builtin = builtin
        self.receiver = receiver
    }
}

// MARK: printing

/// Integral numbers print without a fraction; others in Swift's shortest round-trip form.
public func formatNumber(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v > 0 ? "inf" : "-inf" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
}

extension Value: CustomStringConvertible {
    /// How `print` and interpolation show a value: strings without quotes.
    public var description: String {
        if case let .string(s) = self { return s }
        // "loss \(l)" with a 0-d tensor reads best as the number itself.
        if case let .tensor(t) = self, t.rank == 0 { return formatNumber(shortestDouble(t.pointer[0])) }
        return repr
    }

    /// How the REPL shows a value: strings quoted, so "1" and 1 differ.
    public var repr: String { repr(depth: 0) }

    /// Lists and records nested deeper than this print as `[…]` / `{…}` (and never overflow).
    static let maxPrintDepth = 64

    func repr(depth: Int) -> String {
        switch self {
        case let .number(v): return formatNumber(v)
        case let .bool(b): return b ? "true" : "false"
        case let .string(s): return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
        case .null: return "nil"
        case let .list(items):
            if depth >= Value.maxPrintDepth { return "[…]" }
            let shown = items.prefix(100).map { $0.repr(depth: depth + 1) }.joined(separator: ", ")
            return "[" + shown + (items.count > 100 ? ", … (\(items.count) items)" : "") + "]"
        case let .record(r):
            if depth >= Value.maxPrintDepth { return "{…}" }
            return "{" + r.fields.map { "\($0.name): \($0.value.repr(depth: depth + 1))" }.joined(separator: ", ") + "}"
        case let .range(r):
            return r.step == 1 ? "\(r.start)..<\(r.end)" : "range(\(r.start), \(r.end), \(r.step))"
        case let .function(c):
            return "fn \(c.name)(" + c.declaration.parameters.map(\.name).joined(separator: ", ") + ")"
        case let .builtin(b):
            return "builtin \(b.builtin.signature)" + (b.receiver.map { " bound to a \($0.typeName)" } ?? "")
        case let .tensor(t): return TensorFormat.describe(t)
        case let .object(o): return o.description
        }
    }
}

// MARK: equality

extension Value {
    /// Structural equality of the language's own values; tensors and objects by identity.
    public func equals(_ other: Value) -> Bool { equals(other, depth: 0) }

    func equals(_ other: Value, depth: Int) -> Bool {
        // Beyond this depth structures compare as different rather than overflow the stack.
        guard depth < 1000 else { return false }
        switch (self, other) {
        case let (.number(a), .number(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case (.null, .null): return true
        case let (.list(a), .list(b)): return a.count == b.count && zip(a, b).allSatisfy { $0.equals($1, depth: depth + 1) }
        case let (.record(a), .record(b)):
            return a.fields.count == b.fields.count && a.fields.allSatisfy { f in b[f.name].map { f.value.equals($0, depth: depth + 1) } ?? false }
        case let (.range(a), .range(b)): return a == b
        case let (.function(a), .function(b)): return a === b
        case let (.builtin(a), .builtin(b)): return a.builtin.name == b.builtin.name && a.receiver == nil && b.receiver == nil
        case let (.tensor(a), .tensor(b)): return a === b
        case let (.object(a), .object(b)): return a === b
        default: return false
        }
    }
}
