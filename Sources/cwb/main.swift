import CWBCore
do {
    let x = Tensor.randn([2, 3, 5, 5]); x.requiresGrad = true
    let w = Tensor.randn([4, 3, 3, 3]); w.requiresGrad = true
    let y = try conv2d(x, w, padding: (1, 1)).leakyRelu(0.2)
    let loss = try instanceNorm(y).mean() + y.pow(2).mean()
    try loss.backward()
    print(loss.scalars, x.grad!.shape, w.grad!.sum().scalars)
    let a = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
    print(try (a ~* a).scalars, try (a + Tensor(shape: [2], scalars: [10, 20])).scalars, try a.sum(axes: [0]).scalars)
    _ = try a ~* Tensor.ones([3, 3])
} catch { print("error:", error) }
