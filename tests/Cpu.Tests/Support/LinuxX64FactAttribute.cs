using System.Runtime.InteropServices;
using Xunit;

namespace ActorVisor.Cpu.Tests.Support;

/// <summary>A fact that runs native code on the host processor: skipped, with the reason, unless the host is Linux on x86-64.</summary>
public sealed class LinuxX64FactAttribute : FactAttribute
{
    public LinuxX64FactAttribute()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            Skip = $"needs the host processor on Linux x86-64 (this host: {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture})";
        }
    }
}
