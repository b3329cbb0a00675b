import CWBCore
import Foundation

/// Stage 3: runs the syntax tree. One interpreter is one environment (a REPL session, a
/// notebook run): globals persist across `run` calls.
public final class Interpreter {
    public let registry: BuiltinRegistry
    var globals = Scope(parent: nil)
    /// Where `print` and plots write text (stdout by default; notebooks capture it).
    public var output: (String) -> Void
    /// Whether output goes to a terminal (plots without `to:` draw as text either way).
    public var isInteractive = false
    /// Files the script wrote (plots), in order; the notebook runner links them in reports.
    public private(set) var artifacts: [String] = []
    var callDepth = 0
    static let maxCallDepth = 1000
    /// Below this stack address evaluation stops with an error (see StackGuard); set when the
    /// outermost run starts (a notebook cell run from the REPL is nested in one).
    var stackLimit: UInt = 0
    var runDepth = 0

    func guardingStack<T>(_ body: () throws -> T) rethrows -> T {
        if runDepth == 0 {
            let here = StackGuard.current()
            let budget = StackGuard.budget()
            stackLimit = here > budget ? here - budget : 0
        }
        runDepth += 1
        defer { runDepth -= 1 }
        return try body()
    }

    public init(registry: BuiltinRegistry = .standard(), output: @escaping (String) -> Void = { text in
        FileHandle.standardOutput.write(Data(text.utf8))
    }) {
        self.registry = registry
        self.output = output
    }

    // MARK: the public surface

    /// The result of running some code: the last statement's value and whether a REPL or
    /// notebook should show it (an expression statement not ended by `;`, not nil).
    public struct Result {
        public let value: Value
        public let shouldShow: Bool
    }

    /// Parses and runs `source` in the global environment.
    @discardableResult
    public func run(_ source: SourceFile) throws -> Result {
        let block = try Parser.parse(source)
        return try run(block)
    }

    public func run(_ block: Block) throws -> Result {
        try guardingStack { try runStatements(block) }
    }

    func runStatements(_ block: Block) throws -> Result {
        var last = Result(value: .null, shouldShow: false)
        do {
            for statement in block.statements {
                let v = try execute(statement, globals)
                if case let .expression(_, quiet) = statement {
                    if case .null = v { last = Result(value: v, shouldShow: false) }
                    else { last = Result(value: v, shouldShow: !quiet) }
                } else {
                    last = Result(value: .null, shouldShow: false)
                }
            }
        } catch let jump as Jump {
            throw Interpreter.misplaced(jump)
        }
        return last
    }

    /// Evaluates one expression in the global environment (`:type`, `:time`).
    public func evaluate(_ source: SourceFile) throws -> Value {
        let expr = try Parser.parseExpression(source)
        return try guardingStack { try evaluate(expr, globals) }
    }

    /// Writes a line of output.
    public func emit(_ line: String) { output(line + "\n") }

    /// Records a file the script wrote, for notebook reports.
    public func recordArtifact(_ path: String) { artifacts.append(path) }

    public func takeArtifacts() -> [String] {
        defer { artifacts = [] }
        return artifacts
    }

    /// Global variables, sorted by name.
    public var variables: [(name: String, value: Value)] {
        globals.variables.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public func lookup(_ name: String) -> Value? {
        globals.lookup(name) ?? registry[name].map { .builtin(BuiltinFunction($0)) }
    }

    public func define(_ name: String, _ value: Value) { globals.variables[name] = value }

    /// Forgets every variable (`:reset`).
    public func reset() {
        globals = Scope(parent: nil)
        artifacts = []
    }

    /// Calls a function value (a closure, builtin or callable object) — for builtins that take
    /// callbacks (`map`, `no_grad`, training hooks).
    public func call(_ callee: Value, _ args: Arguments) throws -> Value {
        try guardingStack { try callValue(callee, args, at: args.location) }
    }

    // MARK: statements

    static func misplaced(_ jump: Jump) -> ScriptError {
        switch jump {
        case let .breakLoop(l): return ScriptError(.syntax, "'break' outside a loop", at: l)
        case let .continueLoop(l): return ScriptError(.syntax, "'continue' outside a loop", at: l)
        case let .returnValue(_, l): return ScriptError(.syntax, "'return' outside a function", at: l)
        }
    }

    func execute(_ statement: Statement, _ scope: Scope) throws -> Value {
        switch statement {
        case let .expression(e, _):
            return try evaluate(e, scope)
        case let .assign(targets, valueExpr, loc):
            let value = try evaluate(valueExpr, scope)
            if targets.count == 1 {
                try assign(targets[0], value, scope)
            } else {
                guard let items = value.asList ?? (value.tupleItems) else {
                    throw ScriptError(.type, "cannot destructure a \(value.typeName) into \(targets.count) names (a list is needed)", at: loc)
                }
                guard items.count == targets.count else {
                    throw ScriptError(.value, "cannot destructure \(items.count) value\(items.count == 1 ? "" : "s") into \(targets.count) names", at: loc)
                }
                for (t, v) in zip(targets, items) { try assign(t, v, scope) }
            }
            return .null
        case let .compound(op, target, valueExpr, loc):
            let old = try evaluate(target, scope)
            let rhs = try evaluate(valueExpr, scope)
            try assign(target, try binary(op, old, rhs, loc), scope)
            return .null
        case let .breakLoop(l): throw Jump.breakLoop(l)
        case let .continueLoop(l): throw Jump.continueLoop(l)
        case let .returnValue(e, l): throw Jump.returnValue(try e.map { try evaluate($0, scope) } ?? .null, l)
        }
    }

    func execute(_ block: Block, _ scope: Scope) throws -> Value {
        var last: Value = .null
        for s in block.statements {
            last = try execute(s, scope)
            if case .expression = s {} else { last = .null }
        }
        return last
    }

    func assign(_ target: Expr, _ value: Value, _ scope: Scope) throws {
        switch target {
        case let .name(n, loc):
            if registry[n] != nil, globals.lookup(n) == nil, scope === globals {
                // Shadowing a builtin is allowed, but say nothing: users name things `loss`, `data`.
                _ = loc
            }
            scope.variables[n] = value
        case let .attribute(baseExpr, name, loc):
            let base = try evaluate(baseExpr, scope)
            switch base {
            case var .record(r):
                r[name] = value
                try assign(baseExpr, .record(r), scope)
            case let .tensor(t):
                guard name == "requires_grad", case let .bool(b) = value else {
                    throw ScriptError(.name, "a tensor's only settable attribute is 'requires_grad' (true or false)", at: loc)
                }
                t.requiresGrad = b
            case let .object(o):
                do {
                    guard try o.setAttribute(name, value) else {
                        throw ScriptError(.name, "cannot set attribute '\(name)' of a \(o.typeName)", at: loc)
                    }
                } catch { throw ScriptError.wrap(error, at: loc) }
            default:
                throw ScriptError(.type, "cannot set attribute '\(name)' of a \(base.typeName)", at: loc)
            }
        case let .index(baseExpr, items, loc):
            let base = try evaluate(baseExpr, scope)
            guard items.count == 1, case let .single(ie) = items[0] else {
                throw ScriptError(.type, "only single indices can be assigned (xs[i] = v, r[\"key\"] = v)", at: loc)
            }
            let index = try evaluate(ie, scope)
            switch base {
            case var .list(xs):
                let i = try Interpreter.position(index, count: xs.count, at: ie.location)
                xs[i] = value
                try assign(baseExpr, .list(xs), scope)
            case var .record(r):
                guard case let .string(key) = index else {
                    throw ScriptError(.type, "a record is indexed by a string key, got \(index.typeName)", at: ie.location)
                }
                r[key] = value
                try assign(baseExpr, .record(r), scope)
            case .tensor:
                throw ScriptError(.type, "tensors cannot be assigned by index (tensors are immutable here: build a new one with where, concat or pad)", at: loc)
            default:
                throw ScriptError(.type, "cannot assign into a \(base.typeName) by index", at: loc)
            }
        default:
            throw ScriptError(.syntax, "cannot assign to this expression", at: target.location)
        }
    }

    // MARK: expressions

    func evaluate(_ expr: Expr, _ scope: Scope) throws -> Value {
        if StackGuard.current() < stackLimit {
            throw ScriptError(.runtime, "recursion or nesting too deep (the stack is nearly full)", at: expr.location)
        }
        switch expr {
        case let .number(v, _): return .number(v)
        case let .bool(b, _): return .bool(b)
        case .nilLiteral: return .null
        case let .string(segments, _):
            var s = ""
            for seg in segments {
                switch seg {
                case let .text(t): s += t
                case let .code(e): s += try evaluate(e, scope).description
                }
            }
            return .string(s)
        case let .name(n, loc):
            if let v = scope.lookup(n) { return v }
            if let b = registry[n] { return .builtin(BuiltinFunction(b)) }
            throw ScriptError(.name, "unknown name '\(n)'" + suggestion(for: n, scope), at: loc)
        case let .list(items, _):
            return .list(try items.map { try evaluate($0, scope) })
        case let .record(fields, _):
            return .record(Record(try fields.map { ($0.0, try evaluate($0.1, scope)) }))
        case let .unary(op, operand, loc):
            let v = try evaluate(operand, scope)
            return try unary(op, v, loc)
        case let .binary(op, l, r, loc):
            let a = try evaluate(l, scope)
            let b = try evaluate(r, scope)
            return try binary(op, a, b, loc)
        case let .logical(op, l, r, _):
            let a = try evaluate(l, scope).isTruthy
            if op == "and" { return .bool(a ? try evaluate(r, scope).isTruthy : false) }
            return .bool(a ? true : try evaluate(r, scope).isTruthy)
        case let .range(l, r, inclusive, loc):
            let a = try evaluate(l, scope), b = try evaluate(r, scope)
            guard let lo = a.asInt, let hi = b.asInt else {
                throw ScriptError(.type, "a range needs integer bounds, got \(a.repr) and \(b.repr)", at: loc)
            }
            return .range(ScriptRange(start: lo, end: inclusive ? hi + 1 : hi))
        case let .call(calleeExpr, argExprs, loc):
            return try evaluateCall(calleeExpr, argExprs, loc, scope)
        case let .index(baseExpr, items, loc):
            let base = try evaluate(baseExpr, scope)
            return try index(base, items, loc, scope)
        case let .attribute(baseExpr, name, loc):
            let base = try evaluate(baseExpr, scope)
            return try attribute(base, name, loc)
        case let .function(decl, _):
            let f = Value.function(Closure(declaration: decl, scope: scope))
            if let name = decl.name { scope.variables[name] = f }
            return f
        case let .ifElse(cond, then, otherwise, _):
            if try evaluate(cond, scope).isTruthy { return try execute(then, scope) }
            return try otherwise.map { try execute($0, scope) } ?? .null
        case let .forLoop(names, seqExpr, body, loc):
            return try evaluateFor(names, seqExpr, body, loc, scope)
        case let .whileLoop(cond, body, loc):
            return try evaluateWhile(cond, body, loc, scope)
        }
    }

    // Loops live outside `evaluate` so its stack frame stays small: every level of script
    // recursion costs one, and a small frame lets recursion go deeper.
    func evaluateFor(_ names: [String], _ seqExpr: Expr, _ body: Block, _ loc: SourceLocation, _ scope: Scope) throws -> Value {
        let seq = try evaluate(seqExpr, scope)
        let count: Int
        let element: (Int) throws -> Value
        switch seq {
        case let .list(xs): count = xs.count; element = { xs[$0] }
        case let .range(r): count = r.count; element = { .number(Double(r.element($0))) }
        case let .string(s): let cs = Array(s); count = cs.count; element = { .string(String(cs[$0])) }
        case let .record(r): count = r.fields.count; element = { .list([.string(r.fields[$0].name), r.fields[$0].value]) }
        case let .tensor(t):
            guard t.rank >= 1 else { throw ScriptError(.type, "cannot loop over a 0-d tensor", at: seqExpr.location) }
            count = t.shape[0]
            element = { i in .tensor(try Interpreter.select(t, i)) }
        case let .object(o as ScriptSequence): count = o.count; element = { try o.element($0) }
        default:
            throw ScriptError(.type, "cannot loop over a \(seq.typeName) (a list, range, string, record, tensor or dataset is needed)", at: seqExpr.location)
        }
        loop: for i in 0..<count {
            try checkStop(loc)
            let item = try element(i)
            if names.count == 1 {
                scope.variables[names[0]] = item
            } else {
                guard let parts = item.asList, parts.count == names.count else {
                    throw ScriptError(.value, "cannot destructure \(item.repr) into \(names.count) loop variables", at: loc)
                }
                for (n, v) in zip(names, parts) { scope.variables[n] = v }
            }
            do { _ = try execute(body, scope) }
            catch Jump.breakLoop { break loop }
            catch Jump.continueLoop { continue loop }
        }
        return .null
    }

    func evaluateWhile(_ cond: Expr, _ body: Block, _ loc: SourceLocation, _ scope: Scope) throws -> Value {
        loop: while try evaluate(cond, scope).isTruthy {
            try checkStop(loc)
            do { _ = try execute(body, scope) }
            catch Jump.breakLoop { break loop }
            catch Jump.continueLoop { continue loop }
        }
        return .null
    }

    /// Ctrl-C: loops and calls stop at their next step.
    func checkStop(_ loc: SourceLocation) throws {
        if StopRequest.isRequested { throw ScriptError(.interrupted, "stopped by Ctrl-C", at: loc) }
    }

    func suggestion(for name: String, _ scope: Scope) -> String {
        var candidates = registry.names
        var s: Scope? = scope
        while let sc = s { candidates += sc.variables.keys; s = sc.parent }
        let limit = Swift.max(1, name.count / 3)
        // Closest first; among equals, the same length (a typo rather than a missing letter).
        var best: (name: String, distance: Int)?
        for c in candidates.sorted() {
            let dist = 2 * editDistance(c, name) + (c.count == name.count ? 0 : 1)
            if dist <= 2 * limit + 1, dist < (best?.distance ?? Int.max) { best = (c, dist) }
        }
        guard let best else { return "" }
        return " (did you mean '\(best.name)'?)"
    }

    // MARK: calls

    func evaluateCall(_ calleeExpr: Expr, _ argExprs: [Argument], _ loc: SourceLocation, _ scope: Scope) throws -> Value {
        var positional: [Value] = []
        var keywords: [(name: String, value: Value)] = []
        var positionalLocations: [SourceLocation] = []
        var keywordLocations: [String: SourceLocation] = [:]
        func evalArgs() throws {
            for a in argExprs {
                let v = try evaluate(a.value, scope)
                if let label = a.label { keywords.append((label, v)); keywordLocations[label] = a.value.location }
                else { positional.append(v); positionalLocations.append(a.value.location) }
            }
        }
        func arguments(_ function: String) -> Arguments {
            var args = Arguments(function: function, positional: positional, keywords: keywords, location: loc)
            args.positionalLocations = positionalLocations
            args.keywordLocations = keywordLocations
            return args
        }
        // `x.name(args)`: a record's function field, an object's method, or the builtin `name(x, args)`.
        if case let .attribute(baseExpr, name, attrLoc) = calleeExpr {
            let base = try evaluate(baseExpr, scope)
            try evalArgs()
            if case let .record(r) = base, let f = r[name] {
                return try callValue(f, arguments(name), at: loc)
            }
            if case let .object(o) = base {
                let args = arguments("\(o.typeName).\(name)")
                do {
                    if let v = try o.callMethod(name, args, self) { return v }
                } catch { throw ScriptError.wrap(error, at: loc) }
            }
            if let b = registry[name] {
                return try callValue(.builtin(BuiltinFunction(b, receiver: base)), arguments(name), at: loc)
            }
            throw ScriptError(.name, "a \(base.typeName) has no method '\(name)'" + attributeHint(base), at: attrLoc)
        }
        let callee = try evaluate(calleeExpr, scope)
        try evalArgs()
        let name: String
        if case let .name(n, _) = calleeExpr { name = n } else { name = callee.typeName }
        return try callValue(callee, arguments(name), at: loc)
    }

    func callValue(_ callee: Value, _ args: Arguments, at loc: SourceLocation?) throws -> Value {
        let loc = loc ?? args.location
        switch callee {
        case let .function(closure):
            return try callClosure(closure, args, loc)
        case let .builtin(bf):
            let b = bf.builtin
            let positional = (bf.receiver.map { [$0] } ?? []) + args.positional
            var raw = Arguments(function: b.name, positional: positional, keywords: args.keywords, location: loc)
            raw.positionalLocations = args.positionalLocations
            raw.keywordLocations = args.keywordLocations
            do {
                let bound = try raw.binding(b.parameters, positionalCount: b.positionalCount, variadic: b.variadic)
                return try b.body(bound, self)
            } catch let jump as Jump {
                throw jump
            } catch {
                guard let loc else { throw error }
                throw ScriptError.wrap(error, at: loc)
            }
        case let .object(o as ScriptCallable):
            do { return try o.call(args, self) } catch {
                guard let loc else { throw error }
                throw ScriptError.wrap(error, at: loc)
            }
        default:
            throw ScriptError(.type, "a \(callee.typeName) is not a function and cannot be called", at: loc)
        }
    }

    func callClosure(_ closure: Closure, _ args: Arguments, _ loc: SourceLocation?) throws -> Value {
        let decl = closure.declaration
        let scope = Scope(parent: closure.scope)
        let name = closure.name
        guard args.positional.count <= decl.parameters.count else {
            throw ScriptError(.argument, "\(name): takes \(decl.parameters.count) argument\(decl.parameters.count == 1 ? "" : "s"), got \(args.positional.count)", at: loc)
        }
        for (p, v) in zip(decl.parameters, args.positional) { scope.variables[p.name] = v }
        for (k, v) in args.keywords {
            guard decl.parameters.contains(where: { $0.name == k }) else {
                throw ScriptError(.argument, "\(name): unknown argument '\(k)' (parameters: \(decl.parameters.map(\.name).joined(separator: ", ")))", at: loc)
            }
            scope.variables[k] = v
        }
        for p in decl.parameters where scope.variables[p.name] == nil {
            guard let d = p.defaultValue else {
                throw ScriptError(.argument, "\(name): missing argument '\(p.name)'", at: loc)
            }
            scope.variables[p.name] = try evaluate(d, scope)
        }
        callDepth += 1
        defer { callDepth -= 1 }
        guard callDepth <= Interpreter.maxCallDepth else {
            throw ScriptError(.runtime, "\(name): recursion too deep (more than \(Interpreter.maxCallDepth) nested calls)", at: loc)
        }
        if let loc { try checkStop(loc) }
        do {
            return try execute(decl.body, scope)
        } catch let Jump.returnValue(v, _) {
            return v
        } catch let jump as Jump {
            throw Interpreter.misplaced(jump)
        }
    }
}

extension Value {
    /// Values that destructure like a list besides lists and ranges (none yet; objects may add).
    var tupleItems: [Value]? { nil }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count), cur = prev
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
