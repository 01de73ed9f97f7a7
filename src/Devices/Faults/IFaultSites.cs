namespace ActorVisor.Devices.Faults;

/// <summary>
/// The run's fault plan, handed to every IOPM: the site of each device, by IOPM name and device name
/// (the device actor's name, e.g. <c>vbd-3-51712</c>, <c>vif-4-0</c>). A run without faults uses
/// <see cref="NoFaultSites"/>. The empty device name <c>""</c> names the IOPM's own site (a crash or
/// hang of the whole IOPM, not of one back-end).
/// </summary>
public interface IFaultSites
{
    IFaultSite For(string iopm, string device);
}

public sealed class NoFaultSites : IFaultSites
{
    public static readonly NoFaultSites Instance = new();

    private NoFaultSites()
    {
    }

    public IFaultSite For(string iopm, string device) => NoFaults.Instance;
}
