using ActorVisor.Cpu.Tests.Support;
using Iced.Intel;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace ActorVisor.Cpu.Tests;

/// <summary>
/// SSE floating point where the host harness cannot go: unmasked exceptions (#XM with CR4.OSXMMEXCPT,
/// #UD without), the destination left unchanged, which flags an unmasked exception records, LDMXCSR's
/// reserved bits, and the RCP/RSQRT error bound over many inputs.
/// </summary>
public sealed class SseFloatTests
{
    private const uint DefaultMxcsr = 0x1F80;
    private const ulong Cr4Osxmmexcpt = 1UL << 10;

    private static (Machine Machine, RunResult Result) Run(Action<Assembler> build, uint mxcsr, Action<X86Cpu> prepare)
    {
        var m = new Machine();
        m.Load(a =>
        {
            build(a);
            a.hlt();
        });
        m.Cpu.Mxcsr = mxcsr;
        prepare(m.Cpu);
        return (m, m.Cpu.Run(100));
    }

    private static ulong Singles(float low, float high) => BitConverter.SingleToUInt32Bits(low) | ((ulong)BitConverter.SingleToUInt32Bits(high) << 32);

    [Fact]
    public void An_unmasked_divide_by_zero_raises_XM_and_leaves_every_lane_of_the_destination_unchanged()
    {
        var (m, r) = Run(a => a.divps(xmm0, xmm1), DefaultMxcsr & ~0x200u, cpu =>
        {
            cpu.SetXmm128(0, Singles(1, 2), Singles(3, 4));
            cpu.SetXmm128(1, Singles(2, 2), Singles(0, 2));
        });
        using (m)
        {
            Assert.Equal(StopReason.SinkRequested, r.Reason);
            Assert.Equal(ExceptionVector.SimdFloatingPoint, Assert.Single(m.Sink.Events).Vector);
            Assert.Equal((Singles(1, 2), Singles(3, 4)), m.Cpu.GetXmm128(0));
            Assert.Equal(DefaultMxcsr & ~0x200u | 0x4, m.Cpu.Mxcsr);
            Assert.Equal(Machine.CodeAddress, m.Cpu.Rip);
        }
    }

    [Fact]
    public void Without_OSXMMEXCPT_an_unmasked_exception_is_an_invalid_opcode()
    {
        var (m, r) = Run(a => a.divss(xmm0, xmm1), DefaultMxcsr & ~0x200u, cpu =>
        {
            cpu.SetControlRegister(4, cpu.Cr4 & ~Cr4Osxmmexcpt);
            cpu.SetXmm128(0, Singles(1, 2), 7);
            cpu.SetXmm128(1, 0, 0);
        });
        using (m)
        {
            Assert.Equal(StopReason.SinkRequested, r.Reason);
            Assert.Equal(ExceptionVector.InvalidOpcode, Assert.Single(m.Sink.Events).Vector);
            Assert.Equal((Singles(1, 2), 7UL), m.Cpu.GetXmm128(0));
            Assert.Equal(0x4u, m.Cpu.Mxcsr & 0x3F);
        }
    }

    [Fact]
    public void A_masked_divide_by_zero_gives_infinity_and_sets_the_sticky_flag()
    {
        var (m, r) = Run(a => a.divsd(xmm0, xmm1), DefaultMxcsr, cpu =>
        {
            cpu.SetXmm128(0, BitConverter.DoubleToUInt64Bits(-3), 9);
            cpu.SetXmm128(1, 0, 0);
        });
        using (m)
        {
            Assert.Equal(StopReason.Halted, r.Reason);
            Assert.Equal((BitConverter.DoubleToUInt64Bits(double.NegativeInfinity), 9UL), m.Cpu.GetXmm128(0));
            Assert.Equal(DefaultMxcsr | 0x4, m.Cpu.Mxcsr);
        }
    }

    [Fact]
    public void An_unmasked_invalid_operand_records_only_the_pre_computation_flags_of_all_lanes()
    {
        // lane 0: SNaN (IE, unmasked); lane 1: 1/3 (inexact, PE masked) is not recorded because the exception stops the instruction.
        var (m, r) = Run(a => a.addpd(xmm2, xmm3), DefaultMxcsr & ~0x80u, cpu =>
        {
            cpu.SetXmm128(2, 0x7FF0000000000001, BitConverter.DoubleToUInt64Bits(1.0));
            cpu.SetXmm128(3, 0, BitConverter.DoubleToUInt64Bits(1e-30));
        });
        using (m)
        {
            Assert.Equal(ExceptionVector.SimdFloatingPoint, Assert.Single(m.Sink.Events).Vector);
            Assert.Equal(0x1u, m.Cpu.Mxcsr & 0x3F);
            Assert.Equal((0x7FF0000000000001UL, BitConverter.DoubleToUInt64Bits(1.0)), m.Cpu.GetXmm128(2));
        }
    }

    [Fact]
    public void An_unmasked_precision_exception_records_every_flag_of_the_instruction()
    {
        var (m, r) = Run(a => a.addps(xmm4, xmm5), DefaultMxcsr & ~0x1000u, cpu =>
        {
            cpu.SetXmm128(4, Singles(float.MaxValue, 1), Singles(0, 0));
            cpu.SetXmm128(5, Singles(float.MaxValue, 1e-10f), Singles(0, 0));
        });
        using (m)
        {
            Assert.Equal(ExceptionVector.SimdFloatingPoint, Assert.Single(m.Sink.Events).Vector);
            Assert.Equal(0x8u | 0x20u, m.Cpu.Mxcsr & 0x3F);
            Assert.Equal((Singles(float.MaxValue, 1), 0UL), m.Cpu.GetXmm128(4));
        }
    }

    [Fact]
    public void An_unmasked_invalid_compare_keeps_the_flags_and_a_conversion_keeps_the_register()
    {
        var (m, r) = Run(a => a.comiss(xmm0, xmm1), DefaultMxcsr & ~0x80u, cpu =>
        {
            cpu.SetXmm128(0, 0x7FC00000, 0);
            cpu.SetXmm128(1, Singles(1, 0), 0);
            cpu.Rflags = 0x2 | 0x800;
        });
        using (m)
        {
            Assert.Equal(ExceptionVector.SimdFloatingPoint, Assert.Single(m.Sink.Events).Vector);
            Assert.Equal(0x802UL, m.Cpu.Rflags & 0x8D7);
        }
        var (m2, _) = Run(a => a.cvttsd2si(rax, xmm0), DefaultMxcsr & ~0x80u, cpu =>
        {
            cpu.SetXmm128(0, BitConverter.DoubleToUInt64Bits(1e300), 0);
            cpu.SetGpr(0, 0x1234);
        });
        using (m2)
        {
            Assert.Equal(ExceptionVector.SimdFloatingPoint, Assert.Single(m2.Sink.Events).Vector);
            Assert.Equal(0x1234UL, m2.Cpu.GetGpr(0));
            Assert.Equal(0x1u, m2.Cpu.Mxcsr & 0x3F);
        }
    }

    [Fact]
    public void Ldmxcsr_with_a_reserved_bit_raises_GP_and_stmxcsr_shows_the_sticky_flags()
    {
        var (m, r) = Run(a =>
        {
            a.mulsd(xmm0, xmm1);
            a.stmxcsr(__dword_ptr[Machine.DataAddress]);
            a.mov(__dword_ptr[Machine.DataAddress + 4], 0x10000 | (int)DefaultMxcsr);
            a.ldmxcsr(__dword_ptr[Machine.DataAddress + 4]);
        }, DefaultMxcsr, cpu =>
        {
            cpu.SetXmm128(0, BitConverter.DoubleToUInt64Bits(1e-300), 0);
            cpu.SetXmm128(1, BitConverter.DoubleToUInt64Bits(1e-300), 0);
        });
        using (m)
        {
            Assert.Equal(ExceptionVector.GeneralProtection, Assert.Single(m.Sink.Events).Vector);
            Assert.Equal(DefaultMxcsr | 0x10 | 0x20, BitConverter.ToUInt32(m.Memory.Bytes(Machine.DataAddress, 4)));
            Assert.Equal(DefaultMxcsr | 0x30, m.Cpu.Mxcsr);
        }
    }

    [Fact]
    public void Reciprocal_approximations_stay_within_the_architectural_bound()
    {
        using var m = new Machine();
        m.Load(a =>
        {
            a.rcpps(xmm1, xmm0);
            a.rsqrtps(xmm2, xmm0);
            a.hlt();
        });
        var random = new Random(12);
        var worst = 0.0;
        for (var i = 0; i < 2000; i++)
        {
            var values = new float[4];
            for (var lane = 0; lane < 4; lane++)
            {
                values[lane] = BitConverter.UInt32BitsToSingle((uint)random.Next(0x00800000, 0x7E800000));
            }
            m.Cpu.SetXmm128(0, Singles(values[0], values[1]), Singles(values[2], values[3]));
            m.Cpu.Rip = Machine.CodeAddress;
            m.Cpu.Halted = false;
            Assert.Equal(StopReason.Halted, m.Cpu.Run(10).Reason);
            var (rcpLow, rcpHigh) = m.Cpu.GetXmm128(1);
            var (rsqrtLow, rsqrtHigh) = m.Cpu.GetXmm128(2);
            for (var lane = 0; lane < 4; lane++)
            {
                var rcp = BitConverter.UInt32BitsToSingle((uint)((lane < 2 ? rcpLow : rcpHigh) >> (32 * (lane & 1))));
                var rsqrt = BitConverter.UInt32BitsToSingle((uint)((lane < 2 ? rsqrtLow : rsqrtHigh) >> (32 * (lane & 1))));
                var x = (double)values[lane];
                worst = Math.Max(worst, Math.Abs((rcp - (1 / x)) * x));
                worst = Math.Max(worst, Math.Abs((rsqrt - (1 / Math.Sqrt(x))) * Math.Sqrt(x)));
            }
        }
        Assert.True(worst <= 1.5 / 4096, $"worst relative error {worst}");
        Assert.Equal(DefaultMxcsr, m.Cpu.Mxcsr);
    }
}
