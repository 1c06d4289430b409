import Foundation

/// The review pack's charts: small builders over ``SVG``, each with a title, axis labels with
/// units and a text alternative, all given by the caller in the page's language.
struct ChartText {
    var title: String
    /// The text alternative (the SVG's `<desc>`).
    var description: String
    var xAxis: String
    var yAxis: String
}

/// The plot area inside a chart of `width` × `height`, leaving room for the axes' labels.
struct PlotArea {
    var width: Double = 640
    var height: Double = 300
    var left: Double = 78
    var right: Double = 16
    /// Room for the chart's title.
    var top: Double = 30
    var bottom: Double = 52

    var x0: Double { left }
    var x1: Double { width - right }
    var y0: Double { height - bottom }
    var y1: Double { top }

    /// Axis lines, the y ticks with their labels and grid lines, and both axis titles.
    func axes(_ svg: inout SVG, y: ChartScale, text: ChartText, format: (Double) -> String) {
        for t in y.ticks {
            let py = y(t)
            svg.line(x0, py, x1, py, class: "grid")
            svg.text(format(t), x: x0 - 6, y: py + 4, anchor: .end, class: "tick")
        }
        svg.line(x0, y0, x1, y0, class: "axis")
        svg.line(x0, y0, x0, y1, class: "axis")
        svg.text(text.xAxis, x: (x0 + x1) / 2, y: height - 6, anchor: .middle, class: "axis-title")
        svg.text(text.yAxis, x: 14, y: (y0 + y1) / 2, anchor: .middle, class: "axis-title", rotate: -90)
    }
}

/// Vertical bars, one per category.
struct BarChart {
    var text: ChartText
    var categories: [String]
    var values: [Double]
    /// A CSS class per bar (e.g. its band), or "bar".
    var classes: [String]? = nil
    var format: (Double) -> String
    /// Counts: whole-number ticks.
    var counts = false
    var area = PlotArea()

    func svg(id: String) -> String {
        var svg = SVG(width: area.width, height: area.height, title: text.title, description: text.description)
        let y = ChartScale.linear(values, from: area.y0, to: area.y1, minimumStep: counts ? 1 : 0)
        area.axes(&svg, y: y, text: text, format: format)
        let slot = (area.x1 - area.x0) / Double(max(1, categories.count))
        for (i, name) in categories.enumerated() {
            let v = values[i], x = area.x0 + slot * Double(i)
            let top = min(y(v), y(0)), bottom = max(y(v), y(0))
            svg.rect(
                x: x + slot * 0.15, y: top, width: slot * 0.7, height: bottom - top, class: classes?[i] ?? "bar",
                tooltip: "\(name): \(format(v))")
            svg.text(name, x: x + slot / 2, y: area.y0 + 16, anchor: .middle, class: "tick")
        }
        return svg.render(id: id)
    }
}

/// One or more series over the same categories (quarters), with a dot on every value.
struct LineChart {
    struct Series {
        var name: String
        var values: [Double?]
        var cssClass: String
    }

    var text: ChartText
    var categories: [String]
    var series: [Series]
    var format: (Double) -> String
    /// A fixed value range (a score on 0–100); by default the data's, zero included.
    var domain: ClosedRange<Double>? = nil
    var area = PlotArea()

    func svg(id: String) -> String {
        var svg = SVG(width: area.width, height: area.height, title: text.title, description: text.description)
        let all = series.flatMap { $0.values.compactMap { $0 } }
        let y = domain.map { ChartScale(low: $0.lowerBound, high: $0.upperBound, from: area.y0, to: area.y1, logarithmic: false) }
            ?? ChartScale.linear(all, from: area.y0, to: area.y1)
        area.axes(&svg, y: y, text: text, format: format)
        let slot = (area.x1 - area.x0) / Double(max(1, categories.count))
        let xs = categories.indices.map { area.x0 + slot * (Double($0) + 0.5) }
        for (i, name) in categories.enumerated() { svg.text(name, x: xs[i], y: area.y0 + 16, anchor: .middle, class: "tick") }
        for s in series {
            svg.polyline(s.values.enumerated().map { i, v in v.map { (xs[i], y($0)) } }, class: "line " + s.cssClass)
            for (i, v) in s.values.enumerated() {
                guard let v else { continue }
                svg.circle(x: xs[i], y: y(v), r: 3, class: "dot " + s.cssClass, tooltip: "\(s.name), \(categories[i]): \(format(v))")
            }
        }
        if series.count > 1 {
            for (k, s) in series.enumerated() {
                let x = area.x0 + 10 + Double(k) * 150
                svg.line(x, area.y1 - 8, x + 18, area.y1 - 8, class: "line " + s.cssClass)
                svg.text(s.name, x: x + 24, y: area.y1 - 4, class: "legend")
            }
        }
        return svg.render(id: id)
    }
}

/// Points on two axes (y optionally on a log scale), some labelled, with named quadrants.
struct ScatterChart {
    struct Point {
        var x: Double
        var y: Double
        var label: String?
        var cssClass: String
        var tooltip: String
    }

    struct Quadrants {
        var xSplit: Double
        var ySplit: Double
        /// Top left, top right, bottom left, bottom right.
        var names: [String]
    }

    var text: ChartText
    var points: [Point]
    var xFormat: (Double) -> String
    var yFormat: (Double) -> String
    var logY = false
    var xDomain: ClosedRange<Double>? = nil
    var quadrants: Quadrants? = nil
    var area = PlotArea(width: 680, height: 420)

    func svg(id: String) -> String {
        var svg = SVG(width: area.width, height: area.height, title: text.title, description: text.description)
        let ys = points.map(\.y)
        let y = logY ? ChartScale.log(ys, from: area.y0, to: area.y1) : ChartScale.linear(ys, from: area.y0, to: area.y1)
        let x = xDomain.map { ChartScale(low: $0.lowerBound, high: $0.upperBound, from: area.x0, to: area.x1, logarithmic: false) }
            ?? ChartScale.linear(points.map(\.x), from: area.x0, to: area.x1)
        area.axes(&svg, y: y, text: text, format: yFormat)
        for t in x.ticks { svg.text(xFormat(t), x: x(t), y: area.y0 + 16, anchor: .middle, class: "tick") }
        if let q = quadrants {
            let qx = x(q.xSplit), qy = y(q.ySplit)
            svg.line(qx, area.y0, qx, area.y1, class: "split")
            svg.line(area.x0, qy, area.x1, qy, class: "split")
            svg.text(q.names[0], x: area.x0 + 6, y: area.y1 + 14, class: "quadrant")
            svg.text(q.names[1], x: area.x1 - 6, y: area.y1 + 14, anchor: .end, class: "quadrant")
            svg.text(q.names[2], x: area.x0 + 6, y: area.y0 - 8, class: "quadrant")
            svg.text(q.names[3], x: area.x1 - 6, y: area.y0 - 8, anchor: .end, class: "quadrant")
        }
        // Unlabelled points first, so that the labelled ones are drawn on top.
        for p in points.sorted(by: { ($0.label == nil ? 0 : 1) < ($1.label == nil ? 0 : 1) }) {
            let px = x(min(max(p.x, x.low), x.high)), py = y(p.y)
            svg.circle(x: px, y: py, r: p.label == nil ? 2.2 : 3.5, class: "dot " + p.cssClass, tooltip: p.tooltip)
            if let label = p.label { svg.text(label, x: px + 5, y: py - 4, class: "point-label") }
        }
        return svg.render(id: id)
    }
}

/// A matrix of counts, darker for more, with each cell's count written in it.
struct Heatmap {
    var text: ChartText
    var rowLabels: [String]
    var columnLabels: [String]
    var values: [[Int]]
    var area = PlotArea(width: 520, height: 300, left: 90, right: 16, top: 30, bottom: 60)

    func svg(id: String) -> String {
        var svg = SVG(width: area.width, height: area.height, title: text.title, description: text.description)
        let cw = (area.x1 - area.x0) / Double(max(1, columnLabels.count)), ch = (area.y0 - area.y1) / Double(max(1, rowLabels.count))
        let most = max(1, values.flatMap { $0 }.max() ?? 1)
        for (r, row) in values.enumerated() {
            for (c, v) in row.enumerated() {
                let x = area.x0 + cw * Double(c), y = area.y1 + ch * Double(r)
                // 0 → white, the largest count → the darkest blue.
                let t = Double(v) / Double(most)
                let fill = String(format: "rgb(%d,%d,%d)", Int(255 - 200 * t), Int(255 - 150 * t), Int(255 - 60 * t))
                svg.rect(x: x, y: y, width: cw - 2, height: ch - 2, class: "cell", fill: fill, tooltip: "\(rowLabels[r]) → \(columnLabels[c]): \(v)")
                svg.text(String(v), x: x + cw / 2, y: y + ch / 2 + 4, anchor: .middle, class: t > 0.55 ? "cell-text dark" : "cell-text")
            }
        }
        for (r, name) in rowLabels.enumerated() {
            svg.text(name, x: area.x0 - 8, y: area.y1 + ch * (Double(r) + 0.5) + 4, anchor: .end, class: "tick")
        }
        for (c, name) in columnLabels.enumerated() {
            svg.text(name, x: area.x0 + cw * (Double(c) + 0.5), y: area.y0 + 16, anchor: .middle, class: "tick")
        }
        svg.text(text.xAxis, x: (area.x0 + area.x1) / 2, y: area.height - 8, anchor: .middle, class: "axis-title")
        svg.text(text.yAxis, x: 14, y: (area.y0 + area.y1) / 2, anchor: .middle, class: "axis-title", rotate: -90)
        return svg.render(id: id)
    }
}

/// Revenue concentration: the cumulative share of revenue against the share of accounts,
/// largest first, with the point where 80 % of revenue is reached.
struct ParetoChart {
    var text: ChartText
    /// Each account's revenue (only positive amounts count).
    var revenues: [Double]
    /// The marker's label, given the share of accounts (0–1) that brings 80 % of revenue.
    var markerLabel: (Double) -> String
    /// A share (0–1) as the axes print it.
    var percent: (Double) -> String = { "\(Int(($0 * 100).rounded())) %" }
    var area = PlotArea()

    /// Cumulative shares after each account, largest first.
    var curve: [Double] {
        let sorted = revenues.filter { $0 > 0 }.sorted(by: >)
        let total = sorted.reduce(0, +)
        guard total > 0 else { return [] }
        var running = 0.0
        return sorted.map { running += $0; return running / total }
    }

    /// The share of accounts (with revenue) that brings 80 % of it.
    var eightyPoint: Double? {
        let c = curve
        guard let i = c.firstIndex(where: { $0 >= 0.8 - 1e-12 }) else { return nil }
        return Double(i + 1) / Double(c.count)
    }

    func svg(id: String) -> String {
        var svg = SVG(width: area.width, height: area.height, title: text.title, description: text.description)
        let x = ChartScale(low: 0, high: 1, from: area.x0, to: area.x1, logarithmic: false)
        let y = ChartScale(low: 0, high: 1, from: area.y0, to: area.y1, logarithmic: false)
        area.axes(&svg, y: y, text: text, format: percent)
        for t in x.ticks { svg.text(percent(t), x: x(t), y: area.y0 + 16, anchor: .middle, class: "tick") }
        let c = curve
        // At most ~400 vertices: enough for the eye, small for the page.
        let step = max(1, c.count / 400)
        var points: [(Double, Double)?] = [(x(0), y(0))]
        for i in stride(from: 0, to: c.count, by: step) { points.append((x(Double(i + 1) / Double(c.count)), y(c[i]))) }
        if let last = c.last { points.append((x(1), y(last))) }
        svg.line(x(0), y(0), x(1), y(1), class: "split")
        svg.polyline(points, class: "line revenue")
        if let p = eightyPoint {
            svg.line(x(p), area.y0, x(p), y(0.8), class: "marker")
            svg.line(area.x0, y(0.8), x(p), y(0.8), class: "marker")
            svg.circle(x: x(p), y: y(0.8), r: 4, class: "dot marker")
            svg.text(markerLabel(p), x: x(p) + 8, y: y(0.8) + 16, class: "point-label")
        }
        return svg.render(id: id)
    }
}
