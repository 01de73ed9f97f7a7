using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Tests.Hypercalls;

namespace ActorVisor.Hypervisor.Tests.Pv;

/// <summary>
/// VCPUOP_register_vcpu_time_memory_area through the hypercall path: the registered copy of
/// vcpu_time_info is written at once and on every time update, equal to the master copy in
/// vcpu_info (even version, TSC-stable flag, the clock's scale), and stops when unregistered.
/// </summary>
public class VcpuTimeMemoryAreaTests
{
    private const ulong ArgumentOffset = 0;
    private const ulong AreaOffset = 0x100;

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void The_registered_copy_equals_vcpu_info_time_at_once_and_after_each_update(string arch)
    {
        using var f = new HypercallFixture(arch);
        ulong area = f.Scratch + AreaOffset;
        f.Write(area, new byte[VcpuTimeInfoLayout.Size]);
        f.Domain.Clock.IdleUntil(123_456);

        Assert.Equal(0, Register(f, area, arch));

        byte[] copy = ReadArea(f, area);
        Assert.Equal(Master(f), copy);
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(copy);
        Assert.True(version != 0 && (version & 1) == 0, $"version {version} is not a finished update");
        Assert.Equal(VcpuTimeInfoLayout.FlagTscStable, copy[VcpuTimeInfoLayout.Flags] & VcpuTimeInfoLayout.FlagTscStable);
        Assert.Equal(123_456ul, BinaryPrimitives.ReadUInt64LittleEndian(copy.AsSpan(VcpuTimeInfoLayout.SystemTime)));

        f.Domain.Clock.IdleUntil(9_000_000);
        f.Vcpu.RunSlice(1);

        byte[] later = ReadArea(f, area);
        Assert.Equal(Master(f), later);
        Assert.Equal(version + 2, BinaryPrimitives.ReadUInt32LittleEndian(later));
        Assert.True(BinaryPrimitives.ReadUInt64LittleEndian(later.AsSpan(VcpuTimeInfoLayout.SystemTime)) >= 9_000_000ul);
    }

    [Fact]
    public void Registering_address_zero_stops_the_updates()
    {
        using var f = new HypercallFixture();
        ulong area = f.Scratch + AreaOffset;
        Assert.Equal(0, Register(f, area, "x86_64"));
        byte[] before = ReadArea(f, area);

        Assert.Equal(0, Register(f, 0, "x86_64"));
        f.Domain.Clock.IdleUntil(50_000_000);
        f.Vcpu.RunSlice(1);

        Assert.Equal(0ul, f.Vcpu.TimeMemoryAreaVa);
        Assert.Equal(before, ReadArea(f, area));
        Assert.NotEqual(before, Master(f));
    }

    [Fact]
    public void An_area_in_the_hypervisor_hole_or_an_unreadable_argument_is_a_fault()
    {
        using var f = new HypercallFixture();

        Assert.Equal(XenErrno.Fault.ToReturnValue(), Register(f, HypervisorLayout.VirtStart64 + 0x1000, "x86_64"));
        Assert.Equal(XenErrno.Fault.ToReturnValue(), f.Call(HypercallNumber.VcpuOp, (ulong)VcpuOp.RegisterVcpuTimeMemoryArea, 0, 0xFFFF_FFFF_FFFF_0000));
        Assert.Equal(0ul, f.Vcpu.TimeMemoryAreaVa);
    }

    private static long Register(HypercallFixture f, ulong area, string arch)
    {
        ulong argument = f.Scratch + ArgumentOffset;
        if (arch == "x86_64")
        {
            f.WriteU64(argument, area);
        }
        else
        {
            f.WriteU32(argument, (uint)area);
        }

        return f.Call(HypercallNumber.VcpuOp, (ulong)VcpuOp.RegisterVcpuTimeMemoryArea, 0, argument);
    }

    private static byte[] ReadArea(HypercallFixture f, ulong area)
    {
        var bytes = new byte[VcpuTimeInfoLayout.Size];
        Assert.True(f.Vcpu.GuestMemory.TryRead(area, bytes));
        return bytes;
    }

    private static byte[] Master(HypercallFixture f) =>
        f.Domain.SharedInfo.VcpuInfo(0).Slice(f.Domain.SharedInfo.VcpuLayout.Time, VcpuTimeInfoLayout.Size).ToArray();
}
