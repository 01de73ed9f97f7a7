using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Boot;

/// <summary>
/// Fills a guest's hypercall page: 128 stubs of 32 bytes over a background of int3. 64-bit stubs
/// save rcx/r11 and enter with SYSCALL; 32-bit stubs enter with int 0x82. Slot 23 (iret) pushes
/// rax/eax first and never returns.
/// </summary>
public static class HypercallPageWriter
{
    private const byte Int3 = 0xCC;

    public static void Write(Span<byte> page, GuestWidth width)
    {
        if (page.Length != PageGeometry.PageSize)
        {
            throw new ArgumentException("a hypercall page is exactly one 4 KiB page", nameof(page));
        }

        page.Fill(Int3);
        for (int n = 0; n < HypercallPage.SlotCount; n++)
        {
            var slot = page.Slice(n * HypercallPage.SlotSize, HypercallPage.SlotSize);
            bool iret = n == (int)HypercallNumber.Iret;
            if (width == GuestWidth.Bits64)
            {
                WriteStub64(slot, n, iret);
            }
            else
            {
                WriteStub32(slot, n, iret);
            }
        }
    }

    private static void WriteStub64(Span<byte> slot, int n, bool iret)
    {
        int i = 0;
        slot[i++] = 0x51;            // push %rcx
        slot[i++] = 0x41;            // push %r11
        slot[i++] = 0x53;
        if (iret)
        {
            slot[i++] = 0x50;        // push %rax
        }

        i = MovEax(slot, i, n);
        slot[i++] = 0x0F;            // syscall
        slot[i++] = 0x05;
        if (!iret)
        {
            slot[i++] = 0x41;        // pop %r11
            slot[i++] = 0x5B;
            slot[i++] = 0x59;        // pop %rcx
            slot[i] = 0xC3;          // ret
        }
    }

    private static void WriteStub32(Span<byte> slot, int n, bool iret)
    {
        int i = 0;
        if (iret)
        {
            slot[i++] = 0x50;        // push %eax
        }

        i = MovEax(slot, i, n);
        slot[i++] = 0xCD;            // int $0x82
        slot[i++] = 0x82;
        if (!iret)
        {
            slot[i] = 0xC3;          // ret
        }
    }

    private static int MovEax(Span<byte> slot, int i, int n)
    {
        slot[i++] = 0xB8;            // mov $n, %eax
        BitConverter.TryWriteBytes(slot[i..], n);
        return i + 4;
    }
}
