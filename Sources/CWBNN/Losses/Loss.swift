import CWBCore
import Foundation

/// What a supervised loss sees: the prediction and target (ab as the model produces it,
/// N×2×H×W, ab/110) and, when known, the model's input L (N×1×H×W, L/50 − 1), which the
/// perceptual loss needs to build RGB.
public struct LossInput {
    public let prediction: Tensor, target: Tensor, luminance: Tensor?
    public init(prediction: Tensor, target: Tensor, luminance: Tensor? = nil) {
        self.prediction = prediction; self.target = target; self.luminance = luminance
    }
}

/// One named term of a loss (L1, MSE, colour, perceptual).
public protocol LossTerm: AnyObject {
    var name: String { get }
    func value(_ input: LossInput) throws -> Tensor
}

/// A weighted sum of loss terms, built with `+` and `*`: `Loss.l1 + 0.005 * Loss.perceptual(p)`.
public struct Loss {
    public private(set) var terms: [(weight: Float, term: LossTerm)]

    public init(_ term: LossTerm, weight: Float = 1) { terms = [(weight, term)] }
    private init(terms: [(weight: Float, term: LossTerm)]) { self.terms = terms }

    public static func + (a: Loss, b: Loss) -> Loss { Loss(terms: a.terms + b.terms) }
    public static func * (w: Float, l: Loss) -> Loss { Loss(terms: l.terms.map { (w * $0.weight, $0.term) }) }

    /// The total loss (a scalar tensor to call `backward()` on).
    public func callAsFunction(_ prediction: Tensor, _ target: Tensor, luminance: Tensor? = nil) throws -> Tensor {
        try evaluate(LossInput(prediction: prediction, target: target, luminance: luminance)).total
    }

    /// The total and each weighted term's value (for histories: "l1", "perceptual", …).
    public func evaluate(_ input: LossInput) throws -> (total: Tensor, parts: [(name: String, value: Float)]) {
        var total: Tensor?
        var parts: [(String, Float)] = []
        for (w, t) in terms {
            let v = try t.value(input)
            let wv = w == 1 ? v : v * w
            parts.append((t.name, wv.scalars.first ?? 0))
            total = try total.map { try $0 + wv } ?? wv
        }
        return (total ?? Tensor(0), parts)
    }

    public var description: String {
        terms.map { $0.weight == 1 ? $0.term.name : "\($0.weight)·\($0.term.name)" }.joined(separator: " + ")
    }

    public static var l1: Loss { Loss(L1Loss()) }
    public static var mse: Loss { Loss(MSELoss()) }
    public static var colour: Loss { Loss(ColourLoss()) }
    public static func perceptual(_ p: PerceptualLoss) -> Loss { Loss(p) }
}

/// Mean absolute error of prediction and target (the study's MAE).
public final class L1Loss: LossTerm {
    public init() {}
    public var name: String { "l1" }
    public func value(_ i: LossInput) throws -> Tensor { try l1Loss(i.prediction, i.target) }
}

public final class MSELoss: LossTerm {
    public init() {}
    public var name: String { "mse" }
    public func value(_ i: LossInput) throws -> Tensor { try mseLoss(i.prediction, i.target) }
}

/// L1 on the ab channels only: the last two channels of a Lab (3-channel) prediction, or
/// the whole of an ab (2-channel) one — then it equals `l1`, as in the CWGAN where the
/// generator predicts ab.
public final class ColourLoss: LossTerm {
    public init() {}
    public var name: String { "colour" }
    public func value(_ i: LossInput) throws -> Tensor {
        try l1Loss(try abChannels(i.prediction, "colour loss prediction"), try abChannels(i.target, "colour loss target"))
    }
}

func abChannels(_ t: Tensor, _ what: String) throws -> Tensor {
    guard t.rank == 4, t.shape[1] == 2 || t.shape[1] == 3 else {
        throw TensorError("\(what): expected N×2×H×W (ab) or N×3×H×W (Lab), got \(shapeText(t.shape))")
    }
    return t.shape[1] == 2 ? t : try t.slice(axis: 1, start: 1, end: 3)
}

/// Where the library reports things a user should know once (e.g. "perceptual loss is off").
/// Defaults to standard error; the REPL may redirect it.
public enum Notices {
    nonisolated(unsafe) public static var report: (String) -> Void = { message in
        FileHandle.standardError.write(Data(("cwb: " + message + "\n").utf8))
    }
}
