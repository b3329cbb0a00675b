/// Images laid out in rows on a white background (input / prediction / truth sample sheets).
/// Each cell is as large as the largest image; smaller ones sit at its top left.
public enum ImageGrid {
    public static func compose(_ rows: [[RGBImage]], gap: Int = 4) throws -> RGBImage {
        let cells = rows.flatMap { $0 }
        guard !cells.isEmpty else { throw ImageError("image grid: no images") }
        let cw = cells.map(\.width).max()!, ch = cells.map(\.height).max()!
        let columns = rows.map(\.count).max()!
        let width = columns * cw + (columns + 1) * gap, height = rows.count * ch + (rows.count + 1) * gap
        var out = try RGBImage(width: width, height: height, red: 255, green: 255, blue: 255)
        for (r, row) in rows.enumerated() {
            for (c, img) in row.enumerated() {
                let x0 = gap + c * (cw + gap), y0 = gap + r * (ch + gap)
                for y in 0..<img.height {
                    let src = y * img.width * 3, dst = ((y0 + y) * width + x0) * 3
                    out.pixels.replaceSubrange(dst..<(dst + img.width * 3), with: img.pixels[src..<(src + img.width * 3)])
                }
            }
        }
        return out
    }
}
