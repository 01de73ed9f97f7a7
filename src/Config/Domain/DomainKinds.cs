namespace ActorVisor.Config.Domain;

/// <summary>How a guest is virtualized. ActorVisor runs PV guests; the others are recognised so that an xl.cfg that names them gets a clear error.</summary>
public enum DomainType
{
    Pv,
    Pvh,
    Hvm,
}

/// <summary>What happens to a domain when it powers off, reboots or crashes (xl's on_poweroff, on_reboot, on_crash).</summary>
public enum LifecycleAction
{
    /// <summary>The domain is destroyed and its resources freed.</summary>
    Destroy,

    /// <summary>The domain is destroyed and built again from the same configuration.</summary>
    Restart,

    /// <summary>The domain is kept, stopped, for inspection.</summary>
    Preserve,

    /// <summary>The old domain is kept under a new name and a fresh one is started.</summary>
    RenameRestart,

    /// <summary>A core dump is written, then the domain is destroyed.</summary>
    CoredumpDestroy,

    /// <summary>A core dump is written, then the domain is restarted.</summary>
    CoredumpRestart,

    /// <summary>The guest is reset without rebuilding its memory.</summary>
    SoftReset,
}

/// <summary>Words for <see cref="LifecycleAction"/> in both xl.cfg (underscores) and HOCON (dashes) spelling.</summary>
public static class LifecycleActions
{
    public static IReadOnlyDictionary<string, LifecycleAction> Words { get; } = new Dictionary<string, LifecycleAction>(StringComparer.Ordinal)
    {
        ["destroy"] = LifecycleAction.Destroy,
        ["restart"] = LifecycleAction.Restart,
        ["preserve"] = LifecycleAction.Preserve,
        ["rename-restart"] = LifecycleAction.RenameRestart,
        ["coredump-destroy"] = LifecycleAction.CoredumpDestroy,
        ["coredump-restart"] = LifecycleAction.CoredumpRestart,
        ["soft-reset"] = LifecycleAction.SoftReset,
    };
}
