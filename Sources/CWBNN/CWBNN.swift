// CWBNN — layers, losses, optimizers, checkpoints and the study's models, on CWBCore.
//
// Map of the module (each file starts with what it is for):
//   Module/      Module (parameters, buffers, children, state_dict, train/eval, summary),
//                StateDict, initialisations
//   Layers/      Conv2d, ConvTranspose2d, Linear, BatchNorm2d, InstanceNorm2d, activations,
//                Dropout, MaxPool2d, Upsample, Sequential, ResBlock
//   Losses/      Loss (weighted sums of L1, MSE, colour, perceptual terms), Lab→RGB,
//                VGG16/19 features with Keras names, BCE GAN loss, Wasserstein + gradient penalty
//   Optim/       SGD, Adam, RAdam (PyTorch's update rules), gradient clipping, LR schedules
//   Checkpoint/  safetensors reader/writer, model files and resumable checkpoints
//   Models/      UNet (final U-Net, benchmark reference, pix2pix generator), PatchGAN
//                (discriminator / WGAN critic), ResUNet (CWGAN generator), makeModel(metadata:)
//
// Conventions: tensors are NCHW Float32; models take L/50 − 1 (N×1×H×W) and give ab/110
// (N×2×H×W, tanh). Every key of `stateDict()` is PyTorch's for the same architecture
// (Tests/CWBNNTests/reference_models.py), so weights move both ways. Mistakes throw
// `TensorError` naming the layer, the shapes or the file.
//
// A training step, as the loops in CWBTraining drive it:
//
//     let g = try UNet(.reference)                       // 20 564 162 parameters
//     let opt = try Adam(g.namedParameters(), learningRate: 2e-4)
//     let loss = Loss.l1 + 0.1 * Loss.perceptual(try PerceptualLoss(.vgg19, layers: ["block5_conv4"], weights: url))
//     g.train(); opt.zeroGrad()
//     let value = try loss(try g(L), ab, luminance: L)
//     try value.backward(); try opt.step()
//     opt.learningRate = LRSchedule.decayAfter(epoch: 20, factor: exp(-0.1)).rate(epoch: e, base: 2e-4)
//     try Checkpoint.save(models: ["generator": g], optimizers: ["generator_optimizer": opt],
//                         metadata: ["epoch": "\(e)"], to: url)
