namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>
/// Decodes one LZO1X block, the compressed block format of lzop (all its levels, LZO1X-1 to
/// LZO1X-999, write it), as Linux's lzo1x_decompress_safe reads it. Our own decoder: no
/// maintained .NET library decodes LZO1X.
///
/// The stream is instructions, each an opcode byte with operands: literal runs, and matches that
/// copy from the output already written at a distance (up to 48 KiB back). The low two bits of a
/// match (or of its distance word) give 0-3 literals that follow it, and that count decides what
/// the next short opcode (0-15) means: after no literals a long literal run, after 1-3 a two-byte
/// match within 1 KiB, after a run of four or more a three-byte match 2-3 KiB back. A first byte
/// above 17 is a literal run of (byte - 17). The stream ends with the match whose distance is zero,
/// the three bytes 0x11 0x00 0x00, and must end exactly there.
///
/// Invariants: every read is checked against the input's end and every write against the block's
/// declared size, every match distance against the bytes written so far; lengths that grow by 255
/// per zero byte stop at the input's end, so decoding ends.
/// </summary>
internal static class Lzo1xDecoder
{
    /// <summary>Decodes <paramref name="input"/> into exactly <paramref name="output"/>'s length, or says what is wrong and at which offset of the block.</summary>
    public static DecompressError Decode(ReadOnlySpan<byte> input, Span<byte> output, out string detail)
    {
        int ip = 0;
        int op = 0;
        int state = 0;
        if (input.IsEmpty)
        {
            detail = "the block is empty";
            return DecompressError.Truncated;
        }

        if (input[0] > 17)
        {
            int count = input[ip++] - 17;
            var error = CopyLiterals(input, ref ip, output, ref op, count, out detail);
            if (error != DecompressError.None)
            {
                return error;
            }

            state = count < 4 ? count : 4;
        }

        while (true)
        {
            if (ip >= input.Length)
            {
                detail = $"the block ends at offset {ip} without its end marker";
                return DecompressError.Truncated;
            }

            int at = ip;
            int t = input[ip++];
            int length;
            int distance;
            int trailing;
            if (t < 16)
            {
                if (state == 0)
                {
                    length = t;
                    if (length == 0 && !ExtendLength(input, ref ip, 15, out length))
                    {
                        detail = $"the literal run at offset {at} has a length that runs off the input";
                        return DecompressError.Truncated;
                    }

                    var runError = CopyLiterals(input, ref ip, output, ref op, length + 3, out detail);
                    if (runError != DecompressError.None)
                    {
                        return runError;
                    }

                    state = 4;
                    continue;
                }

                if (ip >= input.Length)
                {
                    detail = $"the short match at offset {at} lacks its distance byte";
                    return DecompressError.Truncated;
                }

                distance = (input[ip++] << 2) + (t >> 2) + (state == 4 ? 2049 : 1);
                length = state == 4 ? 3 : 2;
                trailing = t & 3;
            }
            else if (t >= 64)
            {
                if (ip >= input.Length)
                {
                    detail = $"the match at offset {at} lacks its distance byte";
                    return DecompressError.Truncated;
                }

                length = (t >> 5) + 1;
                distance = (input[ip++] << 3) + ((t >> 2) & 7) + 1;
                trailing = t & 3;
            }
            else
            {
                int bits = t >= 32 ? 31 : 7;
                length = t & bits;
                if (length == 0 && !ExtendLength(input, ref ip, bits, out length))
                {
                    detail = $"the match at offset {at} has a length that runs off the input";
                    return DecompressError.Truncated;
                }

                length += 2;
                if (input.Length - ip < 2)
                {
                    detail = $"the match at offset {at} lacks its distance word";
                    return DecompressError.Truncated;
                }

                int word = input[ip] | (input[ip + 1] << 8);
                ip += 2;
                trailing = word & 3;
                if (t >= 32)
                {
                    distance = (word >> 2) + 1;
                }
                else
                {
                    distance = ((t & 8) << 11) + (word >> 2);
                    if (distance == 0)
                    {
                        return EndOfStream(input, ip, at, length, op, output.Length, out detail);
                    }

                    distance += 0x4000;
                }
            }

            if (distance > op)
            {
                detail = $"the match at offset {at} reaches {distance} bytes back, before the block's start ({op} bytes written)";
                return DecompressError.CorruptData;
            }

            if (length > output.Length - op)
            {
                detail = $"the match at offset {at} writes past the block's {output.Length} bytes";
                return DecompressError.CorruptData;
            }

            // Byte by byte: a match may overlap the bytes it is producing.
            for (int i = 0; i < length; i++)
            {
                output[op + i] = output[op + i - distance];
            }

            op += length;
            var literalError = CopyLiterals(input, ref ip, output, ref op, trailing, out detail);
            if (literalError != DecompressError.None)
            {
                return literalError;
            }

            state = trailing;
        }
    }

    private static DecompressError EndOfStream(ReadOnlySpan<byte> input, int ip, int at, int length, int op, int expected, out string detail)
    {
        if (length != 3)
        {
            detail = $"the end marker at offset {at} has length {length}, not 3";
            return DecompressError.CorruptData;
        }

        if (ip != input.Length)
        {
            detail = $"{input.Length - ip} bytes follow the end marker at offset {at}";
            return DecompressError.TrailingGarbage;
        }

        if (op != expected)
        {
            detail = $"the block decoded to {op} bytes, its header says {expected}";
            return DecompressError.SizeMismatch;
        }

        detail = "";
        return DecompressError.None;
    }

    /// <summary>A length of zero in the opcode: 255 per following zero byte, then the first non-zero byte, on top of <paramref name="bits"/>.</summary>
    private static bool ExtendLength(ReadOnlySpan<byte> input, ref int ip, int bits, out int length)
    {
        length = bits;
        while (ip < input.Length && input[ip] == 0)
        {
            length += 255;
            ip++;
        }

        if (ip >= input.Length)
        {
            return false;
        }

        length += input[ip++];
        return true;
    }

    private static DecompressError CopyLiterals(ReadOnlySpan<byte> input, ref int ip, Span<byte> output, ref int op, int count, out string detail)
    {
        if (count > input.Length - ip)
        {
            detail = $"{count} literals at offset {ip} run past the block's end";
            return DecompressError.Truncated;
        }

        if (count > output.Length - op)
        {
            detail = $"{count} literals at offset {ip} write past the block's {output.Length} bytes";
            return DecompressError.CorruptData;
        }

        input.Slice(ip, count).CopyTo(output[op..]);
        ip += count;
        op += count;
        detail = "";
        return DecompressError.None;
    }
}
