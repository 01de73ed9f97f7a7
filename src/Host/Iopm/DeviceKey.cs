using System.Globalization;
using ActorVisor.Devices.Backends;

namespace ActorVisor.Host.Iopm;

/// <summary>One split device of one front-end domain: its class, the front-end's id and the device id (the vbd number, the vif index).</summary>
public readonly record struct DeviceKey(DeviceClass Class, int Frontend, int DevId)
{
    /// <summary>The class as XenStore names it: vbd, vif, console.</summary>
    public string ClassName => Class switch
    {
        DeviceClass.Vbd => "vbd",
        DeviceClass.Vif => "vif",
        _ => "console",
    };

    /// <summary>The front-end's directory: /local/domain/&lt;fe&gt;/device/&lt;class&gt;/&lt;devid&gt;.</summary>
    public string FrontendPath => string.Create(CultureInfo.InvariantCulture, $"/local/domain/{Frontend}/device/{ClassName}/{DevId}");

    /// <summary>The back-end's directory in back-end domain <paramref name="backend"/>: /local/domain/&lt;be&gt;/backend/&lt;class&gt;/&lt;fe&gt;/&lt;devid&gt;.</summary>
    public string BackendPath(int backend) => string.Create(CultureInfo.InvariantCulture, $"/local/domain/{backend}/backend/{ClassName}/{Frontend}/{DevId}");

    /// <summary>A name usable as an actor name and a watch token.</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"{ClassName}-{Frontend}-{DevId}");

    public override string ToString() => Name;
}
