using ActorVisor.Cpu.Tests.Support;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace ActorVisor.Cpu.Tests;

/// <summary>The decoded-block cache keeps blocks whose direct-mapped slots collide.</summary>
public sealed class BlockCacheTests
{
    [Fact]
    public void Two_hot_blocks_in_the_same_slot_are_decoded_once_each_not_on_every_visit()
    {
        // The loop's first block (0x10800) and the callee (0x11801) map to the same slot of the
        // direct-mapped table; INVLPG on every iteration drops the chain links, so each visit looks its
        // block up through the table.
        const ulong Loop = 0x10800;
        const ulong Callee = 0x11801;
        using var m = new Machine();
        m.Memory.Bytes(Callee, 1)[0] = 0xC3; // ret
        m.Load(a =>
        {
            var top = a.CreateLabel();
            a.Label(ref top);
            a.invlpg(__[rbx]);
            a.call(Callee);
            a.dec(ecx);
            a.jnz(top);
            a.hlt();
        }, Loop);
        m.Cpu.SetGpr(1, 200);
        m.Cpu.SetGpr(3, Machine.DataAddress);

        var run = m.Cpu.Run(100_000);

        Assert.Equal(StopReason.Halted, run.Reason);
        Assert.Equal(0ul, m.Cpu.GetGpr(1));
        Assert.True(m.Cpu.BlocksDecoded < 20, $"{m.Cpu.BlocksDecoded} blocks decoded for 200 iterations of a 4-block loop");
    }
}
