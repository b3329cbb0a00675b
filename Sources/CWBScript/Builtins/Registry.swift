/// A builtin function: its signature (the single source of its parameter names), help text
/// with an example, and its implementation.
public struct Builtin {
    public let name: String
    /// Which family it belongs to, for `help()` listings: core, tensor, nn, data, training, plot.
    public let domain: String
    /// e.g. `conv2d(x, w, bias: nil, stride: 1, padding: 0, dilation: 1)`; `dims...` is variadic.
    public let signature: String
    public let summary: String
    public let example: String
    /// Value types this builtin makes sense as a method of (`t.mean()`), for completion after `.`.
    public let methodOf: Set<String>
    public let body: (Arguments, Interpreter) throws -> Value

    let parameters: [String]
    /// Parameters before a variadic one take positional values; those after it only keywords.
    let positionalCount: Int
    let variadic: String?

    public init(_ signature: String, domain: String, summary: String, example: String,
                methodOf: Set<String> = [], body: @escaping (Arguments, Interpreter) throws -> Value) {
        self.signature = signature
        self.domain = domain
        self.summary = summary
        self.example = example
        self.methodOf = methodOf
        self.body = body
        let open = signature.firstIndex(of: "(") ?? signature.endIndex
        self.name = String(signature[..<open])
        var names: [String] = [], variadic: String?, positionalCount: Int?
        if open < signature.endIndex {
            let inner = signature[signature.index(after: open)..<(signature.lastIndex(of: ")") ?? signature.endIndex)]
            for part in inner.split(separator: ",") {
                let p = part.split(separator: ":")[0].trimmingCharacters(in: .whitespaces)
                if p.hasSuffix("...") { variadic = String(p.dropLast(3)); positionalCount = names.count }
                else if !p.isEmpty { names.append(p) }
            }
        }
        self.parameters = names
        self.positionalCount = positionalCount ?? names.count
        self.variadic = variadic
    }

    /// The text `help(name)` prints.
    public var help: String {
        "\(signature)\n  \(summary)\n  example: \(example)"
    }
}

/// Every builtin, by name. The REPL's completion and `help` read it; library adapters add to it.
public final class BuiltinRegistry {
    public private(set) var builtins: [String: Builtin] = [:]

    public init() {}

    public func register(_ builtin: Builtin) { builtins[builtin.name] = builtin }

    public func register(_ signature: String, domain: String, summary: String, example: String,
                         methodOf: Set<String> = [], body: @escaping (Arguments, Interpreter) throws -> Value) {
        register(Builtin(signature, domain: domain, summary: summary, example: example, methodOf: methodOf, body: body))
    }

    public subscript(name: String) -> Builtin? { builtins[name] }

    public var names: [String] { builtins.keys.sorted() }

    /// The families registered into every new interpreter. The integrator appends
    /// `registerNNBuiltins`, `registerDataBuiltins`, `registerTrainingBuiltins` here as those
    /// libraries land (each in its own file under Builtins/).
    nonisolated(unsafe) public static var families: [(BuiltinRegistry) -> Void] = [
        registerCoreBuiltins, registerTensorBuiltins, registerPlotBuiltins,
        registerNNBuiltins, registerDataBuiltins, registerTrainingBuiltins,
    ]

    public static func standard() -> BuiltinRegistry {
        let r = BuiltinRegistry()
        for family in families { family(r) }
        return r
    }
}
