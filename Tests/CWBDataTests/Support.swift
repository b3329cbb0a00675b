import Foundation

enum Fixture {
    static func path(_ relative: String) -> String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(relative).path
    }
}

/// value[i] = (7 i) mod 251 over the flattened array, as Scripts/make_fixtures.py writes.
func pattern(_ i: Int) -> UInt8 { UInt8(i * 7 % 251) }
