import CWBCore
import Foundation

/// Operators, indexing and attributes of the language's values.
extension Interpreter {
    func unary(_ op: String, _ v: Value, _ loc: SourceLocation) throws -> Value {
        switch (op, v) {
        case ("not", _): return .bool(!v.isTruthy)
        case let ("-", .number(x)): return .number(-x)
        case let ("-", .tensor(t)): return .tensor(t * -1)
        case let ("+", .number(x)): return .number(x)
        case let ("+", .tensor(t)): return .tensor(t)
        case let ("-", .object(o as ScriptArithmetic)):
            if let r = try wrapped(loc, { try o.binary("*", .number(-1), selfOnLeft: true) }) { return r }
        default: break
        }
        throw ScriptError(.type, "unary '\(op)' does not apply to a \(v.typeName)", at: loc)
    }

    func wrapped<T>(_ loc: SourceLocation, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw ScriptError.wrap(error, at: loc) }
    }

    func binary(_ op: String, _ a: Value, _ b: Value, _ loc: SourceLocation) throws -> Value {
        switch (a, b) {
        case let (.number(x), .number(y)):
            switch op {
            case "+": return .number(x + y)
            case "-": return .number(x - y)
            case "*": return .number(x * y)
            case "/": return .number(x / y)
            case "%": return .number(y == 0 ? .nan : x - y * (x / y).rounded(.down))
            case "**": return .number(Foundation.pow(x, y))
            case "<": return .bool(x < y)
            case "<=": return .bool(x <= y)
            case ">": return .bool(x > y)
            case ">=": return .bool(x >= y)
            default: break
            }
        case let (.string(x), .string(y)):
            switch op {
            case "+": return .string(x + y)
            case "<": return .bool(x < y)
            case "<=": return .bool(x <= y)
            case ">": return .bool(x > y)
            case ">=": return .bool(x >= y)
            default: break
            }
        case let (.list(x), .list(y)) where op == "+":
            return .list(x + y)
        case let (.string(s), .number) where op == "*":
            guard let n = b.asInt, n >= 0 else { throw ScriptError(.value, "a string repeats a whole number of times, got \(b.repr)", at: loc) }
            return .string(String(repeating: s, count: n))
        case let (.list(xs), .number) where op == "*":
            guard let n = b.asInt, n >= 0 else { throw ScriptError(.value, "a list repeats a whole number of times, got \(b.repr)", at: loc) }
            return .list(Array([[Value]](repeating: xs, count: n).joined()))
        default: break
        }
        if case let .object(o as ScriptArithmetic) = a, let r = try wrapped(loc, { try o.binary(op, b, selfOnLeft: true) }) { return r }
        if case let .object(o as ScriptArithmetic) = b, let r = try wrapped(loc, { try o.binary(op, a, selfOnLeft: false) }) { return r }
        if op == "==" || op == "!=" {
            if case .tensor = a, let r = try? tensorBinary(op, a, b, loc) { return r }
            if case .tensor = b, let r = try? tensorBinary(op, a, b, loc) { return r }
            let same = a.equals(b)
            return .bool(op == "==" ? same : !same)
        }
        if case .tensor = a { return try tensorBinary(op, a, b, loc) }
        if case .tensor = b { return try tensorBinary(op, a, b, loc) }
        if op == "@" {
            throw ScriptError(.type, "'@' multiplies matrices: both sides must be tensors, got \(a.typeName) and \(b.typeName)", at: loc)
        }
        throw ScriptError(.type, "'\(op)' does not apply to a \(a.typeName) and a \(b.typeName)", at: loc)
    }

    /// Tensor arithmetic; numbers and lists of numbers on either side become tensors.
    func tensorBinary(_ op: String, _ a: Value, _ b: Value, _ loc: SourceLocation) throws -> Value {
        // Fast scalar forms keep the core's float overloads (no broadcast tensor made).
        if case let .tensor(t) = a, case let .number(x) = b {
            let s = Float(x)
            switch op {
            case "+": return .tensor(t + s)
            case "-": return .tensor(t - s)
            case "*": return .tensor(t * s)
            case "/": return .tensor(t / s)
            case "**": return .tensor(t.pow(s))
            default: break
            }
        }
        if case let .number(x) = a, case let .tensor(t) = b {
            let s = Float(x)
            switch op {
            case "+": return .tensor(s + t)
            case "-": return .tensor(s - t)
            case "*": return .tensor(s * t)
            case "/": return .tensor(s / t)
            default: break
            }
        }
        guard let x = try wrapped(loc, { try a.asTensor() }), let y = try wrapped(loc, { try b.asTensor() }) else {
            throw ScriptError(.type, "'\(op)' does not apply to a \(a.typeName) and a \(b.typeName)", at: loc)
        }
        return try wrapped(loc) {
            switch op {
            case "+": return .tensor(try x + y)
            case "-": return .tensor(try x - y)
            case "*": return .tensor(try x * y)
            case "/": return .tensor(try x / y)
            case "**": return .tensor(try x.pow(y))
            case "@": return .tensor(try x.matmul(y))
            case "<": return .tensor(try x.lt(y))
            case "<=": return .tensor(try x.le(y))
            case ">": return .tensor(try x.gt(y))
            case ">=": return .tensor(try x.ge(y))
            case "==": return .tensor(try x.eq(y))
            case "!=": return .tensor(try x.ne(y))
            default: throw ScriptError(.type, "'\(op)' does not apply to tensors", at: loc)
            }
        }
    }

    // MARK: indexing

    /// A list position from a possibly negative integer index, checked against `count`.
    static func position(_ index: Value, count: Int, at loc: SourceLocation) throws -> Int {
        guard let i = index.asInt else {
            throw ScriptError(.type, "an index must be an integer, got \(index.typeName) \(index.repr)", at: loc)
        }
        let j = i < 0 ? i + count : i
        guard j >= 0 && j < count else {
            throw ScriptError(.value, "index \(i) is out of range for length \(count)", at: loc)
        }
        return j
    }

    /// Python's slice bounds: negative counts from the end, out-of-range clamps.
    static func sliceBounds(_ start: Value?, _ end: Value?, _ step: Value?, count: Int, at loc: SourceLocation) throws -> SliceRange {
        func bound(_ v: Value?, _ dflt: Int) throws -> Int {
            guard let v, !(v.isNull) else { return dflt }
            guard let i = v.asInt else { throw ScriptError(.type, "a slice bound must be an integer, got \(v.typeName) \(v.repr)", at: loc) }
            return Swift.min(count, Swift.max(0, i < 0 ? i + count : i))
        }
        var st = 1
        if let step, !step.isNull {
            guard let s = step.asInt, s > 0 else { throw ScriptError(.value, "a slice step must be a positive integer, got \(step.repr)", at: loc) }
            st = s
        }
        let lo = try bound(start, 0)
        let hi = Swift.max(lo, try bound(end, count))
        return SliceRange(lo, hi, step: st)
    }

    func index(_ base: Value, _ items: [IndexItem], _ loc: SourceLocation, _ scope: Scope) throws -> Value {
        enum Resolved { case single(Value, SourceLocation); case slice(Value?, Value?, Value?, SourceLocation) }
        let resolved: [Resolved] = try items.map { item in
            switch item {
            case let .single(e): return .single(try evaluate(e, scope), e.location)
            case let .slice(s, e, st, l):
                return .slice(try s.map { try evaluate($0, scope) }, try e.map { try evaluate($0, scope) },
                              try st.map { try evaluate($0, scope) }, l)
            }
        }
        if case let .tensor(t) = base {
            guard resolved.count <= t.rank else {
                throw ScriptError(.value, "too many indices (\(resolved.count)) for a tensor of shape \(TensorFormat.shapeText(t.shape))", at: loc)
            }
            var ranges: [SliceRange] = []
            var keep: [Int] = []
            for (axis, r) in resolved.enumerated() {
                switch r {
                case let .single(v, l):
                    let i = try Interpreter.position(v, count: t.shape[axis], at: l)
                    ranges.append(SliceRange(i, i + 1))
                case let .slice(s, e, st, l):
                    let range = try Interpreter.sliceBounds(s, e, st, count: t.shape[axis], at: l)
                    ranges.append(range)
                    keep.append(range.count)
                }
            }
            for axis in resolved.count..<t.rank { ranges.append(SliceRange(0, t.shape[axis])); keep.append(t.shape[axis]) }
            return try wrapped(loc) { .tensor(try t.slice(ranges).reshape(keep)) }
        }
        guard resolved.count == 1 else {
            throw ScriptError(.type, "a \(base.typeName) takes one index, got \(resolved.count)", at: loc)
        }
        switch (base, resolved[0]) {
        case let (.record(r), .single(key, l)):
            guard case let .string(k) = key else { throw ScriptError(.type, "a record is indexed by a string key, got \(key.typeName)", at: l) }
            guard let v = r[k] else { throw ScriptError(.name, "the record has no field '\(k)' (fields: \(r.names.joined(separator: ", ")))", at: l) }
            return v
        case let (.object(o as ScriptSequence), .single(v, l)):
            let i = try Interpreter.position(v, count: o.count, at: l)
            return try wrapped(l) { try o.element(i) }
        default: break
        }
        let items: [Value]
        let isString: Bool
        switch base {
        case let .list(xs): items = xs; isString = false
        case let .string(s): items = s.map { .string(String($0)) }; isString = true
        case .range: items = base.asList!; isString = false
        default: throw ScriptError(.type, "a \(base.typeName) cannot be indexed", at: loc)
        }
        switch resolved[0] {
        case let .single(v, l):
            return items[try Interpreter.position(v, count: items.count, at: l)]
        case let .slice(s, e, st, l):
            let r = try Interpreter.sliceBounds(s, e, st, count: items.count, at: l)
            let picked = stride(from: r.start, to: r.end, by: r.step).map { items[$0] }
            return isString ? .string(picked.map(\.description).joined()) : .list(picked)
        }
    }

    /// `t[i]` along the first axis, as used by `for row in t`.
    static func select(_ t: Tensor, _ i: Int) throws -> Tensor {
        try t.slice(axis: 0, start: i, end: i + 1).reshape(Array(t.shape.dropFirst()))
    }

    // MARK: attributes

    static let tensorAttributes = ["shape", "ndim", "size", "T", "grad", "requires_grad", "dtype"]

    func attribute(_ base: Value, _ name: String, _ loc: SourceLocation) throws -> Value {
        switch base {
        case let .record(r):
            if let v = r[name] { return v }
        case let .tensor(t):
            switch name {
            case "shape": return .list(t.shape.map { .number(Double($0)) })
            case "ndim": return .number(Double(t.rank))
            case "size": return .number(Double(t.count))
            case "dtype": return .string("float32")
            case "requires_grad": return .bool(t.requiresGrad)
            case "grad": return t.grad.map { .tensor($0) } ?? .null
            case "T":
                guard t.rank >= 2 else { return .tensor(t) }
                return try wrapped(loc) { .tensor(try t.transpose(t.rank - 2, t.rank - 1)) }
            default: break
            }
        case let .range(r):
            switch name {
            case "start": return .number(Double(r.start))
            case "end": return .number(Double(r.end))
            case "step": return .number(Double(r.step))
            default: break
            }
        case let .object(o):
            if let v = try wrapped(loc, { try o.attribute(name) }) { return v }
        default: break
        }
        if let b = registry[name] { return .builtin(BuiltinFunction(b, receiver: base)) }
        throw ScriptError(.name, "a \(base.typeName) has no attribute '\(name)'" + attributeHint(base), at: loc)
    }

    /// The attribute names a value offers: completion after `.` and error hints use it.
    public func attributeNames(of value: Value) -> [String] {
        var names: [String]
        switch value {
        case let .record(r): names = r.names
        case .tensor: names = Interpreter.tensorAttributes
        case .range: names = ["start", "end", "step"]
        case let .object(o): names = o.attributeNames
        default: names = []
        }
        let methods = registry.builtins.values.filter { $0.methodOf.contains(value.typeName) }.map(\.name)
        return Array(Set(names + methods)).sorted()
    }

    func attributeHint(_ base: Value) -> String {
        let names = attributeNames(of: base)
        if names.isEmpty { return "" }
        let shown = names.prefix(12).joined(separator: ", ")
        return " (it has: \(shown)\(names.count > 12 ? ", …" : ""))"
    }
}

extension Value {
    var isNull: Bool { if case .null = self { return true }; return false }
}
