namespace ActorVisor.Hypervisor.Pv;

/// <summary>How a decoded store writes its target.</summary>
public enum StoreKind
{
    /// <summary>MOV: the source replaces the target.</summary>
    Move,

    /// <summary>XCHG r/m, reg: the source replaces the target and the register receives the old value.</summary>
    Exchange,

    /// <summary>CMPXCHG r/m, reg: the source replaces the target only when the target equals the accumulator.</summary>
    CompareExchange,
}

/// <summary>A decoded store instruction: its length, width, source (a GPR index, or -1 with an immediate) and kind.</summary>
public readonly record struct DecodedStore(int Length, int SizeBytes, int SourceRegister, ulong Immediate, StoreKind Kind = StoreKind.Move);

/// <summary>
/// Decodes the store forms kernels use to write page-table entries: MOV r/m, reg (89 /r), MOV r/m,
/// imm32 (C7 /0), XCHG r/m, reg (87 /r, Linux's ptep_get_and_clear) and CMPXCHG r/m, reg (0F B1 /r,
/// usually with LOCK), with an optional REX prefix in 64-bit code. Only the length, width, source
/// and kind matter: the target address is already known from the fault.
/// </summary>
public static class StoreDecoder
{
    private const byte LockPrefix = 0xF0;

    public static bool TryDecode(ReadOnlySpan<byte> code, bool longMode, out DecodedStore store)
    {
        store = default;
        int i = 0;
        bool locked = code.Length > 0 && code[0] == LockPrefix;
        if (locked)
        {
            i++;
        }

        int rex = 0;
        if (longMode && i < code.Length && (code[i] & 0xF0) == 0x40)
        {
            rex = code[i++];
        }

        if (i + 2 > code.Length)
        {
            return false;
        }

        byte opcode = code[i++];
        var kind = StoreKind.Move;
        if (opcode == 0x0F)
        {
            if (code[i++] != 0xB1 || i >= code.Length)
            {
                return false;
            }

            kind = StoreKind.CompareExchange;
        }
        else if (opcode == 0x87)
        {
            kind = StoreKind.Exchange;
        }
        else if (locked || (opcode != 0x89 && opcode != 0xC7))
        {
            return false;
        }

        byte modrm = code[i++];
        int mod = modrm >> 6;
        int reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
        int rm = modrm & 7;
        if (mod == 3 || (opcode == 0xC7 && (reg & 7) != 0))
        {
            return false;
        }

        if (rm == 4)
        {
            if (i >= code.Length)
            {
                return false;
            }

            byte sib = code[i++];
            if (mod == 0 && (sib & 7) == 5)
            {
                i += 4;
            }
        }
        else if (mod == 0 && rm == 5)
        {
            i += 4;
        }

        i += mod switch
        {
            1 => 1,
            2 => 4,
            _ => 0,
        };
        int size = (rex & 8) != 0 ? 8 : 4;
        if (opcode != 0xC7)
        {
            store = new DecodedStore(i, size, reg, 0, kind);
            return i <= code.Length;
        }

        if (i + 4 > code.Length)
        {
            return false;
        }

        long imm = BitConverter.ToInt32(code.Slice(i, 4));
        store = new DecodedStore(i + 4, size, -1, size == 8 ? (ulong)imm : (uint)imm);
        return true;
    }
}
