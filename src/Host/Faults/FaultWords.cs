using ActorVisor.Config.Faults;
using ActorVisor.Devices.Faults;

namespace ActorVisor.Host.Faults;

/// <summary>The fault grammar's words (src/Config/Faults) as the device layer's effects and points (src/Devices/Faults): one row each.</summary>
public static class FaultWords
{
    public static FaultEffect Effect(FaultRuleEffect effect) => effect switch
    {
        FaultRuleEffect.Crash => FaultEffect.Crash,
        FaultRuleEffect.Hang => FaultEffect.Hang,
        FaultRuleEffect.IoError => FaultEffect.IoError,
        FaultRuleEffect.NoSpace => FaultEffect.NoSpace,
        FaultRuleEffect.ShortWrite => FaultEffect.ShortWrite,
        FaultRuleEffect.Delay => FaultEffect.Delay,
        FaultRuleEffect.Drop => FaultEffect.Drop,
        _ => throw new ArgumentOutOfRangeException(nameof(effect), effect, "not a word of the fault grammar"),
    };

    public static FaultPoint Point(FaultRulePoint point) => point switch
    {
        FaultRulePoint.Taken => FaultPoint.RequestTaken,
        FaultRulePoint.BeforeData => FaultPoint.BeforeData,
        FaultRulePoint.AfterData => FaultPoint.AfterData,
        FaultRulePoint.Response => FaultPoint.ResponsePushed,
        FaultRulePoint.HostRead => FaultPoint.HostRead,
        FaultRulePoint.HostWrite => FaultPoint.HostWrite,
        FaultRulePoint.Flush => FaultPoint.HostFlush,
        FaultRulePoint.NotifyFrontend => FaultPoint.NotifyFrontend,
        FaultRulePoint.NotifyBackend => FaultPoint.NotifyBackend,
        _ => throw new ArgumentOutOfRangeException(nameof(point), point, "not a word of the fault grammar"),
    };
}
