namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>
/// Undoes the x86 branch-call-jump filter. The encoder rewrote the 32-bit relative operand of
/// CALL (E8) and JMP (E9) instructions into an absolute one (operand + offset of the next
/// instruction) when the operand's top byte is 00 or FF, which makes repeated calls to one
/// target compress better; decoding subtracts the offset again.
///
/// To avoid converting bytes that merely look like opcodes, the filter remembers which of the
/// three bytes before the current position held an E8/E9 ("recent opcode mask") and skips or
/// re-transforms operands according to that history, exactly as the encoder did. The last four
/// bytes of a block are never converted. The whole block is in memory, so one pass suffices.
/// </summary>
internal static class BcjX86Decoder
{
    private const int InstructionLength = 5;

    /// <summary>Masks of recent opcodes after which a candidate operand is still converted.</summary>
    private static readonly bool[] ConvertAfterMask = [true, true, true, false, true, false, false, false];

    /// <summary>For a mask, which byte of the operand (counted from the top) the encoder re-checked.</summary>
    private static readonly int[] RecheckedByte = [0, 1, 2, 2, 3, 3, 3, 3];

    /// <summary>Decodes <paramref name="data"/> in place; <paramref name="startOffset"/> is the stream offset of its first byte.</summary>
    public static void Decode(Span<byte> data, uint startOffset)
    {
        int mask = 0;
        int lastOpcode = -InstructionLength;
        int i = 0;
        while (i <= data.Length - InstructionLength)
        {
            byte opcode = data[i];
            if (opcode != 0xE8 && opcode != 0xE9)
            {
                i++;
                continue;
            }

            int gap = i - lastOpcode;
            lastOpcode = i;
            if (gap > InstructionLength)
            {
                mask = 0;
            }
            else
            {
                for (int k = 0; k < gap; k++)
                {
                    mask = (mask & 0x77) << 1;
                }
            }

            byte top = data[i + 4];
            if (IsSignExtensionByte(top) && ConvertAfterMask[(mask >> 1) & 7] && (mask >> 1) < 0x10)
            {
                uint operand = (uint)(data[i + 1] | data[i + 2] << 8 | data[i + 3] << 16 | top << 24);
                uint nextInstruction = startOffset + (uint)i + InstructionLength;
                uint relative;
                while (true)
                {
                    relative = operand - nextInstruction;
                    if (mask == 0)
                    {
                        break;
                    }

                    int shift = 24 - (RecheckedByte[(mask >> 1) & 7] * 8);
                    if (!IsSignExtensionByte((byte)(relative >> shift)))
                    {
                        break;
                    }

                    operand = relative ^ ((1u << (shift + 8)) - 1);
                }

                uint extended = (relative & 0x01000000) != 0 ? 0xFF000000u : 0;
                relative = (relative & 0x00FFFFFF) | extended;
                data[i + 1] = (byte)relative;
                data[i + 2] = (byte)(relative >> 8);
                data[i + 3] = (byte)(relative >> 16);
                data[i + 4] = (byte)(relative >> 24);
                i += InstructionLength;
                mask = 0;
            }
            else
            {
                i++;
                mask |= 1;
                if (IsSignExtensionByte(top))
                {
                    mask |= 0x10;
                }
            }
        }
    }

    private static bool IsSignExtensionByte(byte b) => b == 0x00 || b == 0xFF;
}
