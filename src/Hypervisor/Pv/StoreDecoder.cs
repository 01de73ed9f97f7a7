namespace ActorVisor.Hypervisor.Pv;

/// <summary>A decoded store instruction: its length, width, and source (a GPR index, or -1 with an immediate).</summary>
public readonly record struct DecodedStore(int Length, int SizeBytes, int SourceRegister, ulong Immediate);

/// <summary>
/// Decodes the two store forms kernels use to write page-table entries: MOV r/m, reg (89 /r) and
/// MOV r/m, imm32 (C7 /0), with an optional REX prefix in 64-bit code. Only the length, width and
/// source matter: the target address is already known from the fault.
/// </summary>
public static class StoreDecoder
{
    public static bool TryDecode(ReadOnlySpan<byte> code, bool longMode, out DecodedStore store)
    {
        store = default;
        int i = 0;
        int rex = 0;
        if (longMode && code.Length > 0 && (code[0] & 0xF0) == 0x40)
        {
            rex = code[0];
            i++;
        }

        if (i + 2 > code.Length)
        {
            return false;
        }

        byte opcode = code[i++];
        byte modrm = code[i++];
        int mod = modrm >> 6;
        int reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
        int rm = modrm & 7;
        if (mod == 3 || (opcode != 0x89 && opcode != 0xC7) || (opcode == 0xC7 && (reg & 7) != 0))
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
        if (opcode == 0x89)
        {
            store = new DecodedStore(i, size, reg, 0);
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
