namespace ActorVisor.Abi;

/// <summary>Layouts of trap_info, callback_register, mmu_update, mmuext_op and multicall_entry.</summary>
public sealed record TrapStructLayout(
    int TrapInfoSize,
    int TrapInfoAddress,
    int MmuextOpSize,
    int MmuextArg1,
    int MmuextArg2,
    int MulticallEntrySize,
    int MulticallResult,
    int MulticallArgs)
{
    /// <summary>trap_info: vector u8 @0, flags u8 @1, cs u16 @2, address after.</summary>
    public const int TrapInfoVector = 0;
    public const int TrapInfoFlags = 1;
    public const int TrapInfoCs = 2;

    /// <summary>mmu_update: ptr u64 @0, val u64 @8, 16 bytes for both widths.</summary>
    public const int MmuUpdateSize = 16;

    public static readonly TrapStructLayout Bits64 = new(16, 8, 24, 8, 16, 64, 8, 16);
    public static readonly TrapStructLayout Bits32 = new(8, 4, 12, 4, 8, 32, 4, 8);

    public static TrapStructLayout For(GuestWidth width) => width == GuestWidth.Bits64 ? Bits64 : Bits32;
}
