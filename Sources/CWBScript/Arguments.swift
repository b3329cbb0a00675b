import CWBCore

/// The arguments of one call. Builtins read them by parameter name through the typed getters,
/// which throw errors like `conv2d: argument 'stride' expects a number or a pair, got string`.
public struct Arguments {
    public let function: String
    public let positional: [Value]
    public let keywords: [(name: String, value: Value)]
    public let location: SourceLocation?
    /// By parameter name, once bound to a signature.
    private var bound: [String: Value] = [:]
    /// Positional values beyond the named parameters (a variadic builtin's `dims...`).
    public private(set) var rest: [Value] = []
    /// Where each argument was written (positional in order, then by keyword), so an error
    /// about one argument points at it rather than at the call.
    var positionalLocations: [SourceLocation] = []
    var keywordLocations: [String: SourceLocation] = [:]
    private var boundLocations: [String: SourceLocation] = [:]

    public init(function: String, positional: [Value], keywords: [(name: String, value: Value)] = [],
                location: SourceLocation? = nil) {
        self.function = function
        self.positional = positional
        self.keywords = keywords
        self.location = location
        for (name, v) in keywords { bound[name] = v }
    }

    /// The location of argument `name`, or of the call.
    public func location(of name: String) -> SourceLocation? { boundLocations[name] ?? location }

    /// Matches positional values to `parameters` in order and checks every keyword is known.
    public func binding(_ parameters: [String], positionalCount: Int? = nil, variadic: String? = nil) throws -> Arguments {
        var b = self
        b.bound = [:]
        let positionalNames = parameters.prefix(positionalCount ?? parameters.count)
        // A bound receiver (`t.mean()`) has no location of its own: align from the end.
        let shift = positional.count - positionalLocations.count
        for (name, l) in keywordLocations { b.boundLocations[name] = l }
        for (i, v) in positional.enumerated() {
            if i < positionalNames.count {
                b.bound[parameters[i]] = v
                if i - shift >= 0, i - shift < positionalLocations.count { b.boundLocations[parameters[i]] = positionalLocations[i - shift] }
            }
            else if variadic != nil { b.rest.append(v) }
            else {
                throw ScriptError(.argument, "\(function): takes at most \(positionalNames.count) positional argument\(positionalNames.count == 1 ? "" : "s"), got \(positional.count)", at: location)
            }
        }
        for (name, v) in keywords {
            guard parameters.contains(name) else {
                let known = parameters.isEmpty ? "it takes none" : "known: " + parameters.joined(separator: ", ")
                throw ScriptError(.argument, "\(function): unknown argument '\(name)' (\(known))", at: location)
            }
            if b.bound[name] != nil, positional.count > (parameters.firstIndex(of: name) ?? Int.max) {
                throw ScriptError(.argument, "\(function): argument '\(name)' is given twice", at: location)
            }
            b.bound[name] = v
        }
        return b
    }

    public func has(_ name: String) -> Bool {
        if let v = bound[name], case .null = v { return false }
        return bound[name] != nil
    }

    public func value(_ name: String) -> Value? { bound[name] }

    public func fail(_ name: String, expects what: String, got v: Value) -> ScriptError {
        ScriptError(.argument, "\(function): argument '\(name)' expects \(what), got \(v.typeName)" + Arguments.sample(v), at: location(of: name))
    }

    static func sample(_ v: Value) -> String {
        switch v {
        case .number, .bool, .string: return " " + v.repr
        case let .tensor(t): return " of shape " + TensorFormat.shapeText(t.shape)
        default: return ""
        }
    }

    public func required(_ name: String) throws -> Value {
        guard let v = bound[name] else { throw ScriptError(.argument, "\(function): missing argument '\(name)'", at: location) }
        return v
    }

    // MARK: typed getters (a default makes the argument optional)

    public func number(_ name: String, default d: Double? = nil) throws -> Double {
        guard has(name) else {
            if let d { return d }
            _ = try required(name)
            throw ScriptError(.argument, "\(function): argument '\(name)' expects a number, got nil", at: location)
        }
        let v = bound[name]!
        if let x = v.asNumber { return x }
        throw fail(name, expects: "a number", got: v)
    }

    public func int(_ name: String, default d: Int? = nil) throws -> Int {
        guard has(name) else {
            if let d { return d }
            _ = try required(name)
            throw ScriptError(.argument, "\(function): argument '\(name)' expects an integer, got nil", at: location)
        }
        let v = bound[name]!
        if let x = v.asInt { return x }
        throw fail(name, expects: "an integer", got: v)
    }

    public func bool(_ name: String, default d: Bool) throws -> Bool {
        guard has(name) else { return d }
        if case let .bool(b) = bound[name]! { return b }
        throw fail(name, expects: "true or false", got: bound[name]!)
    }

    public func string(_ name: String, default d: String? = nil) throws -> String {
        guard has(name) else {
            if let d { return d }
            _ = try required(name)
            throw ScriptError(.argument, "\(function): argument '\(name)' expects a string, got nil", at: location)
        }
        if case let .string(s) = bound[name]! { return s }
        throw fail(name, expects: "a string", got: bound[name]!)
    }

    public func optionalString(_ name: String) throws -> String? {
        has(name) ? try string(name) : nil
    }

    /// A number (used for both) or a list of two numbers: kernel sizes, strides, paddings.
    public func pair(_ name: String, default d: Pair? = nil) throws -> Pair {
        guard has(name) else {
            if let d { return d }
            _ = try required(name)
            throw ScriptError(.argument, "\(function): argument '\(name)' expects a number or a pair, got nil", at: location)
        }
        let v = bound[name]!
        if let x = v.asInt { return (x, x) }
        if case let .list(items) = v, items.count == 2, let a = items[0].asInt, let b = items[1].asInt { return (a, b) }
        throw fail(name, expects: "a number or a pair", got: v)
    }

    /// A tensor; a number becomes a 0-d tensor and a (nested) list of numbers a tensor.
    public func tensor(_ name: String) throws -> Tensor {
        let v = try required(name)
        if let t = try v.asTensor() { return t }
        throw fail(name, expects: "a tensor", got: v)
    }

    public func optionalTensor(_ name: String) throws -> Tensor? {
        has(name) ? try tensor(name) : nil
    }

    /// A list of integers given as a list, a range or (for shapes) the variadic rest.
    public func intList(_ name: String) throws -> [Int] {
        let v = try required(name)
        if let xs = v.asIntList { return xs }
        throw fail(name, expects: "a list of integers", got: v)
    }

    public func list(_ name: String) throws -> [Value] {
        let v = try required(name)
        if let xs = v.asList { return xs }
        throw fail(name, expects: "a list", got: v)
    }
}

// MARK: conversions shared by the interpreter and builtins

extension Value {
    public var asNumber: Double? {
        switch self {
        case let .number(x): return x
        case let .tensor(t) where t.count == 1: return shortestDouble(t.pointer[0])
        default: return nil
        }
    }

    public var asInt: Int? {
        guard let x = asNumber, x == x.rounded(), abs(x) < 1e15 else { return nil }
        return Int(x)
    }

    /// Lists, ranges and sequence objects as a list of values.
    public var asList: [Value]? {
        switch self {
        case let .list(xs): return xs
        case let .range(r): return (0..<r.count).map { .number(Double(r.element($0))) }
        default: return nil
        }
    }

    public var asIntList: [Int]? {
        guard let xs = asList else { return nil }
        var out: [Int] = []
        for x in xs { guard let i = x.asInt else { return nil }; out.append(i) }
        return out
    }

    /// A tensor from a tensor, a number or a rectangular nested list of numbers.
    public func asTensor() throws -> Tensor? {
        switch self {
        case let .tensor(t): return t
        case let .number(x): return Tensor(Float(x))
        case let .bool(b): return Tensor(b ? 1 : 0)
        case .list, .range:
            var shape: [Int] = []
            var flat: [Float] = []
            func walk(_ v: Value, depth: Int) throws -> Bool {
                if let x = v.asNumber, !(v.asList != nil) {
                    if depth != shape.count { throw ScriptError(.value, "tensor: nested lists are ragged (a number where a list was expected)") }
                    flat.append(Float(x)); return true
                }
                guard let items = v.asList else { return false }
                if depth >= 16 { throw ScriptError(.value, "tensor: lists nested more than 16 deep") }
                if depth == shape.count { shape.append(items.count) }
                else if depth > shape.count || shape[depth] != items.count {
                    throw ScriptError(.value, "tensor: nested lists are ragged (lengths \(shape.count > depth ? shape[depth] : 0) and \(items.count) at depth \(depth + 1))")
                }
                for item in items { guard try walk(item, depth: depth + 1) else { return false } }
                return true
            }
            guard try walk(self, depth: 0) else { return nil }
            return try Tensor(shape: shape, scalars: flat)
        default: return nil
        }
    }
}
