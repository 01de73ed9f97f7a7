using ActorVisor.Cpu.Tests.Support;
using Iced.Intel;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace ActorVisor.Cpu.Tests;

/// <summary>The x87 register stack, its faults and state, checked against the manuals' rules (what the host harness cannot set up).</summary>
public sealed class X87Tests
{
    private const ulong Data = Machine.DataAddress;

    private static Machine Run(Action<Assembler> build, Action<Machine>? prepare = null)
    {
        var m = new Machine();
        prepare?.Invoke(m);
        m.Load(a =>
        {
            build(a);
            a.hlt();
        });
        var r = m.Cpu.Run(1000);
        Assert.Equal(StopReason.Halted, r.Reason);
        return m;
    }

    private static double ReadDouble(Machine m, ulong address) => BitConverter.ToDouble(m.Memory.Bytes(address, 8));

    [Fact]
    public void Pushes_wrap_TOP_and_a_ninth_push_overflows_to_the_indefinite_with_C1()
    {
        using var m = Run(a =>
        {
            a.fninit();
            for (var i = 0; i < 8; i++)
            {
                a.fld1();
            }
            a.fnstsw(__word_ptr[Data]);
            a.fldz();
            a.fnstsw(__word_ptr[Data + 2]);
        });
        var afterEight = BitConverter.ToUInt16(m.Memory.Bytes(Data, 2));
        var afterNine = BitConverter.ToUInt16(m.Memory.Bytes(Data + 2, 2));
        Assert.Equal(0, (afterEight >> 11) & 7);
        Assert.Equal(0, afterEight & 0x41);
        Assert.Equal(7, (afterNine >> 11) & 7);
        Assert.Equal(0x241, afterNine & 0x241);
        Assert.Equal((0xC000000000000000UL, (ushort)0xFFFF), m.Cpu.GetSt(0));
    }

    [Fact]
    public void Reading_an_empty_register_underflows_with_C1_clear()
    {
        using var m = Run(a =>
        {
            a.fninit();
            a.fld1();
            a.faddp(st1, st0);
            a.fnstsw(__word_ptr[Data]);
            a.fstp(__qword_ptr[Data + 8]);
        });
        var status = BitConverter.ToUInt16(m.Memory.Bytes(Data, 2));
        Assert.Equal(0x41, status & 0x241);
        Assert.True(double.IsNaN(ReadDouble(m, Data + 8)));
        Assert.Equal(0xFFF8000000000000UL, BitConverter.ToUInt64(m.Memory.Bytes(Data + 8, 8)));
    }

    [Theory]
    [InlineData(-3.0, 2.5, 0x001UL)]
    [InlineData(3.0, 3.0, 0x040UL)]
    [InlineData(4.0, -1.0, 0x000UL)]
    [InlineData(double.NaN, 1.0, 0x045UL)]
    public void Fcomi_sets_ZF_PF_CF_and_clears_the_other_arithmetic_flags(double first, double second, ulong expected)
    {
        using var m = Run(
            a =>
            {
                a.fninit();
                a.fld(__qword_ptr[Data + 8]);
                a.fld(__qword_ptr[Data]);
                a.fcomip(st0, st1);
            },
            m =>
            {
                BitConverter.TryWriteBytes(m.Memory.Bytes(Data, 8), first);
                BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 8, 8), second);
            });
        Assert.Equal(expected, m.Cpu.Rflags & 0x8D5);
        Assert.Equal(7, (m.Cpu.FpuStatusWord >> 11) & 7);
    }

    [Theory]
    [InlineData(0, 2.5, 2L)]
    [InlineData(0, 3.5, 4L)]
    [InlineData(0, -2.5, -2L)]
    [InlineData(1, 2.7, 2L)]
    [InlineData(1, -2.2, -3L)]
    [InlineData(2, 2.2, 3L)]
    [InlineData(2, -2.7, -2L)]
    [InlineData(3, 2.7, 2L)]
    [InlineData(3, -2.7, -2L)]
    [InlineData(0, 1e30, long.MinValue)]
    public void Fistp_rounds_with_the_rounding_control(int rounding, double value, long expected)
    {
        using var m = Run(
            a =>
            {
                a.fninit();
                a.fldcw(__word_ptr[Data + 16]);
                a.fld(__qword_ptr[Data]);
                a.fistp(__qword_ptr[Data + 8]);
            },
            m =>
            {
                BitConverter.TryWriteBytes(m.Memory.Bytes(Data, 8), value);
                BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 16, 2), (ushort)(0x37F | (rounding << 10)));
            });
        Assert.Equal(expected, BitConverter.ToInt64(m.Memory.Bytes(Data + 8, 8)));
        Assert.Equal(expected == long.MinValue ? 1 : 0, m.Cpu.FpuStatusWord & 1);
    }

    [Fact]
    public void Long_double_round_trips_through_m80_bit_for_bit()
    {
        byte[] value = [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x12, 0xC0];
        using var m = Run(
            a =>
            {
                a.fninit();
                a.fld(__tword_ptr[Data]);
                a.fchs();
                a.fchs();
                a.fstp(__tword_ptr[Data + 16]);
            },
            m => value.CopyTo(m.Memory.Bytes(Data, 10)));
        Assert.Equal(value, m.Memory.Bytes(Data + 16, 10).ToArray());
    }

    [Fact]
    public void Fxsave_and_fxrstor_carry_the_register_stack_and_capture_restore_carries_it_too()
    {
        using var m = Run(a =>
        {
            a.fninit();
            a.fldpi();
            a.fld1();
            a.fxsave(__[Data]);
            a.fninit();
            a.fxrstor(__[Data]);
            a.faddp(st1, st0);
            a.fstp(__qword_ptr[Data + 512]);
        });
        Assert.Equal(Math.PI + 1, ReadDouble(m, Data + 512));
        Assert.Equal(0x37F, BitConverter.ToUInt16(m.Memory.Bytes(Data, 2)));
        Assert.Equal(6, (BitConverter.ToUInt16(m.Memory.Bytes(Data + 2, 2)) >> 11) & 7);
        Assert.Equal(0xC0, m.Memory.Bytes(Data + 4, 1)[0]);

        using var other = new Machine();
        var state = m.Cpu.Capture();
        other.Cpu.Restore(state);
        Assert.Equal(state, other.Cpu.Capture());
        other.Cpu.Restore(state with { Version = 1, FpuValid = 0x80, FpuStatus = 0x3800 });
        Assert.Equal(0x37F, other.Cpu.FpuControlWord);
        Assert.Equal(0, other.Cpu.FpuStatusWord);
        Assert.Equal(0, other.Cpu.Capture().FpuValid);
    }

    [Theory]
    [InlineData(1e300, 3.7)]
    [InlineData(-7.5, 2.0)]
    [InlineData(5e-300, 3e-310)]
    [InlineData(123456789.0, -0.001)]
    public void Fprem_loop_ends_at_the_exact_fmod(double dividend, double divisor)
    {
        using var m = Run(
            a =>
            {
                var again = a.CreateLabel();
                a.fninit();
                a.fld(__qword_ptr[Data + 8]);
                a.fld(__qword_ptr[Data]);
                a.Label(ref again);
                a.fprem();
                a.fnstsw(ax);
                a.test(ah, 4);
                a.jnz(again);
                a.fstp(__qword_ptr[Data + 16]);
            },
            m =>
            {
                BitConverter.TryWriteBytes(m.Memory.Bytes(Data, 8), dividend);
                BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 8, 8), divisor);
            });
        Assert.Equal(BitConverter.DoubleToInt64Bits(dividend % divisor), BitConverter.DoubleToInt64Bits(ReadDouble(m, Data + 16)));
    }

    [Fact]
    public void Fnstenv_masks_exceptions_and_fldenv_brings_back_the_words_and_tags()
    {
        using var m = Run(
            a =>
            {
                a.fninit();
                a.fldcw(__word_ptr[Data + 64]);
                a.fld1();
                a.fld1();
                a.fnstenv(__[Data]);
                a.fnstcw(__word_ptr[Data + 66]);
                a.fninit();
                a.fldenv(__[Data]);
                a.faddp(st1, st0);
                a.fstp(__qword_ptr[Data + 72]);
            },
            m => BitConverter.TryWriteBytes(m.Memory.Bytes(Data + 64, 2), (ushort)0x0360));
        Assert.Equal(0x0360, BitConverter.ToUInt16(m.Memory.Bytes(Data, 2)));
        Assert.Equal(6, (BitConverter.ToUInt16(m.Memory.Bytes(Data + 4, 2)) >> 11) & 7);
        Assert.Equal(0x0FFF, BitConverter.ToUInt16(m.Memory.Bytes(Data + 8, 2)));
        Assert.Equal(0x037F, BitConverter.ToUInt16(m.Memory.Bytes(Data + 66, 2)));
        Assert.Equal(2.0, ReadDouble(m, Data + 72));
        Assert.Equal(0x0360, m.Cpu.FpuControlWord);
    }

    [Fact]
    public void Fxam_classifies_and_fnstsw_ax_reports_it()
    {
        using var m = Run(a =>
        {
            a.fninit();
            a.fxam();
            a.fnstsw(ax);
            a.mov(__word_ptr[Data], ax);
            a.fldz();
            a.fchs();
            a.fxam();
            a.fnstsw(ax);
        });
        Assert.Equal(0x4100, BitConverter.ToUInt16(m.Memory.Bytes(Data, 2)) & 0x4700);
        Assert.Equal(0x4200 | (7 << 11), (int)m.Cpu.GetGpr(0) & 0x7F00);
    }

    [Fact]
    public void X87_with_CR0_TS_raises_device_not_available()
    {
        using var m = new Machine();
        m.Cpu.SetControlRegister(0, m.Cpu.Capture().Cr0 | 8);
        m.Load(a =>
        {
            a.fld1();
            a.hlt();
        });
        m.Cpu.Run(10);
        Assert.Contains(m.Sink.Events, e => e.Vector == ExceptionVector.DeviceNotAvailable);
    }
}
