namespace ActorVisor.Hypervisor.Tests.Linux;

public class UserSpaceInstructionProbeTests
{
    [Fact]
    public void The_probe_sees_an_implemented_instruction_run_to_its_hlt_and_an_undefined_opcode_stop_before()
    {
        Assert.True(UserSpaceInstructionProbe.Executes([0x48, 0x01, 0xC3])); // add %rax,%rbx
        Assert.False(UserSpaceInstructionProbe.Executes([0x0F, 0x0B])); // ud2
    }
}
