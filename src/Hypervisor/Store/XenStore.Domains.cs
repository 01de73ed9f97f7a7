using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Store;

/// <summary>
/// Domains known to the store. The control domain introduces a domain once its store ring is
/// set up (INTRODUCE) and releases it when it is destroyed (RELEASE); both fire the special
/// watches. Releasing drops the domain's watches, transactions and undelivered events.
/// </summary>
public sealed partial class XenStore
{
    private readonly SortedSet<ushort> _introduced = [];

    public bool IsIntroduced(DomId domain) => _introduced.Contains(domain.Value);

    public StoreError IntroduceDomain(DomId caller, DomId domain)
    {
        if (caller != DomId.Dom0)
        {
            return StoreError.AccessDenied;
        }

        if (!domain.IsRealDomain)
        {
            return StoreError.Invalid;
        }

        if (_introduced.Add(domain.Value))
        {
            FireSpecial(StorePath.IntroduceDomain);
        }

        return StoreError.None;
    }

    public StoreError ReleaseDomain(DomId caller, DomId domain)
    {
        if (caller != DomId.Dom0)
        {
            return StoreError.AccessDenied;
        }

        if (!_introduced.Remove(domain.Value))
        {
            return StoreError.NoEntry;
        }

        _watches.RemoveAll(w => w.Owner == domain);
        DropTransactionsOf(domain);
        _pending.Remove(domain);
        FireSpecial(StorePath.ReleaseDomain);
        return StoreError.None;
    }
}
