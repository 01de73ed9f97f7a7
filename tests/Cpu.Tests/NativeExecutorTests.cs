using ActorVisor.Cpu.Tests.Support;
using Xunit;

namespace ActorVisor.Cpu.Tests;

public sealed class NativeExecutorTests
{
    [Fact]
    public void Native_stub_runs_an_add_and_returns_registers_and_flags()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        using var native = new NativeExecutor();
        native.Slots[0] = 5;
        native.Slots[1] = ulong.MaxValue - 4;
        native.Slots[16] = 2;
        native.Execute([0x48, 0x01, 0xC8]);
        Assert.Equal(0UL, native.Slots[0]);
        Assert.Equal(ulong.MaxValue - 4, native.Slots[1]);
        Assert.Equal(0x55UL, native.Slots[16] & 0x8D5);
    }

    [Fact]
    public void Native_stub_loads_and_stores_xmm_registers()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        using var native = new NativeExecutor();
        native.Xmm[2] = 5;
        native.Xmm[3] = 7;
        native.Xmm[4] = 10;
        native.Xmm[5] = ulong.MaxValue;
        native.Slots[16] = 2;
        native.Execute([0x66, 0x0F, 0xD4, 0xCA]);
        Assert.Equal(15UL, native.Xmm[2]);
        Assert.Equal(6UL, native.Xmm[3]);
        Assert.Equal(10UL, native.Xmm[4]);
    }
}
