using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// The read-modify-write half of the writable-page-table path: AND, OR, BTR and BTS on a read-only
/// L1 of the domain, which Linux's bitops do to page-table entries (ptep_set_wrprotect is a
/// clear_bit of _PAGE_RW, a one-byte `lock andb`, when fork copies the parent's mappings;
/// ptep_test_and_clear_young is a `btr`). As Xen's ptwr emulation does, the new value of the whole
/// 8-byte entry is computed from the entry as it is and applied as one validated update; the flags
/// are those the instruction sets (CF, PF, ZF, SF and a clear OF and AF for AND and OR; CF = the old
/// bit for BTR and BTS, the others left alone). An operand that straddles two entries, or a value
/// the validation refuses, is not emulated: the guest gets its #PF.
/// </summary>
public sealed partial class PvVcpu
{
    private const ulong FlagCarry = 1ul << 0;
    private const ulong FlagParity = 1ul << 2;
    private const ulong FlagAdjust = 1ul << 4;
    private const ulong FlagZero = 1ul << 6;
    private const ulong FlagSign = 1ul << 7;
    private const ulong FlagOverflow = 1ul << 11;

    /// <summary>Applies an AND, OR, BTR or BTS whose target, at <paramref name="machineAddress"/>, lies in a validated L1.</summary>
    private bool TryEmulatePageTableReadModifyWrite(in DecodedStore store, ulong machineAddress)
    {
        int offset = (int)(machineAddress & 7);
        if (offset + store.SizeBytes > 8)
        {
            return false;
        }

        ulong entryAddress = machineAddress & ~7ul;
        var page = _domain.Machine.Memory.Frame(entryAddress >> PageGeometry.PageShift);
        ulong entry = BinaryPrimitives.ReadUInt64LittleEndian(page[(int)(entryAddress & 0xFFF)..]);
        int bits = store.SizeBytes * 8;
        ulong mask = bits == 64 ? ulong.MaxValue : (1ul << bits) - 1;
        int shift = offset * 8;
        ulong operand = (entry >> shift) & mask;
        ulong source = store.SourceRegister >= 0 ? Cpu.GetGpr(store.SourceRegister) : store.Immediate;
        ulong flags = Cpu.Rflags;
        ulong result;
        switch (store.Kind)
        {
            case StoreKind.And:
            case StoreKind.Or:
                result = (store.Kind == StoreKind.And ? operand & source : operand | source) & mask;
                flags = LogicFlags(flags, result, bits);
                break;
            default:
                int bit = (int)(source & (ulong)(bits - 1));
                bool was = ((operand >> bit) & 1) != 0;
                result = store.Kind == StoreKind.BitSet ? operand | (1ul << bit) : operand & ~(1ul << bit);
                flags = was ? flags | FlagCarry : flags & ~FlagCarry;
                break;
        }

        ulong updated = (entry & ~(mask << shift)) | (result << shift);
        if (_domain.Machine.PageTables.EmulateL1Write(_domain.Memory, entryAddress, updated, 8, _flush) != PageTableError.None)
        {
            return false;
        }

        Cpu.Rflags = flags;
        Cpu.FlushTlb(includeGlobal: true);
        _flush.Clear();
        Cpu.Rip += (ulong)store.Length;
        return true;
    }

    /// <summary>The flags of a logical operation's result: CF, OF and AF clear, PF of the low byte, ZF and SF.</summary>
    private static ulong LogicFlags(ulong rflags, ulong result, int bits)
    {
        rflags &= ~(FlagCarry | FlagParity | FlagAdjust | FlagZero | FlagSign | FlagOverflow);
        if ((System.Numerics.BitOperations.PopCount(result & 0xFF) & 1) == 0)
        {
            rflags |= FlagParity;
        }

        if (result == 0)
        {
            rflags |= FlagZero;
        }

        if (((result >> (bits - 1)) & 1) != 0)
        {
            rflags |= FlagSign;
        }

        return rflags;
    }
}
