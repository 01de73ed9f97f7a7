using System.Text;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Store;
using static ActorVisor.Hypervisor.Tests.Store.StoreTestKit;

namespace ActorVisor.Hypervisor.Tests.Store;

/// <summary>Random operation sequences from several domains, checking the store's invariants after every step.</summary>
public class StoreInvariantTests
{
    private static readonly string[] Names = ["a", "b", "c", "state", "x"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_operations_keep_owner_counts_and_capture_restore_exact(int seed)
    {
        var random = new Random(seed);
        var store = WithGuests(new StoreQuotas(MaxNodesPerDomain: 40, MaxTransactionsPerDomain: 3, MaxWatchesPerDomain: 5));
        DomId[] domains = [Dom0, Guest, Other];
        var open = new List<(DomId Domain, uint Id)>();
        for (int step = 0; step < 3000; step++)
        {
            var caller = domains[random.Next(domains.Length)];
            uint tx = 0;
            var mine = open.Where(t => t.Domain == caller).ToList();
            if (mine.Count > 0 && random.Next(2) == 0)
            {
                tx = mine[random.Next(mine.Count)].Id;
            }

            string path = RandomPath(random);
            switch (random.Next(10))
            {
                case 0:
                case 1:
                    store.Write(caller, tx, path, Encoding.ASCII.GetBytes(step.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    break;
                case 2:
                    store.Mkdir(caller, tx, path);
                    break;
                case 3:
                    store.Remove(caller, tx, path);
                    break;
                case 4:
                    store.Read(caller, tx, path, out _);
                    store.Directory(caller, tx, path, out _);
                    break;
                case 5:
                    store.SetPermissions(caller, tx, path, [new StorePermission(domains[random.Next(3)], (StoreAccess)random.Next(4)), new StorePermission(domains[random.Next(3)], (StoreAccess)random.Next(4))]);
                    break;
                case 6:
                    if (store.StartTransaction(caller, out uint id) == StoreError.None)
                    {
                        open.Add((caller, id));
                    }

                    break;
                case 7:
                    if (mine.Count > 0)
                    {
                        var t = mine[random.Next(mine.Count)];
                        store.EndTransaction(caller, t.Id, commit: random.Next(3) != 0);
                        open.Remove(t);
                    }

                    break;
                case 8:
                    store.Watch(caller, path, "t" + random.Next(3));
                    break;
                default:
                    store.TakeAll(caller);
                    break;
            }

            if (step % 50 == 0)
            {
                AssertInvariants(store);
            }
        }

        AssertInvariants(store);
    }

    private static string RandomPath(Random random)
    {
        var parts = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Names[random.Next(Names.Length)]);
        return random.Next(4) switch
        {
            0 => "/local/domain/1/" + string.Join('/', parts),
            1 => "/local/domain/2/" + string.Join('/', parts),
            2 => "/tool/" + string.Join('/', parts),
            _ => string.Join('/', parts),
        };
    }

    private static void AssertInvariants(XenStore store)
    {
        var state = store.Capture();
        var counted = state.Nodes.GroupBy(n => n.Permissions[0].Domain).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(counted.OrderBy(kv => kv.Key.Value), store.NodesOwned.OrderBy(kv => kv.Key.Value));
        foreach (var node in state.Nodes.Skip(1))
        {
            Assert.Contains(state.Nodes, n => n.Path == StorePath.Parent(node.Path));
        }

        var again = XenStore.Restore(XenStoreState.FromSection(state.ToSection()), store.Quotas).Capture();
        Assert.Equal(Describe(state), Describe(again));
    }

    private static string Describe(XenStoreState state) => string.Join('\n',
        state.Nodes.Select(n => $"{n.Path}={Convert.ToHexString(n.Value)}:{string.Join(',', n.Permissions.Select(p => p.ToWire()))}@{n.Generation}")
            .Concat(state.Watches.Select(w => $"watch {w}"))
            .Concat(state.PendingEvents.Select(e => $"event {e}"))
            .Concat(state.OpenTransactions.Select(t => $"tx {t}")));
}
