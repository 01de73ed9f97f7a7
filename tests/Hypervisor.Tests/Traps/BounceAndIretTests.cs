using System.Buffers.Binary;
using ActorVisor.Hypervisor.Traps;

namespace ActorVisor.Hypervisor.Tests.Traps;

public class BounceAndIretTests
{
    private static ulong[] Words64(byte[] frame) =>
        Enumerable.Range(0, frame.Length / 8).Select(i => BinaryPrimitives.ReadUInt64LittleEndian(frame.AsSpan(i * 8))).ToArray();

    [Fact]
    public void A_kernel_mode_page_fault_frame_sits_below_the_16_byte_aligned_rsp_with_cs_rpl_0_and_the_mask()
    {
        var context = new GuestFrame(Rip: 0x1000, Rsp: 0x8F08, Rflags: 0x246, Cs: 0xE033, Ss: 0xE02B, Rax: 1, Rcx: 0xC, R11: 0xB, InKernelMode: true);

        var error = BounceFrames.Build64(context, kernelSp: 0xA000, handler: 0x2000, errorCode: 2, upcallMasked: true, maskEvents: false, out var result);

        Assert.Equal(TrapError.None, error);
        Assert.Equal(0x8F00ul - 64, result!.FrameAddress);
        Assert.Equal([0xCul, 0xB, 2, 0x1000, 0xE030 | (1ul << 32), 0x046, 0x8F08, 0xE02B], Words64(result.Frame));
        Assert.Equal((0x2000ul, 0x8F00ul - 64, (ushort)0xE033), (result.Resume.Rip, result.Resume.Rsp, result.Resume.Cs));
        Assert.False(result.SwitchedToKernelMode);
    }

    [Fact]
    public void An_event_from_user_mode_switches_to_the_kernel_stack_and_keeps_cs_rpl_3()
    {
        var context = new GuestFrame(0x400000, 0x7FFF0000, 0x202, 0xE033, 0xE02B, 0, 0, 0, InKernelMode: false);

        Assert.Equal(TrapError.None, BounceFrames.Build64(context, kernelSp: 0x9008, handler: 0x3000, errorCode: null, upcallMasked: false, maskEvents: true, out var result));

        Assert.Equal(0x9000ul - 56, result!.FrameAddress);
        Assert.Equal(0xE033ul, Words64(result.Frame)[3]);
        Assert.Equal(0x202ul, Words64(result.Frame)[4]);
        Assert.True(result.SwitchedToKernelMode && result.MaskEvents && result.Resume.InKernelMode);
    }

    [Fact]
    public void Bouncing_to_a_missing_handler_crashes_the_domain()
    {
        var context = new GuestFrame(0x1000, 0x8000, 0x202, 0xE033, 0xE02B, 0, 0, 0, true);

        Assert.Equal(TrapError.NoHandler, BounceFrames.Build64(context, 0, 0, null, false, false, out _));
        Assert.Equal(TrapError.NoHandler, BounceFrames.Build32(context, 0xE021, 0, 0, 0x1000, null, false, false, out _));
    }

    [Fact]
    public void A_32_bit_bounce_from_ring_1_pushes_eflags_cs_and_eip_on_the_current_stack()
    {
        var context = new GuestFrame(0xC0001000, 0xC0008000, 0x202, 0xE019, 0xE021, 0, 0, 0, true);

        Assert.Equal(TrapError.None, BounceFrames.Build32(context, 0xE021, 0xC0100000, 0xE019, 0xC0002000, 14, upcallMasked: false, maskEvents: true, out var result));

        Assert.Equal(0xC0008000ul - 16, result!.FrameAddress);
        var words = Enumerable.Range(0, 4).Select(i => BinaryPrimitives.ReadUInt32LittleEndian(result.Frame.AsSpan(i * 4))).ToArray();
        Assert.Equal([14u, 0xC0001000, 0xE019, 0x202], words);
    }

    [Fact]
    public void Iret_to_user_mode_needs_a_user_page_table_and_restores_the_mask_from_IF()
    {
        var frame = new byte[72];
        ulong[] values = [7, 0x11, 0x22, 0, 0x400000, 0xE033, 0x3202, 0x7FFF0000, 0xE02B];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(frame.AsSpan(i * 8), values[i]);
        }

        var current = new GuestFrame(0, 0x9000, 0, 0xE033, 0xE02B, 0, 0, 0, true);
        Assert.Equal(TrapError.NoUserPageTable, IretFrames.Resolve64(current, frame, hasUserPageTable: false).Error);

        var result = IretFrames.Resolve64(current, frame, hasUserPageTable: true);

        Assert.True(result.ToUserMode);
        Assert.False(result.UpcallMask);
        Assert.Equal((7ul, 0x400000ul, 0x7FFF0000ul, 0x202ul, 0x22ul, 0x11ul), (result.Resume.Rax, result.Resume.Rip, result.Resume.Rsp, result.Resume.Rflags, result.Resume.Rcx, result.Resume.R11));
    }

    [Fact]
    public void Iret_with_in_syscall_resumes_like_sysret()
    {
        var frame = new byte[72];
        ulong[] values = [0, 0x11, 0x22, 0x100, 0x401000, 0xE033, 0x046, 0x7FFF0000, 0xE02B];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(frame.AsSpan(i * 8), values[i]);
        }

        var result = IretFrames.Resolve64(new GuestFrame(0, 0x9000, 0, 0xE033, 0xE02B, 0, 0, 0, true), frame, hasUserPageTable: true);

        Assert.True(result.UpcallMask);
        Assert.Equal(0x401000ul, result.Resume.Rcx);
        Assert.Equal(result.Resume.Rflags, result.Resume.R11);
    }

    [Fact]
    public void A_32_bit_iret_to_ring_0_is_refused()
    {
        var frame = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(8), 0xE010);

        Assert.Equal(TrapError.ReturnToRingZero, IretFrames.Resolve32(new GuestFrame(0, 0x8000, 0, 0xE019, 0xE021, 0, 0, 0, true), frame).Error);
    }
}
