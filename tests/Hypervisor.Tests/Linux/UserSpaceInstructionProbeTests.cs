using Xunit;

namespace ActorVisor.Hypervisor.Tests.Linux;

public sealed class UserSpaceInstructionProbeTests
{
    [Fact]
    public void The_cpu_executes_the_first_sse_forms_debian_busybox_runs()
    {
        Assert.Null(UserSpaceInstructionProbe.FirstMissing);
    }

    [Fact]
    public void The_probe_sees_an_instruction_the_cpu_does_not_execute()
    {
        // VZEROUPPER (AVX) has no handler: the probe must report it rather than pass everything.
        Assert.False(UserSpaceInstructionProbe.Executes([0xC5, 0xF8, 0x77]));
        Assert.True(UserSpaceInstructionProbe.Executes([0x90]));
    }
}
