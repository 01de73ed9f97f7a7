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

    /// <summary>AND r/m, reg or imm: the target keeps the bits set in the source (Linux's clear_bit on a constant bit).</summary>
    And,

    /// <summary>OR r/m, reg or imm: the source's bits are set in the target (set_bit on a constant bit).</summary>
    Or,

    /// <summary>BTR r/m, reg or imm8: the bit is cleared and its old value goes to CF (test_and_clear_bit).</summary>
    BitReset,

    /// <summary>BTS r/m, reg or imm8: the bit is set and its old value goes to CF (test_and_set_bit).</summary>
    BitSet,
}

/// <summary>A decoded store instruction: its length, width, source (a GPR index, or -1 with an immediate) and kind.</summary>
public readonly record struct DecodedStore(int Length, int SizeBytes, int SourceRegister, ulong Immediate, StoreKind Kind = StoreKind.Move);

/// <summary>
/// Decodes the store forms kernels use to write page-table entries: MOV r/m, reg (89 /r), MOV r/m,
/// imm32 (C7 /0), XCHG r/m, reg (87 /r, Linux's ptep_get_and_clear), CMPXCHG r/m, reg (0F B1 /r,
/// usually with LOCK), and the read-modify-write bit operations of Linux's bitops on an entry:
/// AND and OR with a register (21 /r, 09 /r) or an immediate (80 /4 and /1 on a byte, 81 and 83 on
/// the whole operand), BTR and BTS with a register (0F B3, 0F AB) or an imm8 (0F BA /6, /5). LOCK,
/// segment overrides (Linux patches LOCK into a DS prefix on one CPU) and a REX prefix in 64-bit
/// code may precede them. Only the length, width, source and kind matter: the target address is
/// already known from the fault.
/// </summary>
public static class StoreDecoder
{
    private const byte LockPrefix = 0xF0;

    public static bool TryDecode(ReadOnlySpan<byte> code, bool longMode, out DecodedStore store)
    {
        store = default;
        int i = 0;
        bool locked = false;
        while (i < code.Length && code[i] is LockPrefix or 0x26 or 0x2E or 0x36 or 0x3E or 0x64 or 0x65)
        {
            locked |= code[i] == LockPrefix;
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

        int size = (rex & 8) != 0 ? 8 : 4;
        byte opcode = code[i++];
        StoreKind kind;
        int immediateBytes = 0;
        int group = -1;
        switch (opcode)
        {
            case 0x89:
                kind = StoreKind.Move;
                break;
            case 0xC7:
                kind = StoreKind.Move;
                group = 0;
                immediateBytes = 4;
                break;
            case 0x87:
                kind = StoreKind.Exchange;
                break;
            case 0x09:
                kind = StoreKind.Or;
                break;
            case 0x21:
                kind = StoreKind.And;
                break;
            case 0x80:
            case 0x81:
            case 0x83:
                kind = StoreKind.And;
                group = 4;
                immediateBytes = opcode == 0x81 ? 4 : 1;
                size = opcode == 0x80 ? 1 : size;
                break;
            case 0x0F:
                byte second = code[i++];
                if (i >= code.Length)
                {
                    return false;
                }

                (kind, group, immediateBytes) = second switch
                {
                    0xB1 => (StoreKind.CompareExchange, -1, 0),
                    0xB3 => (StoreKind.BitReset, -1, 0),
                    0xAB => (StoreKind.BitSet, -1, 0),
                    0xBA => (StoreKind.BitReset, 6, 1),
                    _ => (StoreKind.Move, -2, 0),
                };
                if (group == -2)
                {
                    return false;
                }

                break;
            default:
                return false;
        }

        if (locked && kind == StoreKind.Move)
        {
            return false;
        }

        byte modrm = code[i++];
        int mod = modrm >> 6;
        int reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
        int rm = modrm & 7;
        if (mod == 3)
        {
            return false;
        }

        if (group >= 0)
        {
            // The ModRM reg field selects the operation of an immediate group.
            int operation = reg & 7;
            if (opcode is 0x80 or 0x81 or 0x83)
            {
                if (operation is not (1 or 4))
                {
                    return false;
                }

                kind = operation == 1 ? StoreKind.Or : StoreKind.And;
            }
            else if (opcode == 0x0F)
            {
                if (operation is not (5 or 6))
                {
                    return false;
                }

                kind = operation == 5 ? StoreKind.BitSet : StoreKind.BitReset;
            }
            else if (operation != group)
            {
                return false;
            }
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
        if (immediateBytes == 0)
        {
            store = new DecodedStore(i, size, reg, 0, kind);
            return i <= code.Length;
        }

        if (i + immediateBytes > code.Length)
        {
            return false;
        }

        // Immediates are sign-extended to the operand size (imm8 of a bit test is a bit number).
        long imm = immediateBytes == 4 ? BitConverter.ToInt32(code.Slice(i, 4)) : (sbyte)code[i];
        ulong immediate = kind is StoreKind.BitReset or StoreKind.BitSet ? code[i] : size switch
        {
            8 => (ulong)imm,
            4 => (uint)imm,
            _ => (byte)imm,
        };
        store = new DecodedStore(i + immediateBytes, size, -1, immediate, kind);
        return true;
    }
}
