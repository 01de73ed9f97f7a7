using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Tests.Hypercalls;

namespace ActorVisor.Hypervisor.Tests.Pv;

/// <summary>
/// Runs a few hand-assembled instructions in guest kernel mode on a <see cref="HypercallFixture"/>
/// domain: the bytes go into the free slack after the boot stack and RIP points at them.
/// </summary>
internal static class GuestCode
{
    public const int RegRax = 0;
    public const int RegRcx = 1;
    public const int RegRdx = 2;

    /// <summary>Where the code is placed: past the hypercall fixture's argument scratch area.</summary>
    public static ulong CodeAddress(HypercallFixture f) => f.Scratch + 0x800;

    /// <summary>Places <paramref name="code"/> and runs exactly <paramref name="instructions"/> instructions (or until the domain stops).</summary>
    public static SliceResult Run(HypercallFixture f, byte[] code, int instructions)
    {
        ulong at = CodeAddress(f);
        f.Write(at, code);
        f.Vcpu.Cpu.Rip = at;
        return f.Vcpu.RunSlice(instructions);
    }

    /// <summary>Sets the virtual IOPL with PHYSDEVOP_set_iopl and checks that Xen accepted it.</summary>
    public static void SetIopl(HypercallFixture f, uint iopl)
    {
        f.WriteU32(f.Scratch, iopl);
        Assert.Equal(0, f.Call(ActorVisor.Abi.HypercallNumber.PhysdevOp, (ulong)ActorVisor.Abi.PhysdevOp.SetIopl, f.Scratch));
    }
}
