using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Xunit;

namespace ActorVisor.Cpu.Tests.Support;

/// <summary>Instruction-set extensions a differential test needs the host processor to have.</summary>
[Flags]
public enum HostFeature
{
    None = 0,
    Ssse3 = 1 << 0,
    Sse41 = 1 << 1,
    Sse42 = 1 << 2,
    Popcnt = 1 << 3,
    Lzcnt = 1 << 4,
    Bmi1 = 1 << 5,
    Bmi2 = 1 << 6,
    Movbe = 1 << 7,
}

/// <summary>
/// A fact that runs only on a Linux x86-64 host whose processor has the given features (the differential
/// suites execute instructions natively); anywhere else it is reported as skipped, with the reason.
/// </summary>
public sealed class HostProcessorFactAttribute : FactAttribute
{
    public HostProcessorFactAttribute(HostFeature required = HostFeature.None)
    {
        var missing = MissingReason(required);
        if (missing is not null)
        {
            Skip = missing;
        }
    }

    /// <summary>Null when the host can run the test natively, else why it cannot.</summary>
    public static string? MissingReason(HostFeature required)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return $"the host is {RuntimeInformation.OSDescription} on {RuntimeInformation.ProcessArchitecture}, not Linux x86-64";
        }
        var absent = Enum.GetValues<HostFeature>().Where(f => f != HostFeature.None && required.HasFlag(f) && !Has(f)).ToList();
        return absent.Count == 0 ? null : $"the host processor lacks {string.Join(", ", absent)}";
    }

    private static bool Has(HostFeature feature) => feature switch
    {
        HostFeature.Ssse3 => Ssse3.IsSupported,
        HostFeature.Sse41 => Sse41.IsSupported,
        HostFeature.Sse42 => Sse42.IsSupported,
        HostFeature.Popcnt => Popcnt.IsSupported,
        HostFeature.Lzcnt => Lzcnt.IsSupported,
        HostFeature.Bmi1 => Bmi1.IsSupported,
        HostFeature.Bmi2 => Bmi2.IsSupported,
        HostFeature.Movbe => X86Base.IsSupported && ((X86Base.CpuId(1, 0).Ecx >> 22) & 1) != 0,
        _ => false,
    };
}
