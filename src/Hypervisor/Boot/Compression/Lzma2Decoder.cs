namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>
/// Decodes an LZMA2 stream: a sequence of chunks, each either stored bytes or LZMA data with
/// its sizes in the chunk header, ended by a zero control byte.
///
/// Control byte: 0x00 ends the stream; 0x01 is a stored chunk that resets the dictionary, 0x02
/// one that keeps it (both followed by a 16-bit big-endian size minus one); 0x80..0xFF is an
/// LZMA chunk whose bits 0-4 are bits 16-20 of the unpacked size minus one and whose bits 5-6
/// say what is reset: 0 nothing, 1 the state, 2 the state and new properties, 3 also the
/// dictionary. Then come the unpacked size minus one (16 bits), the packed size minus one
/// (16 bits) and, for resets 2 and 3, the properties byte. The first chunk must reset the
/// dictionary and an LZMA chunk must not come before properties were given.
/// </summary>
internal static class Lzma2Decoder
{
    /// <summary>The dictionary size a one-byte LZMA2 filter property encodes, or null if the byte is invalid.</summary>
    public static uint? DictionarySize(byte property)
    {
        if (property > 40)
        {
            return null;
        }

        return property == 40 ? uint.MaxValue : (2u | (property & 1u)) << (property / 2 + 11);
    }

    /// <summary>
    /// Decodes from <paramref name="input"/> and appends to <paramref name="output"/>; on success
    /// <paramref name="consumed"/> is the number of input bytes, end marker included.
    /// </summary>
    public static DecompressError Decode(ReadOnlySpan<byte> input, uint dictionarySize, OutputBuffer output, out int consumed, out string detail)
    {
        var lzma = new LzmaDecoder();
        int pos = 0;
        int dictionaryStart = output.Length;
        bool needDictionaryReset = true;
        bool needProperties = true;
        consumed = 0;
        while (true)
        {
            if (pos >= input.Length)
            {
                detail = "the LZMA2 data ends without its end marker";
                return DecompressError.Truncated;
            }

            int control = input[pos++];
            if (control == 0x00)
            {
                consumed = pos;
                detail = "";
                return DecompressError.None;
            }

            if (control is 0x01 or 0x02)
            {
                if (control == 0x01)
                {
                    dictionaryStart = output.Length;
                    needDictionaryReset = false;
                }
                else if (needDictionaryReset)
                {
                    detail = "the first LZMA2 chunk does not reset the dictionary";
                    return DecompressError.CorruptData;
                }

                if (input.Length - pos < 2)
                {
                    detail = "an LZMA2 stored chunk header is cut short";
                    return DecompressError.Truncated;
                }

                int size = (input[pos] << 8 | input[pos + 1]) + 1;
                pos += 2;
                if (input.Length - pos < size)
                {
                    detail = "an LZMA2 stored chunk is cut short";
                    return DecompressError.Truncated;
                }

                if (!output.Reserve(size))
                {
                    detail = "the decompressed data passes the output limit";
                    return DecompressError.OutputTooLarge;
                }

                input.Slice(pos, size).CopyTo(output.Array.AsSpan(output.Length));
                output.Length += size;
                pos += size;
                continue;
            }

            if (control < 0x80)
            {
                detail = $"LZMA2 control byte 0x{control:x2} is invalid";
                return DecompressError.CorruptData;
            }

            int reset = (control >> 5) & 3;
            int headerBytes = reset >= 2 ? 5 : 4;
            if (input.Length - pos < headerBytes)
            {
                detail = "an LZMA2 chunk header is cut short";
                return DecompressError.Truncated;
            }

            int unpacked = ((control & 0x1F) << 16 | input[pos] << 8 | input[pos + 1]) + 1;
            int packed = (input[pos + 2] << 8 | input[pos + 3]) + 1;
            pos += 4;
            if (reset == 3)
            {
                dictionaryStart = output.Length;
                needDictionaryReset = false;
            }
            else if (needDictionaryReset)
            {
                detail = "the first LZMA2 chunk does not reset the dictionary";
                return DecompressError.CorruptData;
            }

            if (reset >= 2)
            {
                if (!lzma.TrySetProperties(input[pos++], lzma2: true))
                {
                    detail = $"LZMA properties byte 0x{input[pos - 1]:x2} is invalid (lc + lp must be at most 4)";
                    return DecompressError.CorruptData;
                }

                needProperties = false;
            }
            else if (needProperties)
            {
                detail = "an LZMA2 chunk comes before any LZMA properties";
                return DecompressError.CorruptData;
            }

            if (reset >= 1)
            {
                lzma.ResetState();
            }

            if (input.Length - pos < packed)
            {
                detail = "an LZMA2 chunk's compressed data is cut short";
                return DecompressError.Truncated;
            }

            if (!output.Reserve(unpacked))
            {
                detail = "the decompressed data passes the output limit";
                return DecompressError.OutputTooLarge;
            }

            int start = output.Length;
            var error = lzma.DecodeChunk(input.Slice(pos, packed), output.Array, start, start + unpacked, dictionaryStart, dictionarySize, out detail);
            if (error != DecompressError.None)
            {
                return error;
            }

            output.Length = start + unpacked;
            pos += packed;
        }
    }
}
