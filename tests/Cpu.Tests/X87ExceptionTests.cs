using ActorVisor.Cpu.Tests.Support;
using Iced.Intel;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace ActorVisor.Cpu.Tests;

/// <summary>x87 exception flags, unmasked-exception delivery (#MF) and the partial-remainder and range rules of the manuals.</summary>
public sealed class X87ExceptionTests
{
    private const ulong Data = Machine.DataAddress;

    private static ushort Status(Machine m, ulong offset = 0) => BitConverter.ToUInt16(m.Memory.Bytes(Data + offset, 2));

    [Fact]
    public void Unmasked_divide_by_zero_sets_ES_and_B_and_the_next_waiting_instruction_raises_MF_on_itself()
    {
        using var m = new Machine();
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 64, 2), (ushort)0x037B);
        var code = m.Load(a =>
        {
            a.fninit();
            a.fldcw(__word_ptr[Data + 64]);
            a.fld1();
            a.fldz();
            a.fdivp(st1, st0);
            a.fnstsw(__word_ptr[Data]);
            a.fld1();
            a.hlt();
        });
        var r = m.Cpu.Run(100);
        Assert.Equal(StopReason.SinkRequested, r.Reason);
        var mf = Assert.Single(m.Sink.Events);
        Assert.Equal(ExceptionVector.FloatingPoint, mf.Vector);
        Assert.Equal(0x8084, Status(m) & 0x80FF);
        Assert.Equal(Machine.CodeAddress + (ulong)code.Length - 3, m.Cpu.Rip);
        Assert.Equal((0x8000000000000000UL, (ushort)0x3FFF), m.Cpu.GetSt(1));
        Assert.Equal((0UL, (ushort)0), m.Cpu.GetSt(0));
    }

    [Fact]
    public void Fwait_raises_MF_for_a_pending_exception_and_fnclex_clears_it()
    {
        using var m = new Machine();
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 64, 2), (ushort)0x037E);
        m.Load(a =>
        {
            a.fninit();
            a.fldcw(__word_ptr[Data + 64]);
            a.fldz();
            a.fsqrt();
            a.fld1();
            a.fchs();
            a.fsqrt();
            a.fnclex();
            a.wait();
            a.fnstsw(__word_ptr[Data]);
            a.wait();
            a.fld1();
            a.fchs();
            a.fsqrt();
            a.wait();
            a.hlt();
        });
        var r = m.Cpu.Run(100);
        Assert.Equal(StopReason.SinkRequested, r.Reason);
        Assert.Equal(0, Status(m) & 0x80FF);
        Assert.Equal(ExceptionVector.FloatingPoint, Assert.Single(m.Sink.Events).Vector);
    }

    [Fact]
    public void With_CR0_NE_clear_a_pending_exception_does_not_raise_MF()
    {
        using var m = new Machine();
        m.Cpu.SetControlRegister(0, m.Cpu.Capture().Cr0 & ~0x20UL);
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 64, 2), (ushort)0x037B);
        m.Load(a =>
        {
            a.fninit();
            a.fldcw(__word_ptr[Data + 64]);
            a.fld1();
            a.fldz();
            a.fdivp(st1, st0);
            a.wait();
            a.fnstsw(__word_ptr[Data]);
            a.hlt();
        });
        var r = m.Cpu.Run(100);
        Assert.Equal(StopReason.Halted, r.Reason);
        Assert.DoesNotContain(m.Sink.Events, e => e.Kind == CpuEventKind.Exception);
        Assert.Equal(0x8084, Status(m) & 0x80FF);
    }

    [Fact]
    public void Unmasking_a_pending_flag_with_fldcw_sets_ES()
    {
        using var m = new Machine();
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 64, 2), (ushort)0x035F);
        m.Load(a =>
        {
            a.fninit();
            a.fld1();
            a.fldl2t();
            a.fdivp(st1, st0);
            a.fnstsw(__word_ptr[Data]);
            a.fldcw(__word_ptr[Data + 64]);
            a.fnstsw(__word_ptr[Data + 2]);
            a.hlt();
        });
        Assert.Equal(StopReason.Halted, m.Cpu.Run(100).Reason);
        Assert.Equal(0x20, Status(m) & 0x80FF);
        Assert.Equal(0x80A0, Status(m, 2) & 0x80FF);
    }

    [Theory]
    [InlineData(0x3FFF, 0x8000000000000000UL, 0x4000, 0xC000000000000000UL, 0x0000)]
    [InlineData(0x0001, 0x8000000000000001UL, 0x3FFE, 0x8000000000000000UL, 0x0030)]
    [InlineData(0x0000, 0x0000000000000001UL, 0x3FFF, 0x8000000000000000UL, 0x0002)]
    [InlineData(0x7FFE, 0xFFFFFFFFFFFFFFFFUL, 0x3FFF, 0xC000000000000000UL, 0x0028)]
    public void Multiplication_reports_precision_underflow_overflow_and_denormal(int e1, ulong m1, int e2, ulong m2, int flags)
    {
        using var m = new Machine();
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 16, 8), m1);
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 24, 2), (ushort)e1);
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 32, 8), m2);
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 40, 2), (ushort)e2);
        m.Load(a =>
        {
            a.fninit();
            a.fld(__tword_ptr[Data + 16]);
            a.fld(__tword_ptr[Data + 32]);
            a.fmulp(st1, st0);
            a.fnstsw(__word_ptr[Data]);
            a.hlt();
        });
        Assert.Equal(StopReason.Halted, m.Cpu.Run(100).Reason);
        Assert.Equal(flags, Status(m) & 0x3F);
    }

    [Fact]
    public void Fprem_with_an_exponent_difference_of_64_or_more_reduces_to_a_multiple_of_32_and_sets_C2()
    {
        // 1.5 × 2^100 rem 1.25: D = 100, N = 32 + 100 mod 32 = 36, so the step removes a multiple of 1.25 × 2^64,
        // leaving 1.5 × 2^100 - trunc(1.2 × 2^36) × 1.25 × 2^64 = 0.2 × 1.25 × 2^64 = 2^62 (what the host computes).
        using var m = new Machine();
        m.Load(a =>
        {
            a.fninit();
            a.fld(__tword_ptr[Data + 32]);
            a.fld(__tword_ptr[Data + 16]);
            a.fprem();
            a.fnstsw(__word_ptr[Data]);
            a.hlt();
        });
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 16, 8), 0xC000000000000000UL);
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 24, 2), (ushort)(0x3FFF + 100));
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 32, 8), 0xA000000000000000UL);
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 40, 2), (ushort)0x3FFF);
        Assert.Equal(StopReason.Halted, m.Cpu.Run(100).Reason);
        Assert.Equal(0x0400, Status(m) & 0x4700);
        Assert.Equal((0x8000000000000000UL, (ushort)(0x3FFF + 62)), m.Cpu.GetSt(0));
    }

    [Fact]
    public void Fsin_of_2_pow_63_sets_C2_and_leaves_the_argument_and_of_double_pi_shows_the_66_bit_reduction()
    {
        using var m = new Machine();
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 16, 8), 0x8000000000000000UL);
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 24, 2), (ushort)(0x3FFF + 63));
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 32, 8), Math.PI);
        m.Load(a =>
        {
            a.fninit();
            a.fld(__tword_ptr[Data + 16]);
            a.fsin();
            a.fnstsw(__word_ptr[Data]);
            a.fld(__qword_ptr[Data + 32]);
            a.fsin();
            a.fnstsw(__word_ptr[Data + 2]);
            a.hlt();
        });
        Assert.Equal(StopReason.Halted, m.Cpu.Run(100).Reason);
        Assert.Equal(0x0400, Status(m) & 0x0400);
        Assert.Equal((0x8000000000000000UL, (ushort)(0x3FFF + 63)), m.Cpu.GetSt(1));
        // double(pi) - pi66 = 564.75 × 2^-62 exactly; sin of it rounds to that value (the processor's answer, 0x8D3 × 2^-73).
        Assert.Equal((0x8D30000000000000UL, (ushort)0x3FCA), m.Cpu.GetSt(0));
        Assert.Equal(0x0220, Status(m, 2) & 0x0621);
    }

    [Fact]
    public void Fnsave_stores_the_environment_and_the_stack_in_ST_order_then_reinitializes_and_frstor_brings_it_back()
    {
        using var m = new Machine();
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 512, 2), (ushort)0x0B7F);
        m.Load(a =>
        {
            a.fninit();
            a.fldcw(__word_ptr[Data + 512]);
            a.fld1();
            a.fldpi();
            a.fnsave(__[Data + 64]);
            a.fnstsw(__word_ptr[Data]);
            a.fnstcw(__word_ptr[Data + 2]);
            a.frstor(__[Data + 64]);
            a.faddp(st1, st0);
            a.fstp(__qword_ptr[Data + 8]);
            a.hlt();
        });
        Assert.Equal(StopReason.Halted, m.Cpu.Run(100).Reason);
        Assert.Equal(0x0B7F, BitConverter.ToUInt16(m.Memory.Bytes(Data + 64, 2)));
        Assert.Equal(6, (BitConverter.ToUInt16(m.Memory.Bytes(Data + 68, 2)) >> 11) & 7);
        Assert.Equal(0xC90FDAA22168C235UL, BitConverter.ToUInt64(m.Memory.Bytes(Data + 64 + 28, 8)));
        Assert.Equal(0x8000000000000000UL, BitConverter.ToUInt64(m.Memory.Bytes(Data + 64 + 38, 8)));
        Assert.Equal(0, Status(m) & 0x3800);
        Assert.Equal(0x037F, Status(m, 2));
        Assert.Equal(Math.PI + 1, BitConverter.ToDouble(m.Memory.Bytes(Data + 8, 8)), 12);
    }

    [Fact]
    public void Fbld_reads_18_packed_digits_and_keeps_a_negative_zero()
    {
        using var m = new Machine();
        m.Memory.Bytes(Data + 16, 10).Clear();
        byte[] bcd = [0x89, 0x67, 0x45, 0x23, 0x01, 0x89, 0x67, 0x45, 0x23, 0x81];
        bcd.CopyTo(m.Memory.Bytes(Data + 16, 10));
        m.Memory.Bytes(Data + 48, 10).Clear();
        m.Memory.Bytes(Data + 57, 1)[0] = 0x80;
        m.Load(a =>
        {
            a.fninit();
            a.fbld(__tword_ptr[Data + 16]);
            a.fistp(__qword_ptr[Data]);
            a.fbld(__tword_ptr[Data + 48]);
            a.hlt();
        });
        Assert.Equal(StopReason.Halted, m.Cpu.Run(100).Reason);
        Assert.Equal(-234567890123456789L, BitConverter.ToInt64(m.Memory.Bytes(Data, 8)));
        Assert.Equal((0UL, (ushort)0x8000), m.Cpu.GetSt(0));
    }

    [Fact]
    public void Fnstenv_reports_the_last_instruction_offset_opcode_and_operand_offset_and_fldenv_restores_them()
    {
        using var m = new Machine();
        BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 0x108, 8), 2.5);
        var code = m.Load(a =>
        {
            a.fninit();
            a.mov(rbx, Data + 0x100);
            a.fld(__qword_ptr[rbx + 8]);
            a.fnstcw(__word_ptr[Data + 0x180]);
            a.fnstenv(__[Data]);
            a.fldz();
            a.fldenv(__[Data]);
            a.fnstenv(__[Data + 0x40]);
            a.hlt();
        });
        Assert.Equal(StopReason.Halted, m.Cpu.Run(100).Reason);
        var fldAt = Machine.CodeAddress + 2 + 10;
        Assert.Equal(0xDD, code[12]);
        Assert.Equal((uint)fldAt, BitConverter.ToUInt32(m.Memory.Bytes(Data + 12, 4)));
        Assert.Equal(((0xDD & 7) << 8) | code[13], (int)(BitConverter.ToUInt32(m.Memory.Bytes(Data + 16, 4)) >> 16));
        Assert.Equal((uint)(Data + 0x108), BitConverter.ToUInt32(m.Memory.Bytes(Data + 20, 4)));
        Assert.True(m.Memory.Bytes(Data + 12, 12).SequenceEqual(m.Memory.Bytes(Data + 0x40 + 12, 12)));
    }
}
