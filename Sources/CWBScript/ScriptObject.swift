/// The seam for library values. A model, loss, optimizer, scheduler, dataset, history, report,
/// image or plot becomes a language value by conforming a small adapter class to this protocol
/// (in `Builtins/NN.swift`, `Builtins/Data.swift`, `Builtins/Training.swift`…); the interpreter
/// never needs to change.
public protocol ScriptObject: AnyObject {
    /// The name `type(x)` returns and errors use: "model", "loss", "history", …
    var typeName: String { get }
    /// How the value prints (a model: its layer table; a history: its last losses).
    var description: String { get }
    /// Attribute names, for `:help`-style listings and tab completion after `.`.
    var attributeNames: [String] { get }
    /// `x.name`; return nil when there is no such attribute.
    func attribute(_ name: String) throws -> Value?
    /// `x.name = value`; return false when the attribute cannot be set.
    func setAttribute(_ name: String, _ value: Value) throws -> Bool
    /// `x.name(args)`; return nil when there is no such method (the interpreter then tries the
    /// builtin of that name with `x` as its first argument).
    func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value?
}

extension ScriptObject {
    public var attributeNames: [String] { [] }
    public func attribute(_ name: String) throws -> Value? { nil }
    public func setAttribute(_ name: String, _ value: Value) throws -> Bool { false }
    public func callMethod(_ name: String, _ args: Arguments, _ interpreter: Interpreter) throws -> Value? { nil }
}

/// Objects that can be called like functions: `model(x)`, `loss(pred, target)`.
public protocol ScriptCallable: ScriptObject {
    func call(_ args: Arguments, _ interpreter: Interpreter) throws -> Value
}

/// Objects with their own operator algebra: losses combine as `l1() + 0.005 * perceptual()`.
/// Return nil when the operation does not apply; the interpreter then reports a type error.
public protocol ScriptArithmetic: ScriptObject {
    /// `op` is one of `+ - * / **`; `selfOnLeft` tells which side `self` was on.
    func binary(_ op: String, _ other: Value, selfOnLeft: Bool) throws -> Value?
}

/// Objects that can be plotted by `plot(x)`: a training history gives its train/val curves.
public protocol ScriptPlottable: ScriptObject {
    func plotSeries() throws -> (series: [(title: String, x: [Double]?, y: [Double])], xlabel: String, ylabel: String)
}

/// Objects iterable by `for x in obj` and `len(obj)` (datasets).
public protocol ScriptSequence: ScriptObject {
    var count: Int { get }
    func element(_ i: Int) throws -> Value
}
