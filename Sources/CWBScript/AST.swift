/// Stage 2's output: the syntax tree. Every node keeps its location for error messages.
public indirect enum Expr {
    case number(Double, SourceLocation)
    case string([StringSegment], SourceLocation)
    case bool(Bool, SourceLocation)
    case nilLiteral(SourceLocation)
    case name(String, SourceLocation)
    case list([Expr], SourceLocation)
    case record([(String, Expr)], SourceLocation)
    case unary(String, Expr, SourceLocation)
    case binary(String, Expr, Expr, SourceLocation)
    /// `and` / `or` evaluate their right side only when needed.
    case logical(String, Expr, Expr, SourceLocation)
    case range(Expr, Expr, inclusive: Bool, SourceLocation)
    case call(Expr, [Argument], SourceLocation)
    case index(Expr, [IndexItem], SourceLocation)
    case attribute(Expr, String, SourceLocation)
    case function(FunctionDecl, SourceLocation)
    case ifElse(Expr, Block, Block?, SourceLocation)
    case forLoop([String], Expr, Block, SourceLocation)
    case whileLoop(Expr, Block, SourceLocation)

    public var location: SourceLocation {
        switch self {
        case let .number(_, l), let .string(_, l), let .bool(_, l), let .nilLiteral(l), let .name(_, l),
             let .list(_, l), let .record(_, l), let .unary(_, _, l), let .binary(_, _, _, l),
             let .logical(_, _, _, l), let .range(_, _, _, l), let .call(_, _, l), let .index(_, _, l),
             let .attribute(_, _, l), let .function(_, l), let .ifElse(_, _, _, l), let .forLoop(_, _, _, l),
             let .whileLoop(_, _, l):
            return l
        }
    }
}

public enum StringSegment {
    case text(String)
    case code(Expr)
}

public struct Argument {
    public let label: String?
    public let value: Expr
    public let location: SourceLocation
}

/// One subscript of `t[0, :, 1:3]`: a single index, or a slice with optional bounds and step.
public enum IndexItem {
    case single(Expr)
    case slice(start: Expr?, end: Expr?, step: Expr?, SourceLocation)
}

public struct Parameter {
    public let name: String
    public let defaultValue: Expr?
}

public final class FunctionDecl {
    public let name: String?
    public let parameters: [Parameter]
    public let body: Block
    init(name: String?, parameters: [Parameter], body: Block) {
        self.name = name
        self.parameters = parameters
        self.body = body
    }
}

public struct Block {
    public let statements: [Statement]
}

public enum Statement {
    /// `quiet` is set when a `;` follows: the REPL does not print the value.
    case expression(Expr, quiet: Bool)
    /// `a, b = f()` has two targets; `x.y = 1` and `xs[0] = 1` are targets too.
    case assign([Expr], Expr, SourceLocation)
    /// `x += 1` and friends; the operator without '='.
    case compound(String, Expr, Expr, SourceLocation)
    case breakLoop(SourceLocation)
    case continueLoop(SourceLocation)
    case returnValue(Expr?, SourceLocation)

    public var location: SourceLocation {
        switch self {
        case let .expression(e, _): return e.location
        case let .assign(_, _, l), let .compound(_, _, _, l), let .breakLoop(l), let .continueLoop(l),
             let .returnValue(_, l):
            return l
        }
    }
}
