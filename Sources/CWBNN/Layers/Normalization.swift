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
        return try batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                             training: isTraining, momentum: momentum, eps: eps)
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
