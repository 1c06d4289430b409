import Foundation

/// The review pack's page in one language, as values the template shows (``ReviewTemplate``):
/// every number already written the language's way, every chart already drawn.
struct ReviewPage {
    struct Tile {
        var name: String
        var value: String
        var quarterEnd: String
        var change: String
        /// "better", "worse" or "" (the change's colour).
        var trend: String
    }

    struct Cell {
        var text: String
        var numeric: Bool
    }

    struct Row { var cells: [Cell] }

    struct Table {
        var headers: [Cell]
        /// Each column's share of the width, in percent.
        var widths: [Int]
        var rows: [Row]
        /// Stored, not computed: the template reads properties by reflection.
        var isEmpty: Bool
        /// What the page says instead of an empty table.
        var emptyText: String

        init(headers: [Cell], widths: [Int], rows: [Row], emptyText: String) {
            precondition(widths.count == headers.count && widths.reduce(0, +) == 100, "column widths add up to 100 %")
            self.headers = headers
            self.widths = widths
            self.rows = rows
            isEmpty = rows.isEmpty
            self.emptyText = emptyText
        }
    }

    struct Fact {
        var label: String
        var value: String
    }

    struct AccountPage {
        var anchor: String
        var name: String
        var accountId: String
        var facts: [Fact]
        var revenueChart: String
        var clv: String
        var churn: String
        var drivers: String
        var indicesChart: String?
        var satisfactionChart: String?
        var complaintsChart: String?
        var action: String
    }

    var lang: String
    var otherLang: String
    var otherFile: String
    var otherName: String
    var pipeline: String
    var asOf: String
    var toolVersion: String
    var labels: [String: String]
    var tiles: [Tile]
    var quarterEndAsOf: String?
    var paretoChart: String
    var concentrationFacts: [Fact]
    var tierCharts: [String]
    var migrationChart: String?
    var scatterChart: String
    var healthChart: String?
    var atRisk: Table
    var keyAccounts: Table
    var accountPages: [AccountPage]
    var hasInteractions: Bool
}
