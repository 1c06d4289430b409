import Foundation
import Testing

@testable import KAMCore

@Suite struct NormaliserTests {
    @Test(arguments: [
        ("yyyy-MM-dd", "2024-03-05", "2024-03-05"), ("dd/MM/yyyy", "05/03/2024", "2024-03-05"),
        ("MM/dd/yyyy", "03/05/2024", "2024-03-05"), ("yyyy/M/d", "2024/3/5", "2024-03-05"),
        ("yyyy年M月d日", "2024年3月5日", "2024-03-05"), ("yyyy-MM-dd", "2024-03-05 14:30:00", "2024-03-05"),
        ("yyyy-MM-dd", "2024-03-05T14:30:00Z", "2024-03-05"), ("d.M.yyyy", "5.3.2024", "2024-03-05"),
    ])
    func readsConfiguredDateFormats(pattern: String, text: String, iso: String) {
        #expect(DateParser(formats: [pattern], excelSerialDates: false).parse(text)?.iso == iso)
    }

    @Test func neverGuessesDayMonthOrderAndRejectsImpossibleDates() {
        let dmy = DateParser(formats: ["dd/MM/yyyy"], excelSerialDates: false)
        #expect(dmy.parse("13/01/2024")?.iso == "2024-01-13")
        #expect(dmy.parse("01/13/2024") == nil)
        let iso = DateParser(formats: ["yyyy-MM-dd"], excelSerialDates: false)
        for bad in ["2024-02-30", "2023-02-29", "N/A", "20240105", "2024-1-5", "2024-01-05x", ""] { #expect(iso.parse(bad) == nil, "\(bad)") }
        #expect(iso.parse("2024-02-29")?.iso == "2024-02-29")
    }

    @Test func triesFormatsInOrder() {
        let p = DateParser(formats: ["dd/MM/yyyy", "yyyy-MM-dd"], excelSerialDates: false)
        #expect(p.parse("2024-03-05")?.iso == "2024-03-05")
        #expect(p.parse("05/03/2024")?.iso == "2024-03-05")
    }

    @Test func excelSerialDatesOnlyWhenEnabled() {
        #expect(DateParser(formats: ["yyyy-MM-dd"], excelSerialDates: false).parse("45356") == nil)
        #expect(DateParser(formats: ["yyyy-MM-dd"], excelSerialDates: true).parse("45356")?.iso == "2024-03-05")
    }

    static let amounts: [(String, Int64)] = [
        ("1234.5", 12_345_000), ("1,234.50", 12_345_000), ("(1,234.00)", -12_340_000), ("￥1,200", 12_000_000),
        ("$12.34", 123_400), ("€ 7", 70_000), ("１２３４．５", 12_345_000), ("  42  ", 420_000), ("-0.5", -5000),
        ("+3", 30_000), ("1200元", 12_000_000), ("0.0001", 1), ("1,234,567.8", 12_345_678_000),
    ]

    @Test(arguments: amounts)
    func readsAmountsExactly(text: String, units: Int64) {
        #expect(AmountParser(decimalComma: false).parse(text) == Money(units: units))
    }

    @Test func readsDecimalCommaOnlyWhenDeclared() {
        #expect(AmountParser(decimalComma: true).parse("1.234,56") == Money(units: 12_345_600))
        #expect(AmountParser(decimalComma: false).parse("1.234,56") == nil)
        #expect(AmountParser(decimalComma: true).parse("1,5") == Money(units: 15_000))
    }

    @Test(arguments: ["abc", "12..50", "1,23,4", "1,2345", "", "N/A", "1.23456", "--5", "(-5)", "1e5", "12-", ".", "5."])
    func rejectsWhatItWouldHaveToGuess(text: String) {
        #expect(AmountParser(decimalComma: false).parse(text) == nil)
    }

    /// The one-pass shortcut for plain amounts (`75.90`, `3,137.49`) gives the full rules'
    /// answer on every text: random texts of digits, separators, signs and spaces, both ways
    /// round for the decimal comma.
    @Test(arguments: [false, true])
    func shortcutForPlainAmountsAgreesWithTheRules(decimalComma: Bool) {
        let parser = AmountParser(decimalComma: decimalComma)
        let alphabet = Array("0123456789012345678901234567890,.,. -".utf8)
        var generator = RandomSource(seed: 7)
        var plain = 0
        for _ in 0..<200_000 {
            let count = Int(generator.next() % 18) + 1
            var text = (0..<count).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            // Half of them shaped like amounts: digits in groups of three, a point, decimals.
            if generator.next() % 2 == 0 {
                let groups = Int(generator.next() % 5)
                var shaped = Array(String(generator.next() % 1000).utf8)
                for _ in 0..<groups { shaped += [decimalComma ? 0x2E : 0x2C] + Array(String(format: "%03d", Int(generator.next() % 1000)).utf8) }
                if generator.next() % 2 == 0 { shaped += [decimalComma ? 0x2C : 0x2E] + text.filter { $0 >= 0x30 && $0 <= 0x39 }.prefix(5) }
                text = shaped
            }
            let answer = text.withUnsafeBufferPointer { parser.parse($0) }
            let rules = text.withUnsafeBufferPointer { parser.parseByRules($0) }
            #expect(answer == rules, "\(String(decoding: text, as: UTF8.self))")
            if answer != nil { plain += 1 }
        }
        // The shaped half mostly parses: the comparison covered the shortcut's own cases.
        #expect(plain > 50_000)
    }

    @Test func moneyRoundsHalfToEvenAtTwoDecimals() {
        #expect(Money(units: 12_345).formatted == "1.23")  // 1.2345 → 1.23 (4 < 5)
        #expect(Money(units: 12_350).formatted == "1.24")  // 1.235 → 1.24 (tie, 3 is odd)
        #expect(Money(units: 12_250).formatted == "1.22")  // 1.225 → 1.22 (tie, 2 is even)
        #expect(Money(units: -12_350).formatted == "-1.24")
        #expect(Money(units: -50).formatted == "0.00" || Money(units: -50).formatted == "-0.00")
        #expect(Money(units: 10_000_000).formatted == "1000.00")
    }

    @Test func convertsAtExactRates() {
        let rate = FXTable.parseRate("7.1")!
        #expect(Money(units: 10_000).converted(at: rate) == Money(units: 71_000))
        let third = FXTable.parseRate("0.33333333")!
        #expect(Money(units: 30_000).converted(at: third) == Money(units: 10_000))
        #expect(FXTable.parseRate("0") == nil && FXTable.parseRate("-1") == nil && FXTable.parseRate("1.123456789") == nil)
    }

    @Test func fxRatesApplyFromTheirValidFromDay() {
        var fx = FXTable(baseCurrency: "CNY")
        fx.add(currency: "USD", rate: FXTable.parseRate("7.0")!, validFrom: Day(iso: "2024-01-01"))
        fx.add(currency: "USD", rate: FXTable.parseRate("7.2")!, validFrom: Day(iso: "2024-06-01"))
        #expect(fx.rate(for: "USD", on: Day(iso: "2024-03-01")!)?.double == 7.0)
        #expect(fx.rate(for: "USD", on: Day(iso: "2024-07-01")!)?.double == 7.2)
        #expect(fx.rate(for: "USD", on: Day(iso: "2023-12-31")!) == nil)
        #expect(fx.rate(for: "CNY", on: Day(iso: "2023-12-31")!) == .one)
        let conflicting = fx.add(currency: "USD", rate: FXTable.parseRate("7.3")!, validFrom: Day(iso: "2024-06-01"))
        #expect(!conflicting)
    }

    @Test func quintileScores() {
        #expect(SegmentStage.quintileScores([1, 2, 3, 4, 5]) == [1, 2, 3, 4, 5])
        #expect(SegmentStage.quintileScores([7, 7, 7, 7]) == [3, 3, 3, 3])
        #expect(SegmentStage.quintileScores([42]) == [3])
        #expect(SegmentStage.quintileScores([1, 2]) == [2, 4])
        #expect(SegmentStage.quintileScores([]) == [])
        // Ties share a score, whatever their order.
        let s = SegmentStage.quintileScores([5, 1, 5, 3, 9, 9, 9, 2, 4, 6])
        #expect(s[0] == s[2] && s[4] == s[5] && s[5] == s[6])
        #expect(s[4] == 5 && s[1] == 1)
        #expect(SegmentStage.quintileScores(Array(stride(from: 0.0, to: 100, by: 1))) == (0..<100).map { 1 + $0 / 20 })
    }

    /// The row hash reads a field's last bytes with two (overlapping) loads; it must pack them
    /// exactly as one byte at a time would, at every length and alignment.
    @Test func rowHashPacksTheLastBytesAsOneByteAtATime() {
        func reference(_ bytes: [UInt8]) -> UInt64 {
            var value: UInt64 = 0xcbf2_9ce4_8422_2325
            func mix(_ word: UInt64) {
                value = (value ^ word) &* 0x9E37_79B9_7F4A_7C15
                value ^= value >> 29
            }
            var i = 0
            while i + 8 <= bytes.count {
                var word: UInt64 = 0
                for k in 0..<8 { word |= UInt64(bytes[i + k]) << UInt64(8 * k) }
                mix(word)
                i += 8
            }
            var last = UInt64(bytes.count & 7) << 56
            for k in 0..<(bytes.count - i) { last |= UInt64(bytes[i + k]) << UInt64(8 * k) }
            mix(last)
            mix(0x1F)
            return value
        }
        let text = Array("C000123,客户 ABC-Ωx\u{1F600}0123456789".utf8)
        for offset in 0..<8 {
            for length in 0...(text.count - offset) {
                let field = Array(text[offset..<(offset + length)])
                let hashed = text.withUnsafeBufferPointer { RowHash.of(field: UnsafeBufferPointer(rebasing: $0[offset..<(offset + length)])) }
                #expect(hashed == reference(field), "offset \(offset), length \(length)")
            }
        }
    }

    /// Conversion takes a 64-bit division when the product fits; it must round exactly as the
    /// 128-bit one does (half to even), for either sign, at exact halves and near the limits.
    @Test func conversionRoundsAlikeInSixtyFourAndOneHundredTwentyEightBits() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        var units: [Int64] = [0, 1, -1, 5, -5, 15, -15, 25, 50_000_000, -50_000_000, .max / 3, .min / 3]
        for _ in 0..<20_000 { units.append(Int64(bitPattern: next()) >> Int64(next() % 60)) }
        let rates: [Int64] = [1, 50_000_000, 150_000_000, 33_333_333, 712_345_678, FXRate.scale, 3 * FXRate.scale / 2, 99_999_999_999]
        for u in units {
            for r in rates {
                let quotient = Double(u.magnitude) * Double(r) / Double(FXRate.scale)
                // Past 2^62 units a conversion that needs 128 bits refuses (nil) instead of trapping.
                guard let converted = Money(units: u).converted(at: FXRate(nanoUnits: r)) else {
                    #expect(quotient > 4.5e18, "\(u) × \(r)")
                    continue
                }
                let expected = FXRate.divideRounded(u.multipliedFullWidth(by: r), by: FXRate.scale)
                #expect(expected == nil ? quotient > 4.5e18 : converted == Money(units: expected!), "\(u) × \(r)")
            }
        }
        // Exact halves round to even: 0.5 → 0, 1.5 → 2, -2.5 → -2 (in units).
        #expect(Money(units: 1).converted(at: FXRate(nanoUnits: 50_000_000)) == Money(units: 0))
        #expect(Money(units: 3).converted(at: FXRate(nanoUnits: 50_000_000)) == Money(units: 2))
        #expect(Money(units: -5).converted(at: FXRate(nanoUnits: 50_000_000)) == Money(units: -2))
    }

    /// The memo finds what it remembered for keys of every length up to 20 bytes, and nothing
    /// for a key one byte away from one it knows.
    @Test func byteMemoFindsExactlyTheKeysItRemembered() {
        let text = Array("paid已付款cancelled-refund退款X".utf8)
        var memo = ByteMemo<Int>()
        text.withUnsafeBufferPointer { all in
            for n in 0...20 { memo.remember(UnsafeBufferPointer(rebasing: all[0..<n]), n) }
            for n in 0...20 {
                #expect(memo.find(UnsafeBufferPointer(rebasing: all[0..<n])) == n, "length \(n)")
                // The same length from another offset: different bytes, not found.
                #expect(memo.find(UnsafeBufferPointer(rebasing: all[1..<(n + 1)])) == (n == 0 ? 0 : nil), "shifted, length \(n)")
            }
        }
    }

    /// Trimming (with its shortcut for fields that start and end with a byte above 0x20) and the
    /// line-number check (with its shortcut for one to three digits) agree with plain
    /// references on every short string over an alphabet of digits, signs, spaces and bytes
    /// around 0x20 (strings of up to four bytes).
    @Test func trimmingAndWholeNumbersAgreeWithReferences() {
        let alphabet: [UInt8] = [0x30, 0x39, 0x2B, 0x2D, 0x20, 0x09, 0x0D, 0x1F, 0x41, 0xE5]
        func referenceTrim(_ b: [UInt8]) -> [UInt8] {
            let space: Set<UInt8> = [0x20, 0x09, 0x0D, 0x0A]
            var s = b[...]
            while let f = s.first, space.contains(f) { s = s.dropFirst() }
            while let l = s.last, space.contains(l) { s = s.dropLast() }
            return Array(s)
        }
        var cases: [[UInt8]] = [[]], layer: [[UInt8]] = [[]]
        for _ in 1...4 {
            layer = layer.flatMap { c in alphabet.map { c + [$0] } }
            cases += layer
        }
        cases += [Array("9223372036854775807".utf8), Array("9223372036854775808".utf8), Array("-9223372036854775808".utf8)]
        for c in cases {
            c.withUnsafeBufferPointer { b in
                let t = trimmed(b)
                #expect(Array(t) == referenceTrim(c), "\(c)")
                let expected = t.isEmpty || Int(String(decoding: t, as: UTF8.self)) != nil
                #expect(isWholeNumberOrEmpty(t) == expected, "\(c)")
            }
        }
    }
}
