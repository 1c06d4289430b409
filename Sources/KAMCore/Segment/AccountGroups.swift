/// Accounts rolled up to their group (集团客户) through `parent_account_id`, nested parents
/// followed to the top (README "Groups").
public struct AccountGroups: Sendable {
    /// Each account's top-level parent (an account without a parent is its own).
    public var root: [String: String]

    public struct CycleError: Error, CustomStringConvertible {
        public var accounts: [String]
        public var description: String {
            "parent_account_id goes round in a circle through \(accounts.joined(separator: " → ")) → \(accounts[0]) (accounts input); fix the parents of these accounts"
        }
    }

    /// Follows each account's parents; a parent that is not in the accounts input ends the
    /// chain and is the group's id.
    public init(_ accounts: [String: AccountRecord]) throws {
        var root: [String: String] = [:]
        for id in accounts.keys.sorted() where root[id] == nil {
            var chain: [String] = [], seen: Set<String> = [], current = id
            while root[current] == nil, let parent = accounts[current]?.parentAccountId, !parent.isEmpty, parent != current {
                if !seen.insert(current).inserted { break }
                chain.append(current)
                if seen.contains(parent) {
                    let start = chain.firstIndex(of: parent)!
                    throw CycleError(accounts: Array(chain[start...]))
                }
                current = parent
            }
            let top = root[current] ?? current
            for member in chain + [current] where accounts[member] != nil { root[member] = top }
        }
        self.root = root
    }

    /// The group of `accountId` (itself when the accounts input does not name a parent).
    public func group(of accountId: String) -> String { root[accountId] ?? accountId }
}
