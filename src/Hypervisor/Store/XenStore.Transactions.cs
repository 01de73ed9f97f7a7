using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Store;

/// <summary>
/// Transactions. A transaction works on its own copy of the tree and remembers the generation
/// of every node it looked at (or that the node was absent). Commit succeeds only if all those
/// nodes still have the same generation in the committed tree; then its changes are replayed
/// there (all or nothing) and fire their watches. Otherwise the client gets EAGAIN and retries.
///
/// Lifecycle: Open --TRANSACTION_END(T), no conflict--> committed (gone);
/// Open --TRANSACTION_END(T), conflict--> gone with EAGAIN; Open --TRANSACTION_END(F)--> gone;
/// Open --restore of saved state--> Doomed (its changes were not saved; commit gives EAGAIN).
/// </summary>
public sealed partial class XenStore
{
    private readonly Dictionary<uint, Transaction> _transactions = [];
    private uint _nextTransactionId = 1;

    /// <summary>Transactions open at the moment, for tests and introspection.</summary>
    public int OpenTransactions => _transactions.Count;

    public StoreError StartTransaction(DomId caller, out uint transaction)
    {
        transaction = 0;
        if (caller != DomId.Dom0 && _transactions.Values.Count(t => t.Owner == caller) >= Quotas.MaxTransactionsPerDomain)
        {
            return StoreError.NoSpace;
        }

        do
        {
            transaction = _nextTransactionId++;
        }
        while (transaction == 0 || _transactions.ContainsKey(transaction));

        _transactions[transaction] = new Transaction(caller, _tree.Clone(), doomed: false);
        return StoreError.None;
    }

    public StoreError EndTransaction(DomId caller, uint transaction, bool commit)
    {
        if (!_transactions.TryGetValue(transaction, out var t) || t.Owner != caller)
        {
            return StoreError.NoEntry;
        }

        _transactions.Remove(transaction);
        if (!commit)
        {
            return StoreError.None;
        }

        if (t.Doomed)
        {
            return StoreError.Again;
        }

        foreach (var (path, generation) in t.Observed)
        {
            if ((_tree.Find(path)?.Generation ?? -1) != generation)
            {
                return StoreError.Again;
            }
        }

        var before = _tree.Clone();
        var changes = new List<StoreChange>();
        foreach (var replay in t.Log)
        {
            var error = replay(_tree, changes);
            if (error != StoreError.None)
            {
                _tree.ResetTo(before);
                return error;
            }
        }

        FireWatches(changes);
        return StoreError.None;
    }

    private void DropTransactionsOf(DomId domain)
    {
        foreach (var id in _transactions.Where(kv => kv.Value.Owner == domain).Select(kv => kv.Key).ToList())
        {
            _transactions.Remove(id);
        }
    }

    private sealed class Transaction
    {
        public Transaction(DomId owner, StoreTree tree, bool doomed)
        {
            Owner = owner;
            Tree = tree;
            Doomed = doomed;
        }

        public DomId Owner { get; }

        public StoreTree Tree { get; }

        public bool Doomed { get; }

        /// <summary>Generation of each node seen, as of its first access in this transaction (-1: absent).</summary>
        public Dictionary<string, long> Observed { get; } = new(StringComparer.Ordinal);

        /// <summary>The transaction's successful changes, to replay on the committed tree.</summary>
        public List<Func<StoreTree, List<StoreChange>, StoreError>> Log { get; } = [];

        public void Observe(string path)
        {
            if (!Observed.ContainsKey(path))
            {
                Observed[path] = Tree.Find(path)?.Generation ?? -1;
            }
        }

        /// <summary>Observes a node about to change and its ancestors up to the first one that exists (their child sets change too).</summary>
        public void ObserveAncestors(string path)
        {
            string current = path;
            while (current != "/")
            {
                current = StorePath.Parent(current);
                Observe(current);
                if (Tree.Find(current) is not null)
                {
                    return;
                }
            }
        }
    }
}
