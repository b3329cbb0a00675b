import Foundation

/// Separable resampling of Float pixels with `channels` interleaved values per pixel.
/// Per axis: when shrinking, area averaging (each output pixel is the exact overlap-weighted
/// mean of the input pixels it covers, as OpenCV's INTER_AREA); when enlarging, bilinear with
/// pixel centres aligned (align_corners = false) and edges clamped.
enum Resampler {
    /// For each output index: the first input index and the weights of consecutive inputs.
    struct Taps {
        var start: [Int] = []
        var offset: [Int] = []   // into weights
        var length: [Int] = []
        var weights: [Float] = []
    }

    static func taps(input: Int, output: Int) -> Taps {
        var t = Taps()
        let scale = Double(input) / Double(output)
        for o in 0..<output {
            var ws: [Float] = []
            var first = 0
            if scale > 1 {
                let lo = Double(o) * scale, hi = Double(o + 1) * scale
                first = Int(lo.rounded(.down))
                var j = first
                while Double(j) < hi && j < input {
                    let overlap = min(hi, Double(j + 1)) - max(lo, Double(j))
                    ws.append(Float(overlap / scale))
                    j += 1
                }
            } else {
                let x = (Double(o) + 0.5) * scale - 0.5
                let x0 = Int(x.rounded(.down))
                let fr = Float(x - Double(x0))
                let a = min(max(x0, 0), input - 1), b = min(max(x0 + 1, 0), input - 1)
                if a == b { first = a; ws = [1] } else { first = a; ws = [1 - fr, fr] }
            }
            t.start.append(first)
            t.offset.append(t.weights.count)
            t.length.append(ws.count)
            t.weights.append(contentsOf: ws)
        }
        return t
    }

    /// Resamples `src` (w×h×channels, interleaved) to ow×oh.
    static func resample(_ src: UnsafeBufferPointer<Float>, width w: Int, height h: Int, channels c: Int,
                         toWidth ow: Int, toHeight oh: Int) -> [Float] {
        let tx = taps(input: w, output: ow), ty = taps(input: h, output: oh)
        // Horizontal pass: h rows × ow.
        var mid = [Float](repeating: 0, count: h * ow * c)
        mid.withUnsafeMutableBufferPointer { m in
            tx.weights.withUnsafeBufferPointer { wts in
                for y in 0..<h {
                    let row = src.baseAddress! + y * w * c
                    let out = m.baseAddress! + y * ow * c
                    for o in 0..<ow {
                        let s = tx.start[o], off = tx.offset[o], len = tx.length[o]
                        for ch in 0..<c {
                            var acc: Float = 0
                            for k in 0..<len { acc += wts[off + k] * row[(s + k) * c + ch] }
                            out[o * c + ch] = acc
                        }
                    }
                }
            }
        }
        // Vertical pass: oh rows × ow.
        var dst = [Float](repeating: 0, count: oh * ow * c)
        let rowLen = ow * c
        dst.withUnsafeMutableBufferPointer { d in
            mid.withUnsafeBufferPointer { m in
                ty.weights.withUnsafeBufferPointer { wts in
                    for o in 0..<oh {
                        let s = ty.start[o], off = ty.offset[o], len = ty.length[o]
                        let out = d.baseAddress! + o * rowLen
                        for k in 0..<len {
                            let wk = wts[off + k]
                            let row = m.baseAddress! + (s + k) * rowLen
                            for i in 0..<rowLen { out[i] += wk * row[i] }
                        }
                    }
                }
            }
        }
        return dst
    }
}
