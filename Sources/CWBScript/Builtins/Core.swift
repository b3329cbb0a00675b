import CWBCore
import Foundation

/// Help for the language's keywords, shown by `help("for")` and `:help for`.
public let keywordHelp: [String: String] = [
    "fn": "fn name(a, b: 2) { body }  — a function; the last expression is its value, or use 'return'.\n  example: fn square(x) { x * x }",
    "if": "if cond { a } else if other { b } else { c }  — an expression: its value is the branch's last value.\n  example: lr = if epoch > 20 { 1e-4 } else { 2e-4 }",
    "else": "see 'if'",
    "for": "for x in sequence { body }  — loops over a list, range, string, record (key, value pairs), tensor rows or dataset.\n  example: for i, x in enumerate([3, 4]) { print(i, x) }",
    "in": "see 'for'",
    "while": "while cond { body }  — loops while cond holds; Ctrl-C stops it.\n  example: while n > 1 { n = n / 2 }",
    "break": "break  — leaves the innermost loop.",
    "continue": "continue  — goes to the next step of the innermost loop.",
    "return": "return value  — leaves the function with value.",
    "and": "a and b  — true when both are true (b is evaluated only when a is true).",
    "or": "a or b  — true when either is true (b is evaluated only when a is false).",
    "not": "not a  — true when a is false or nil.",
    "true": "the boolean true", "false": "the boolean false",
    "nil": "nil  — no value; printing a statement whose value is nil shows nothing.",
]

func registerCoreBuiltins(_ r: BuiltinRegistry) {
    let d = "core"
    r.register("print(values..., sep: \" \")", domain: d, summary: "Prints values separated by sep (strings without quotes, tensors with their summary).",
               example: "print(\"loss\", 0.25)") { a, interp in
        let sep = try a.string("sep", default: " ")
        interp.emit(a.rest.map(\.description).joined(separator: sep))
        return .null
    }
    r.register("len(x)", domain: d, summary: "The number of items of a list, string, record or range, the first dimension of a tensor, or the size of a dataset.",
               example: "len([1, 2, 3])  # 3", methodOf: ["list", "string", "record", "range"]) { a, _ in
        let v = try a.required("x")
        switch v {
        case let .list(xs): return .number(Double(xs.count))
        case let .string(s): return .number(Double(s.count))
        case let .record(rec): return .number(Double(rec.fields.count))
        case let .range(rg): return .number(Double(rg.count))
        case let .tensor(t):
            guard t.rank > 0 else { throw ScriptError(.type, "len: a 0-d tensor has no length") }
            return .number(Double(t.shape[0]))
        case let .object(o as ScriptSequence): return .number(Double(o.count))
        default: throw a.fail("x", expects: "a list, string, record, range, tensor or dataset", got: v)
        }
    }
    r.register("range(start, end: nil, step: 1)", domain: d, summary: "Integers from start up to end (exclusive); with one argument, from 0 up to it. `a..b` includes b, `a..<b` does not.",
               example: "for i in range(0, 10, 2) { print(i) }") { a, _ in
        var start = try a.int("start"), end: Int
        if a.has("end") { end = try a.int("end") } else { end = start; start = 0 }
        let step = try a.int("step", default: 1)
        guard step != 0 else { throw ScriptError(.value, "range: step must not be 0") }
        return .range(ScriptRange(start: start, end: end, step: step))
    }
    r.register("type(x)", domain: d, summary: "The type name of a value: number, bool, string, nil, list, record, range, function, tensor, model, loss, …",
               example: "type(randn(2))  # \"tensor\"") { a, _ in .string(try a.required("x").typeName) }
    r.register("help(name: nil)", domain: d, summary: "Help for a builtin or keyword (a name or the function itself); without argument, the list of builtins.",
               example: "help(\"conv2d\")") { a, interp in
        if !a.has("name") { interp.emit(Help.overview(interp.registry)); return .null }
        let v = try a.required("name")
        switch v {
        case let .string(s): interp.emit(try Help.text(s, interp.registry))
        case let .builtin(b): interp.emit(b.builtin.help)
        case let .function(c): interp.emit("fn \(c.name)(\(c.declaration.parameters.map(\.name).joined(separator: ", "))) — a function written in the script")
        default: interp.emit("a \(v.typeName): \(v.repr)")
        }
        return .null
    }
    r.register("str(x)", domain: d, summary: "The text of a value, as print shows it.", example: "str(3) + \" epochs\"") { a, _ in
        .string(try a.required("x").description)
    }
    r.register("repr(x)", domain: d, summary: "The text of a value as the REPL shows it (strings quoted).", example: "repr(\"a\")  # \"\\\"a\\\"\"") { a, _ in
        .string(try a.required("x").repr)
    }
    r.register("number(x)", domain: d, summary: "A number from a string, a bool or a one-element tensor.", example: "number(\"2e-4\")") { a, _ in
        let v = try a.required("x")
        switch v {
        case let .string(s):
            guard let x = Double(s.trimmingCharacters(in: .whitespaces)) else { throw ScriptError(.value, "number: '\(s)' is not a number") }
            return .number(x)
        case let .bool(b): return .number(b ? 1 : 0)
        default:
            if let x = v.asNumber { return .number(x) }
            throw a.fail("x", expects: "a string, bool, number or one-element tensor", got: v)
        }
    }
    r.register("int(x)", domain: d, summary: "x rounded toward zero.", example: "int(3.7)  # 3") { a, _ in
        .number(try a.number("x").rounded(.towardZero))
    }
    r.register("round(x, digits: 0)", domain: d, summary: "x rounded to digits decimals.", example: "round(3.14159, digits: 2)  # 3.14") { a, _ in
        let x = try a.number("x"), p = Foundation.pow(10, Double(try a.int("digits", default: 0)))
        return .number((x * p).rounded() / p)
    }
    r.register("floor(x)", domain: d, summary: "The largest integer not above x.", example: "floor(2.5)  # 2") { a, _ in .number(try a.number("x").rounded(.down)) }
    r.register("ceil(x)", domain: d, summary: "The smallest integer not below x.", example: "ceil(2.5)  # 3") { a, _ in .number(try a.number("x").rounded(.up)) }
    r.register("sin(x)", domain: d, summary: "Sine of x (radians).", example: "sin(3.14159265 / 2)") { a, _ in .number(Foundation.sin(try a.number("x"))) }
    r.register("cos(x)", domain: d, summary: "Cosine of x (radians).", example: "cos(0)") { a, _ in .number(Foundation.cos(try a.number("x"))) }
    r.register("keys(r)", domain: d, summary: "The field names of a record.", example: "keys({a: 1, b: 2})  # [\"a\", \"b\"]", methodOf: ["record"]) { a, _ in
        guard case let .record(rec) = try a.required("r") else { throw a.fail("r", expects: "a record", got: try a.required("r")) }
        return .list(rec.names.map { .string($0) })
    }
    r.register("values(r)", domain: d, summary: "The field values of a record.", example: "values({a: 1, b: 2})  # [1, 2]", methodOf: ["record"]) { a, _ in
        guard case let .record(rec) = try a.required("r") else { throw a.fail("r", expects: "a record", got: try a.required("r")) }
        return .list(rec.fields.map(\.value))
    }
    r.register("append(xs, x)", domain: d, summary: "A new list: xs with x added at the end (lists are values; write xs = append(xs, x)).",
               example: "xs = append(xs, 4)", methodOf: ["list"]) { a, _ in
        .list(try a.list("xs") + [try a.required("x")])
    }
    r.register("enumerate(xs)", domain: d, summary: "[index, item] pairs of a list, starting at 0.", example: "for i, x in enumerate([\"a\", \"b\"]) { print(i, x) }",
               methodOf: ["list"]) { a, _ in
        .list(try a.list("xs").enumerated().map { .list([.number(Double($0.offset)), $0.element]) })
    }
    r.register("zip(xs, ys)", domain: d, summary: "[x, y] pairs of two lists, as long as the shorter.", example: "for x, y in zip([1, 2], [3, 4]) { print(x * y) }") { a, _ in
        .list(zip(try a.list("xs"), try a.list("ys")).map { .list([$0, $1]) })
    }
    r.register("map(xs, f)", domain: d, summary: "A list of f(x) for every x.", example: "map([1, 2, 3], fn(x) { x * x })", methodOf: ["list"]) { a, interp in
        let f = try a.required("f")
        return .list(try a.list("xs").map { try interp.call(f, Arguments(function: "map", positional: [$0], location: a.location)) })
    }
    r.register("filter(xs, f)", domain: d, summary: "The items x for which f(x) is true.", example: "filter(1..10, fn(x) { x % 2 == 0 })", methodOf: ["list"]) { a, interp in
        let f = try a.required("f")
        return .list(try a.list("xs").filter { try interp.call(f, Arguments(function: "filter", positional: [$0], location: a.location)).isTruthy })
    }
    r.register("sort(xs, by: nil)", domain: d, summary: "The list sorted ascending (numbers or strings), or by the key function by.",
               example: "sort([3, 1, 2])  # [1, 2, 3]", methodOf: ["list"]) { a, interp in
        let xs = try a.list("xs")
        let keys: [Value] = a.has("by")
            ? try xs.map { try interp.call(try a.required("by"), Arguments(function: "sort", positional: [$0], location: a.location)) } : xs
        func less(_ x: Value, _ y: Value) throws -> Bool {
            switch (x, y) {
            case let (.number(p), .number(q)): return p < q
            case let (.string(p), .string(q)): return p < q
            default: throw ScriptError(.type, "sort: cannot compare a \(x.typeName) with a \(y.typeName)")
            }
        }
        var failure: Error?
        let order = Array(xs.indices).sorted { i, j in
            do { return try less(keys[i], keys[j]) } catch { failure = error; return false }
        }
        if let failure { throw failure }
        return .list(order.map { xs[$0] })
    }
    r.register("reverse(xs)", domain: d, summary: "The list (or string) in reverse order.", example: "reverse([1, 2, 3])", methodOf: ["list", "string"]) { a, _ in
        if case let .string(s) = try a.required("xs") { return .string(String(s.reversed())) }
        return .list(try a.list("xs").reversed())
    }
    r.register("contains(xs, x)", domain: d, summary: "Whether a list holds x, a string holds the substring x, or a record has the field x.",
               example: "contains([1, 2], 2)  # true", methodOf: ["list", "string", "record"]) { a, _ in
        let xs = try a.required("xs"), x = try a.required("x")
        switch (xs, x) {
        case let (.string(s), .string(t)): return .bool(s.contains(t))
        case let (.record(rec), .string(k)): return .bool(rec[k] != nil)
        default:
            guard let items = xs.asList else { throw a.fail("xs", expects: "a list, string or record", got: xs) }
            return .bool(items.contains { $0.equals(x) })
        }
    }
    r.register("join(xs, sep: \"\")", domain: d, summary: "The items' texts joined by sep.", example: "join([\"a\", \"b\"], sep: \", \")", methodOf: ["list"]) { a, _ in
        .string(try a.list("xs").map(\.description).joined(separator: try a.string("sep", default: "")))
    }
    r.register("split_string(s, sep: \" \")", domain: d, summary: "The parts of s between occurrences of sep.", example: "split_string(\"a,b\", sep: \",\")",
               methodOf: ["string"]) { a, _ in
        let sep = try a.string("sep", default: " ")
        guard !sep.isEmpty else { throw ScriptError(.value, "split_string: sep must not be empty") }
        return .list(try a.string("s").components(separatedBy: sep).map { .string($0) })
    }
    r.register("seed(n)", domain: d, summary: "Seeds the one random generator: the same seed gives the same run.", example: "seed(7)") { a, _ in
        let n = try a.int("n")
        guard n >= 0 else { throw ScriptError(.value, "seed: expects a non-negative integer, got \(n)") }
        manualSeed(UInt64(n))
        return .null
    }
    r.register("clock()", domain: d, summary: "Seconds since an arbitrary start, for timing.", example: "t0 = clock(); work(); print(clock() - t0)") { _, _ in
        .number(Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
    }
    r.register("assert(cond, message: \"assertion failed\")", domain: d, summary: "Stops with an error carrying message when cond is false.",
               example: "assert(len(xs) > 0, message: \"no data\")") { a, _ in
        if !(try a.required("cond")).isTruthy { throw ScriptError(.value, try a.string("message", default: "assertion failed")) }
        return .null
    }
    r.register("error(message)", domain: d, summary: "Stops with an error carrying message.", example: "if x < 0 { error(\"x must be positive\") }") { a, _ in
        throw ScriptError(.runtime, try a.string("message"))
    }
    r.register("vars()", domain: d, summary: "A record of the global variables.", example: "keys(vars())") { _, interp in
        .record(Record(interp.variables.map { ($0.name, $0.value) }))
    }
}

/// The texts of `help()` and `:help`.
public enum Help {
    public static func overview(_ registry: BuiltinRegistry) -> String {
        var out = "Builtins by family (help(\"name\") for one; keywords: \(Lexer.keywords.sorted().joined(separator: " "))):"
        let families = Dictionary(grouping: registry.builtins.values, by: \.domain)
        for family in families.keys.sorted() {
            out += "\n  \(family): " + families[family]!.map(\.name).sorted().joined(separator: " ")
        }
        return out
    }

    public static func text(_ name: String, _ registry: BuiltinRegistry) throws -> String {
        if let b = registry[name] { return b.help }
        if let k = keywordHelp[name] { return k }
        let close = registry.names.filter { editDistance($0, name) <= max(1, name.count / 3) || $0.hasPrefix(name) }
        throw ScriptError(.name, "help: no builtin or keyword '\(name)'" + (close.isEmpty ? "" : " (close: \(close.joined(separator: ", ")))"))
    }
}
