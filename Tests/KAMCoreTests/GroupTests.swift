import Foundation
import Testing

@testable import KAMCore

@Suite struct GroupTests {
    func account(_ id: String, parent: String?) -> AccountRecord {
        AccountRecord(
            accountId: id, name: nil, parentAccountId: parent, industry: nil, region: nil, size: nil, accountManager: nil,
            createdDate: nil, strategic: false)
    }

    /// Nested parents are followed to the top; a parent missing from the accounts input is the
    /// group's id; a circle is an error naming its accounts in order.
    @Test func parentsAreFollowedToTheTopAndCirclesAreNamed() throws {
        let accounts = Dictionary(uniqueKeysWithValues: [
            account("A", parent: nil), account("B", parent: "A"), account("C", parent: "B"), account("D", parent: "Z"),
            account("E", parent: "E"),
        ].map { ($0.accountId, $0) })
        let groups = try AccountGroups(accounts)
        #expect(["A", "B", "C", "D", "E"].map { groups.group(of: $0) } == ["A", "A", "A", "Z", "E"])
        var circle = accounts
        circle["X"] = account("X", parent: "Y")
        circle["Y"] = account("Y", parent: "W")
        circle["W"] = account("W", parent: "X")
        #expect {
            _ = try AccountGroups(circle)
        } throws: { error in
            "\(error)".contains("W → X → Y → W")
        }
    }

    /// Each group's money totals are the exact sums of its members' in ranked_accounts.csv,
    /// and its member count their number.
    @Test func groupTotalsAreTheSumsOfTheirMembers() throws {
        let (path, dir) = try generatedPipeline(accounts: 300, transactions: 8000, seed: 8)
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "account_manager: account_manager }", with: "account_manager: account_manager, parent_account_id: parent_account_id }")
        write(text, to: URL(fileURLWithPath: path))
        let out = try Runner.run(try PipelineConfig.load(path: path), threads: 2, progress: Progress(quiet: true)).folder
        let accounts = try csvRows(dir.appendingPathComponent("data/accounts.csv").path)
        let records = Dictionary(uniqueKeysWithValues: accounts.map { a in
            (a["account_id"]!, account(a["account_id"]!, parent: a["parent_account_id"]!.isEmpty ? nil : a["parent_account_id"]))
        })
        let groups = try AccountGroups(records)
        var revenue: [String: Money] = [:], members: [String: Int] = [:]
        for r in try csvRows(out + "/ranked_accounts.csv") {
            let g = groups.group(of: r["account_id"]!)
            revenue[g, default: .zero] = revenue[g, default: .zero] + Money(units: Int64((Double(r["revenue_12m"]!)! * 10_000).rounded()))
            members[g, default: 0] += 1
        }
        let table = try csvRows(out + "/group_accounts.csv")
        #expect(table.count >= 5)
        for g in table {
            let id = g["group_id"]!
            #expect(Int(g["members"]!) == members[id] && g["revenue_12m"] == revenue[id]?.formatted, "\(id)")
        }
    }

    /// `key_accounts.level: group` chooses among groups: at most the cap of them, each row a
    /// group with its members' revenue summed, and every member recorded with its group's status.
    @Test func keyAccountsCanBeChosenAmongGroups() throws {
        let (path, dir) = try generatedPipeline(accounts: 300, transactions: 8000, seed: 8, extra: "key_accounts:\n  level: group\n  cap: 6")
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "account_manager: account_manager }", with: "account_manager: account_manager, parent_account_id: parent_account_id }")
        write(text, to: URL(fileURLWithPath: path))
        let out = try Runner.run(try PipelineConfig.load(path: path), threads: 2, progress: Progress(quiet: true)).folder
        let accounts = try csvRows(dir.appendingPathComponent("data/accounts.csv").path)
        let groups = try AccountGroups(Dictionary(uniqueKeysWithValues: accounts.map { a in
            (a["account_id"]!, account(a["account_id"]!, parent: a["parent_account_id"]!.isEmpty ? nil : a["parent_account_id"]))
        }))
        let ranked = try csvRows(out + "/ranked_accounts.csv")
        var revenue: [String: Money] = [:]
        for r in ranked {
            revenue[groups.group(of: r["account_id"]!), default: .zero] =
                revenue[groups.group(of: r["account_id"]!), default: .zero] + Money(units: Int64((Double(r["revenue_12m"]!)! * 10_000).rounded()))
        }
        let list = try csvRows(out + "/key_accounts.csv")
        let onList = list.filter { $0["status"] == "new" || $0["status"] == "kept" }
        #expect(onList.count == 6)
        #expect(onList.contains { $0["reason"]!.contains("group of") && !$0["reason"]!.contains("group of 1 account") })
        for row in list { #expect(row["revenue_12m"] == revenue[row["account_id"]!]?.formatted, "\(row["account_id"]!)") }
        let history = try RunHistory(path: dir.appendingPathComponent("out/history.sqlite").path, readOnly: true)
        let snapshots = try history.accounts(run: try #require(history.runs().first))
        let statusOfGroup = Dictionary(uniqueKeysWithValues: list.map { ($0["account_id"]!, $0["status"]!) })
        for (id, snapshot) in snapshots { #expect(snapshot.keyStatus == statusOfGroup[groups.group(of: id)], "\(id)") }
    }
}
