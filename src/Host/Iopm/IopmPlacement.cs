using ActorVisor.Config.Scenario;
using ActorVisor.Devices.Backends;

namespace ActorVisor.Host.Iopm;

/// <summary>
/// Which IOPM serves a new device: the one its spec names with <c>backend=</c> (it must serve the
/// device's class), otherwise the least loaded of those that serve the class: fewest notifications
/// queued and not yet serviced, then fewest devices of the same class (so that disks spread over
/// the IOPMs as vifs do), then fewest devices, then the first configured. An IOPM retired after too
/// many restarts gets no device: one that names it goes to the least loaded of the others.
/// </summary>
public static class IopmPlacement
{
    /// <summary>The chosen IOPM, or null with the reason.</summary>
    public static IopmSlot? Choose(IReadOnlyList<IopmSlot> iopms, DeviceClass deviceClass, string? requested, out string? error)
    {
        ArgumentNullException.ThrowIfNull(iopms);
        error = null;
        var kind = KindOf(deviceClass);
        if (requested is not null)
        {
            var named = iopms.FirstOrDefault(i => i.Spec.Name == requested);
            if (named is null)
            {
                error = $"backend={requested} names no IOPM (there are: {string.Join(", ", iopms.Select(i => i.Spec.Name))})";
                return null;
            }

            if (!named.Serves(kind))
            {
                error = $"IOPM {requested} does not serve {kind.ToString().ToLowerInvariant()} back-ends";
                return null;
            }

            if (!named.Retired)
            {
                return named;
            }
        }

        // A retired IOPM (replaced after too many restarts) is given nothing more: its devices go to the others.
        IopmSlot? best = null;
        foreach (var iopm in iopms.Where(i => i.Serves(kind) && !i.Retired))
        {
            if (best is null || Lighter(iopm, best, kind))
            {
                best = iopm;
            }
        }

        if (best is null)
        {
            error = $"no IOPM serves {kind.ToString().ToLowerInvariant()} back-ends";
        }

        return best;
    }

    private static bool Lighter(IopmSlot a, IopmSlot b, BackendKind kind)
    {
        if (a.Context.Load.Queued != b.Context.Load.Queued)
        {
            return a.Context.Load.Queued < b.Context.Load.Queued;
        }

        return a.AssignedOf(kind) != b.AssignedOf(kind) ? a.AssignedOf(kind) < b.AssignedOf(kind) : a.Assigned < b.Assigned;
    }

    public static BackendKind KindOf(DeviceClass deviceClass) => deviceClass switch
    {
        DeviceClass.Vbd => BackendKind.Block,
        DeviceClass.Vif => BackendKind.Net,
        _ => BackendKind.Console,
    };
}
