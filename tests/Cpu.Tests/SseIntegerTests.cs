using ActorVisor.Cpu.Tests.Support;
using Iced.Intel;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace ActorVisor.Cpu.Tests;

/// <summary>The packed-integer and integer-extension rules the host harness cannot observe: MMX aliasing of the x87 state, VEX acceptance, CR0 checks and CMPXCHG16B atomicity.</summary>
public sealed class SseIntegerTests
{
    private const ulong Data = Machine.DataAddress;

    [Fact]
    public void An_MMX_instruction_sets_TOP_zero_all_tags_valid_and_the_exponent_to_ones_and_EMMS_empties_the_tags()
    {
        using var m = new Machine();
        m.Memory.Write64(Data, 0x0102030405060708);
        m.Load(a =>
        {
            a.fninit();
            a.fld1();
            a.fld1();
            a.movq(mm3, __qword_ptr[Data]);
            a.paddb(mm3, mm3);
            a.hlt();
        });
        Assert.Equal(StopReason.Halted, m.Cpu.Run(100).Reason);
        var state = m.Cpu.Capture();
        Assert.Equal(0, (state.FpuStatus >> 11) & 7);
        Assert.Equal(0xFF, state.FpuValid);
        Assert.Equal(0x020406080A0C0E10UL, state.FpuMantissas[3]);
        Assert.Equal(0xFFFF, state.FpuSignExponents[3]);
        Assert.Equal((0x020406080A0C0E10UL, (ushort)0xFFFF), m.Cpu.GetSt(3));
        m.Load(a =>
        {
            a.emms();
            a.hlt();
        });
        Assert.Equal(StopReason.Halted, m.Cpu.Run(100).Reason);
        Assert.Equal(0, m.Cpu.Capture().FpuValid);
    }

    [Theory]
    [InlineData(1UL << 2, ExceptionVector.InvalidOpcode)]
    [InlineData(1UL << 3, ExceptionVector.DeviceNotAvailable)]
    public void MMX_forms_fault_with_CR0_EM_or_TS_set(ulong cr0Bit, byte vector)
    {
        using var m = new Machine();
        m.Cpu.SetControlRegister(0, 0x80010033 | cr0Bit);
        m.Load(a =>
        {
            a.paddb(mm1, mm2);
            a.hlt();
        });
        m.Cpu.Run(10);
        Assert.Equal(vector, Assert.Single(m.Sink.Events).Vector);
        Assert.Equal(Machine.CodeAddress, m.Cpu.Rip);
    }

    [Fact]
    public void VEX_forms_other_than_BMI_raise_UD_and_BMI_forms_run()
    {
        using var m = new Machine();
        m.Load(a =>
        {
            a.mov(rax, 0xF0);
            a.mov(rbx, 0x3C);
            a.andn(rcx, rax, rbx);
            a.vpxor(xmm0, xmm0, xmm0);
            a.hlt();
        });
        m.Cpu.Run(10);
        Assert.Equal(0x0CUL, m.Cpu.GetGpr(1));
        Assert.Equal(ExceptionVector.InvalidOpcode, Assert.Single(m.Sink.Events).Vector);
        Assert.Contains(m.Log, line => line.Contains("vpxor", StringComparison.Ordinal));
    }

    [Fact]
    public void Cmpxchg16b_on_one_cpu_and_lock_inc_of_its_low_half_on_another_lose_no_update()
    {
        const ulong Pair = 0x30000;
        const int Rounds = 100000;
        using var m = new Machine();
        var second = m.AddCpu(new TestSink());
        const ulong OtherCode = Machine.CodeAddress + 0x800;
        m.Load(a =>
        {
            var top = a.CreateLabel();
            a.mov(esi, Rounds);
            a.Label(ref top);
            a.@lock.inc(__qword_ptr[Pair]);
            a.dec(esi);
            a.jnz(top);
            a.hlt();
        }, OtherCode);
        m.Load(a =>
        {
            var top = a.CreateLabel();
            var retry = a.CreateLabel();
            a.mov(esi, Rounds);
            a.Label(ref top);
            a.mov(rax, __qword_ptr[Pair]);
            a.mov(rdx, __qword_ptr[Pair + 8]);
            a.Label(ref retry);
            a.lea(rbx, __qword_ptr[rax + 1]);
            a.lea(rcx, __qword_ptr[rdx + 1]);
            a.@lock.cmpxchg16b(__xmmword_ptr[Pair]);
            a.jnz(retry);
            a.dec(esi);
            a.jnz(top);
            a.hlt();
        });
        second.Rip = OtherCode;
        second.SetGpr(4, Machine.StackTop - 0x2000);
        var other = new Thread(() => second.Run(50_000_000));
        other.Start();
        var mine = m.Cpu.Run(50_000_000);
        other.Join();
        Assert.Equal(StopReason.Halted, mine.Reason);
        Assert.True(second.Halted);
        Assert.Equal(2UL * Rounds, m.Memory.Read64(Pair));
        Assert.Equal((ulong)Rounds, m.Memory.Read64(Pair + 8));
    }

    [Fact]
    public void Cmpxchg16b_of_a_misaligned_operand_raises_GP0()
    {
        using var m = new Machine();
        m.Load(a =>
        {
            a.@lock.cmpxchg16b(__xmmword_ptr[Data + 8]);
            a.hlt();
        });
        m.Cpu.Run(10);
        var e = Assert.Single(m.Sink.Events);
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(0u, e.ErrorCode);
    }
}
