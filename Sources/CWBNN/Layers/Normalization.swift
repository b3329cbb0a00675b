import CWBCore

/// PyTorch's `nn.BatchNorm2d`: parameters `weight`, `bias`; buffers `running_mean`,
/// `running_var`, `num_batches_tracked` (stored as I64 like PyTorch). Batch statistics in
/// training (running statistics updated with `momentum`), running statistics in evaluation.
public final class BatchNorm2d: Module {
    public let weight: Tensor, bias: Tensor
    public let runningMean: Tensor, runningVar: Tensor, numBatchesTracked: Tensor
    public let momentum: Float, eps: Float

    public init(_ channels: Int, momentum: Float = 0.1, eps: Float = 1e-5) throws {
        try checkPositive("BatchNorm2d", ["num_features": channels])
        self.momentum = momentum; self.eps = eps
        weight = Tensor.ones([channels]); bias = Tensor.zeros([channels])
        runningMean = Tensor.zeros([channels]); runningVar = Tensor.ones([channels])
        numBatchesTracked = Tensor.zeros([])
        super.init()
        parameter("weight", weight); parameter("bias", bias)
        buffer("running_mean", runningMean); buffer("running_var", runningVar)
        buffer("num_batches_tracked", numBatchesTracked, dtype: .i64)
    }

    public override var details: String { "\(weight.count)" }

    public override func forward(_ x: Tensor) throws -> Tensor {
        guard x.rank == 4 else { throw TensorError("BatchNorm2d(\(weight.count)): input must be N×C×H×W, got \(shapeText(x.shape))") }
        if isTraining { numBatchesTracked.pointer[0] += 1 }
        if evaluatesWithoutGraph(x) { return evalWithoutGraph(x) }
        return try batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                             training: isTraining, momentum: momentum, eps: eps)
    }
}

extension BatchNorm2d {
    /// Whether `x` goes through `evalWithoutGraph` (eval mode, no graph being recorded).
    func evaluatesWithoutGraph(_ x: Tensor) -> Bool {
        !isTraining && !GradMode.isEnabled && x.rank == 4 && x.shape[1] == weight.count
    }

    /// Inference (eval mode, no graph): one fused pass y = x·scale + shift per channel, instead
    /// of four broadcast passes; validation and colorize spend much of their time here. With
    /// `slope`, the (leaky) ReLU that follows in a Sequential is applied in the same pass.
    func evalWithoutGraph(_ x: Tensor, thenLeakyRelu slope: Float? = nil) -> Tensor {
        let c = x.shape[1], plane = x.shape[2] * x.shape[3], planes = x.shape[0] * c
        var scale = [Float](repeating: 0, count: c), shift = [Float](repeating: 0, count: c)
        for i in 0..<c {
            scale[i] = weight.pointer[i] / (runningVar.pointer[i] + eps).squareRoot()
            shift[i] = bias.pointer[i] - runningMean.pointer[i] * scale[i]
        }
        let y = Tensor.uninitialized(x.shape)
        nonisolated(unsafe) let src = x.pointer, dst = y.pointer
        scale.withUnsafeBufferPointer { sc in
            shift.withUnsafeBufferPointer { sh in
                nonisolated(unsafe) let sc = sc, sh = sh
                Parallel.forChunks(planes, minChunk: Swift.max(1, 65536 / Swift.max(plane, 1))) { range in
                    for p in range {
                        let a = sc[p % c], b = sh[p % c]
                        let s = src + p * plane, d = dst + p * plane
                        if let slope {
                            for i in 0..<plane { let v = s[i] * a + b; d[i] = v > 0 ? v : v * slope }
                        } else {
                            for i in 0..<plane { d[i] = s[i] * a + b }
                        }
                    }
                }
            }
        }
        return y
    }
}

/// PyTorch's `nn.InstanceNorm2d` (no running statistics); `affine` adds `weight` and `bias`.
public final class InstanceNorm2d: Module {
    public let weight: Tensor?, bias: Tensor?
    public let channels: Int, eps: Float

    public init(_ channels: Int, affine: Bool = false, eps: Float = 1e-5) throws {
        try checkPositive("InstanceNorm2d", ["num_features": channels])
        self.channels = channels; self.eps = eps
        weight = affine ? Tensor.ones([channels]) : nil
        bias = affine ? Tensor.zeros([channels]) : nil
        super.init()
        if let weight, let bias { parameter("weight", weight); parameter("bias", bias) }
    }

    public override var details: String { "\(channels)" + (weight == nil ? "" : ", affine") }

    public override func forward(_ x: Tensor) throws -> Tensor {
        guard x.rank == 4, x.shape[1] == channels else {
            throw TensorError("InstanceNorm2d(\(channels)): input must be N×\(channels)×H×W, got \(shapeText(x.shape))")
        }
        return try instanceNorm(x, weight: weight, bias: bias, eps: eps)
    }
}
