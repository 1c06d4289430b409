import Foundation

/// An SVG picture built from typed shapes: every attribute value and text is escaped once,
/// here, so a chart never writes markup by hand. Rendered with a `<title>` and a `<desc>` (the
/// chart's text alternative) that `aria-labelledby` points to.
struct SVG {
    let width: Double
    let height: Double
    let title: String
    /// The text alternative: what the chart shows, in a sentence or two with its numbers.
    let description: String
    private var body: [String] = []

    init(width: Double, height: Double, title: String, description: String) {
        self.width = width
        self.height = height
        self.title = title
        self.description = description
    }

    enum Anchor: String { case start, middle, end }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, class cssClass: String) {
        body.append("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" class=\"\(Self.escape(cssClass))\"/>")
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, class cssClass: String, fill: String? = nil, tooltip: String? = nil) {
        let style = fill.map { " style=\"fill:\(Self.escape($0))\"" } ?? ""
        body.append(
            "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(0, width)))\" height=\"\(n(max(0, height)))\" class=\"\(Self.escape(cssClass))\"\(style)>"
                + (tooltip.map { "<title>\(Self.escape($0))</title>" } ?? "") + "</rect>")
    }

    mutating func circle(x: Double, y: Double, r: Double, class cssClass: String, tooltip: String? = nil) {
        body.append(
            "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" class=\"\(Self.escape(cssClass))\">"
                + (tooltip.map { "<title>\(Self.escape($0))</title>" } ?? "") + "</circle>")
    }

    /// A polyline through the points (nil breaks the line).
    mutating func polyline(_ points: [(Double, Double)?], class cssClass: String) {
        var runs: [[(Double, Double)]] = [[]]
        for p in points {
            if let p { runs[runs.count - 1].append(p) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
        }
        for run in runs where run.count > 1 {
            let d = run.enumerated().map { ($0.offset == 0 ? "M" : "L") + "\(n($0.element.0)) \(n($0.element.1))" }.joined(separator: " ")
            body.append("<path d=\"\(d)\" class=\"\(Self.escape(cssClass))\"/>")
        }
    }

    mutating func text(_ s: String, x: Double, y: Double, anchor: Anchor = .start, class cssClass: String = "label", rotate: Double? = nil) {
        let transform = rotate.map { " transform=\"rotate(\(n($0)) \(n(x)) \(n(y)))\"" } ?? ""
        body.append(
            "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor.rawValue)\" class=\"\(Self.escape(cssClass))\"\(transform)>\(Self.escape(s))</text>")
    }

    /// The markup, with ids derived from `id` (unique within the page).
    func render(id: String) -> String {
        let id = Self.escape(id)
        // Never wider than drawn, so that text keeps its size from chart to chart.
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
            + "style=\"max-width:\(n(width))px\" "
            + "role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\">"
            + "<title id=\"\(id)-title\">\(Self.escape(title))</title><desc id=\"\(id)-desc\">\(Self.escape(description))</desc>"
            // The title shown above the plot (a <title> alone is only a tooltip).
            + "<text x=\"4\" y=\"15\" class=\"chart-title\">\(Self.escape(title))</text>"
            + body.joined() + "</svg>"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Characters XML does not allow (control characters other than tab and line ends).
                if c.value < 0x20 && c != "\t" && c != "\n" && c != "\r" { continue }
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Coordinates to two decimals: enough for a screen, and the same bytes on every run.
    private func n(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        return CSVFormat.decimal(x, 2)
    }
}

/// Maps a domain onto a pixel range, linearly or on a log10 scale, with round tick values.
struct ChartScale {
    let low: Double
    let high: Double
    let from: Double
    let to: Double
    let logarithmic: Bool
    var minimumStep: Double = 0

    /// A linear scale over `values` (0 included), widened to round ticks of at least
    /// `minimumStep` (1 for counts).
    static func linear(_ values: [Double], from: Double, to: Double, includeZero: Bool = true, minimumStep: Double = 0) -> ChartScale {
        let finite = values.filter(\.isFinite)
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
        if hi - lo < 1e-12 { hi = lo + max(1, minimumStep) }
        let step = max(minimumStep, niceStep((hi - lo) / 5))
        return ChartScale(
            low: (lo / step).rounded(.down) * step, high: (hi / step).rounded(.up) * step, from: from, to: to, logarithmic: false,
            minimumStep: minimumStep)
    }

    /// A log10 scale over the positive `values`, from a power of ten to a power of ten.
    static func log(_ values: [Double], from: Double, to: Double) -> ChartScale {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        let lo = Foundation.floor(log10(positive.min() ?? 1)), hi = Foundation.ceil(log10(positive.max() ?? 10))
        return ChartScale(low: pow(10, lo), high: pow(10, max(hi, lo + 1)), from: from, to: to, logarithmic: true)
    }

    func callAsFunction(_ x: Double) -> Double {
        if logarithmic {
            let v = Foundation.log10(max(x, low)), a = Foundation.log10(low), b = Foundation.log10(high)
            return from + (v - a) / (b - a) * (to - from)
        }
        return from + (x - low) / (high - low) * (to - from)
    }

    var ticks: [Double] {
        if logarithmic {
            let a = Int(Foundation.log10(low).rounded()), b = Int(Foundation.log10(high).rounded())
            return (a...b).map { pow(10, Double($0)) }
        }
        let step = max(minimumStep, Self.niceStep((high - low) / 5))
        return stride(from: low, through: high + step / 2, by: step).map { ($0 / step).rounded() * step }
    }

    /// 1, 2 or 5 × 10^k, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, Foundation.floor(log10(raw)))
        for m in [1.0, 2, 5, 10] where m * power >= raw * 0.999 { return m * power }
        return 10 * power
    }
}
