namespace ActorVisor.Hypervisor.Store;

/// <summary>
/// Why a XenStore request was refused, seen from the client's side. On the wire each becomes an
/// ERROR reply carrying the errno name (see <see cref="StoreErrors.WireName"/>).
/// </summary>
public enum StoreError
{
    None = 0,

    /// <summary>ENOENT: the node, watch or transaction does not exist.</summary>
    NoEntry,

    /// <summary>EACCES: the caller's permissions on the node do not allow the operation.</summary>
    AccessDenied,

    /// <summary>EINVAL: a malformed path, argument or message.</summary>
    Invalid,

    /// <summary>EAGAIN: the transaction conflicted with another change and must be retried.</summary>
    Again,

    /// <summary>EEXIST: the watch (path and token) is already registered.</summary>
    Exists,

    /// <summary>ENOSPC: a per-domain quota (nodes, value size, transactions) would be exceeded.</summary>
    NoSpace,

    /// <summary>E2BIG: a reply or the caller's watch count would be too large.</summary>
    TooBig,

    /// <summary>EPERM: only the control domain (or the owner) may do this.</summary>
    NotPermitted,

    /// <summary>EBUSY: a transaction was started inside a transaction.</summary>
    Busy,

    /// <summary>ENOSYS: a message type this store does not implement.</summary>
    NotImplemented,
}

/// <summary>The errno names XenStore puts in ERROR replies.</summary>
public static class StoreErrors
{
    public static string WireName(this StoreError error) => error switch
    {
        StoreError.NoEntry => "ENOENT",
        StoreError.AccessDenied => "EACCES",
        StoreError.Invalid => "EINVAL",
        StoreError.Again => "EAGAIN",
        StoreError.Exists => "EEXIST",
        StoreError.NoSpace => "ENOSPC",
        StoreError.TooBig => "E2BIG",
        StoreError.NotPermitted => "EPERM",
        StoreError.Busy => "EBUSY",
        StoreError.NotImplemented => "ENOSYS",
        _ => "EIO",
    };
}
