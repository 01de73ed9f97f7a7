namespace ActorVisor.Devices.Net;

/// <summary>
/// The host's virtual switches by bridge name, made on first use: every vif whose spec names the
/// same bridge (or none, meaning <see cref="DefaultName"/>) shares one <see cref="VirtualSwitch"/>.
/// Thread-safe.
/// </summary>
public sealed class Bridges(int macTableLimit = 1024, TimeProvider? clock = null)
{
    /// <summary>xl's default bridge name.</summary>
    public const string DefaultName = "xenbr0";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, VirtualSwitch> _switches = new(StringComparer.Ordinal);

    public VirtualSwitch For(string? bridgeName)
    {
        var name = string.IsNullOrEmpty(bridgeName) ? DefaultName : bridgeName;
        lock (_lock)
        {
            if (!_switches.TryGetValue(name, out var bridge))
            {
                bridge = new VirtualSwitch(name, macTableLimit, clock);
                _switches[name] = bridge;
            }
            return bridge;
        }
    }

    public IReadOnlyList<VirtualSwitch> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _switches.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];
            }
        }
    }
}
