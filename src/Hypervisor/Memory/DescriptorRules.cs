using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Memory;

/// <summary>
/// Which segment descriptors a PV guest may install in its GDT/LDT: not-present descriptors,
/// code and data segments (32-bit guests may not set the long-mode bit), and the type-0 upper
/// halves of 64-bit system descriptors. Other system descriptors, call gates included for now,
/// are refused.
/// </summary>
public static class DescriptorRules
{
    /// <summary>
    /// The descriptor as Xen keeps it: a present descriptor's DPL is raised to the guest kernel's
    /// RPL (3 for 64-bit guests, 1 for 32-bit ones), as check_descriptor does before accepting it, so
    /// the kernel's own selectors (RPL fixed up the same way) pass the CPU's privilege checks.
    /// </summary>
    public static ulong WithGuestDpl(ulong descriptor, GuestWidth width)
    {
        const ulong Present = 1ul << 47;
        const int DplShift = 45;
        ulong kernelRpl = width == GuestWidth.Bits64 ? 3ul : 1ul;
        if ((descriptor & Present) == 0 || ((descriptor >> DplShift) & 3) >= kernelRpl)
        {
            return descriptor;
        }

        return (descriptor & ~(3ul << DplShift)) | (kernelRpl << DplShift);
    }

    public static bool IsAcceptable(ulong descriptor, GuestWidth width)
    {
        bool present = (descriptor & (1ul << 47)) != 0;
        if (!present || descriptor == 0)
        {
            return true;
        }

        bool codeOrData = (descriptor & (1ul << 44)) != 0;
        if (codeOrData)
        {
            bool code = (descriptor & (1ul << 43)) != 0;
            bool longMode = (descriptor & (1ul << 53)) != 0;
            return !(width == GuestWidth.Bits32Pae && code && longMode);
        }

        return ((descriptor >> 40) & 0xF) == 0;
    }
}
