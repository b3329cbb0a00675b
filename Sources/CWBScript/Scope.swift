/// Variables of one function call, or the globals. Assignment always binds in the current
/// scope (as in Python): a function's `x = 1` never changes a global `x`; reads look outward.
final class Scope {
    var variables: [String: Value] = [:]
    let parent: Scope?

    init(parent: Scope?) { self.parent = parent }

    func lookup(_ name: String) -> Value? {
        var s: Scope? = self
        while let scope = s {
            if let v = scope.variables[name] { return v }
            s = scope.parent
        }
        return nil
    }
}

/// break / continue / return travel up the Swift stack as errors to the loop or call that
/// handles them.
enum Jump: Error {
    case breakLoop(SourceLocation)
    case continueLoop(SourceLocation)
    case returnValue(Value, SourceLocation)
}
