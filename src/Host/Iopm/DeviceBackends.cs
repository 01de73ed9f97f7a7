namespace ActorVisor.Host.Iopm;

/// <summary>
/// The host's back-ends by device class. The block and network back-ends (src/Devices/Block and
/// src/Devices/Net) are not part of this build yet: a disk or vif is refused with that reason, so a
/// domain that needs one is not built rather than built without it.
/// </summary>
public static class DeviceBackends
{
    public static DeviceBackendResult Create(DevicePlan plan, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return DeviceBackendResult.Refused($"{plan.FrontendName}: this build has no {plan.Key.ClassName} back-end yet");
    }
}
