namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>
/// The LZMA decoder that LZMA2 chunks drive: a 12-state machine over literals, matches and the
/// four most recent distances ("reps"), with adaptive probabilities per context.
///
/// Invariants: the dictionary is the output itself, from <c>dictionaryStart</c> (the last
/// dictionary reset) to the current position, so a match may reach back at most that far and at
/// most the dictionary size; a chunk decodes exactly its announced number of bytes and consumes
/// exactly its compressed bytes, and a match never runs past the chunk's end.
/// </summary>
internal sealed class LzmaDecoder
{
    private const int States = 12;
    private const int MaxPositionStates = 16;
    private const int LengthToPositionStates = 4;
    private const int PositionSlotBits = 6;
    private const int FirstModelledSlot = 4;
    private const int EndModelledSlot = 14;
    private const int FullDistances = 128;
    private const int AlignBits = 4;
    private const int MinMatchLength = 2;
    private const int LiteralCoderSize = 0x300;

    private readonly ushort[] _isMatch = new ushort[States * MaxPositionStates];
    private readonly ushort[] _isRep = new ushort[States];
    private readonly ushort[] _isRepG0 = new ushort[States];
    private readonly ushort[] _isRepG1 = new ushort[States];
    private readonly ushort[] _isRepG2 = new ushort[States];
    private readonly ushort[] _isRep0Long = new ushort[States * MaxPositionStates];
    private readonly ushort[] _positionSlot = new ushort[LengthToPositionStates << PositionSlotBits];
    private readonly ushort[] _specialPositions = new ushort[FullDistances - EndModelledSlot + 1];
    private readonly ushort[] _align = new ushort[1 << AlignBits];
    private ushort[] _literals = new ushort[LiteralCoderSize << 4];
    private readonly LengthDecoder _matchLength = new();
    private readonly LengthDecoder _repLength = new();

    private int _literalContextBits;
    private int _literalPositionMask;
    private int _positionMask;
    private int _state;
    private uint _rep0;
    private uint _rep1;
    private uint _rep2;
    private uint _rep3;

    /// <summary>
    /// Accepts a properties byte (pb * 45 + lp * 9 + lc): LZMA2 requires lc + lp at most 4; the
    /// legacy .lzma format allows lc up to 8 and lp up to 4.
    /// </summary>
    public bool TrySetProperties(byte properties, bool lzma2)
    {
        if (properties >= 9 * 5 * 5)
        {
            return false;
        }

        int lc = properties % 9;
        int lp = properties / 9 % 5;
        int pb = properties / 45;
        if (lzma2 && lc + lp > 4)
        {
            return false;
        }

        if (_literals.Length < LiteralCoderSize << (lc + lp))
        {
            _literals = new ushort[LiteralCoderSize << (lc + lp)];
        }

        _literalContextBits = lc;
        _literalPositionMask = (1 << lp) - 1;
        _positionMask = (1 << pb) - 1;
        return true;
    }

    /// <summary>Sets every probability back to one half, the state to 0 and all reps to 0.</summary>
    public void ResetState()
    {
        Array.Fill(_isMatch, RangeDecoder.InitialProbability);
        Array.Fill(_isRep, RangeDecoder.InitialProbability);
        Array.Fill(_isRepG0, RangeDecoder.InitialProbability);
        Array.Fill(_isRepG1, RangeDecoder.InitialProbability);
        Array.Fill(_isRepG2, RangeDecoder.InitialProbability);
        Array.Fill(_isRep0Long, RangeDecoder.InitialProbability);
        Array.Fill(_positionSlot, RangeDecoder.InitialProbability);
        Array.Fill(_specialPositions, RangeDecoder.InitialProbability);
        Array.Fill(_align, RangeDecoder.InitialProbability);
        Array.Fill(_literals, RangeDecoder.InitialProbability);

        _matchLength.Reset();
        _repLength.Reset();
        _state = 0;
        _rep0 = _rep1 = _rep2 = _rep3 = 0;
    }

    /// <summary>
    /// Decodes one LZMA2 chunk's compressed bytes into <paramref name="output"/>[position, end).
    /// The caller has reserved the room; <paramref name="dictionaryStart"/> is where the
    /// dictionary was last reset and <paramref name="dictionarySize"/> the farthest a match may reach.
    /// </summary>
    public DecompressError DecodeChunk(ReadOnlySpan<byte> compressed, byte[] output, int position, int end, int dictionaryStart, uint dictionarySize, out string detail)
    {
        var rc = new RangeDecoder(compressed);
        if (rc.BadStart)
        {
            detail = "an LZMA chunk's range coder does not start with a zero byte";
            return DecompressError.CorruptData;
        }

        var error = Decode(ref rc, output, ref position, end, end, dictionaryStart, dictionarySize, allowEndMarker: false, out _, out detail);
        if (error == DecompressError.None && !rc.FinishedCleanly)
        {
            detail = rc.Overrun ? "an LZMA chunk needs more compressed bytes than its header gives" : "an LZMA chunk does not end where its header says";
            return DecompressError.CorruptData;
        }

        return error;
    }

    /// <summary>
    /// Decodes symbols while the position is below <paramref name="softEnd"/>; no byte is
    /// written at or past <paramref name="hardEnd"/> (that is corrupt data). With
    /// <paramref name="allowEndMarker"/> an end-of-stream marker stops decoding and sets
    /// <paramref name="endMarker"/>; otherwise it is corrupt data. The state carries over to the next call.
    /// </summary>
    public DecompressError Decode(ref RangeDecoder rc, byte[] output, ref int position, int softEnd, int hardEnd, int dictionaryStart, uint dictionarySize, bool allowEndMarker, out bool endMarker, out string detail)
    {
        endMarker = false;
        int pos = position;
        int state = _state;
        uint rep0 = _rep0, rep1 = _rep1, rep2 = _rep2, rep3 = _rep3;
        int lc = _literalContextBits;
        Span<ushort> literals = _literals;
        Span<ushort> isMatch = _isMatch;
        while (pos < softEnd)
        {
            int posState = (pos - dictionaryStart) & _positionMask;
            if (rc.DecodeBit(ref isMatch[(state * MaxPositionStates) + posState]) == 0)
            {
                if (pos >= hardEnd)
                {
                    detail = $"a literal at output offset {pos} lies past the end of the data";
                    return DecompressError.CorruptData;
                }

                int previous = pos > dictionaryStart ? output[pos - 1] : 0;
                int context = (((pos - dictionaryStart) & _literalPositionMask) << lc) + (previous >> (8 - lc));
                var coder = literals.Slice(context * LiteralCoderSize, LiteralCoderSize);
                int symbol;
                if (state < 7)
                {
                    symbol = rc.DecodeTree(coder, 8);
                }
                else
                {
                    int matchByte = pos - dictionaryStart > rep0 ? output[pos - (int)rep0 - 1] : 0;
                    symbol = rc.DecodeMatchedLiteral(coder, matchByte);
                }

                output[pos++] = (byte)symbol;
                state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
                continue;
            }

            int length;
            if (rc.DecodeBit(ref _isRep[state]) == 0)
            {
                length = _matchLength.Decode(ref rc, posState);
                state = state < 7 ? 7 : 10;
                uint distance = DecodeDistance(ref rc, length);
                if (distance == 0xFFFFFFFF)
                {
                    if (allowEndMarker)
                    {
                        endMarker = true;
                        break;
                    }

                    detail = "an LZMA2 chunk contains an end-of-stream marker";
                    return DecompressError.CorruptData;
                }

                rep3 = rep2;
                rep2 = rep1;
                rep1 = rep0;
                rep0 = distance;
            }
            else
            {
                if (rc.DecodeBit(ref _isRepG0[state]) == 0)
                {
                    if (rc.DecodeBit(ref _isRep0Long[(state * MaxPositionStates) + posState]) == 0)
                    {
                        state = state < 7 ? 9 : 11;
                        if (pos - dictionaryStart <= rep0 || pos >= hardEnd)
                        {
                            detail = $"a short repeat at output offset {pos} reaches before the dictionary or past the end";
                            return DecompressError.CorruptData;
                        }

                        output[pos] = output[pos - (int)rep0 - 1];
                        pos++;
                        continue;
                    }
                }
                else
                {
                    uint distance;
                    if (rc.DecodeBit(ref _isRepG1[state]) == 0)
                    {
                        distance = rep1;
                    }
                    else
                    {
                        if (rc.DecodeBit(ref _isRepG2[state]) == 0)
                        {
                            distance = rep2;
                        }
                        else
                        {
                            distance = rep3;
                            rep3 = rep2;
                        }

                        rep2 = rep1;
                    }

                    rep1 = rep0;
                    rep0 = distance;
                }

                length = _repLength.Decode(ref rc, posState);
                state = state < 7 ? 8 : 11;
            }

            if (pos - dictionaryStart <= rep0 || rep0 >= dictionarySize)
            {
                detail = $"a match at output offset {pos} reaches {rep0 + 1} bytes back, before the dictionary";
                return DecompressError.CorruptData;
            }

            if (length > hardEnd - pos)
            {
                detail = $"a match at output offset {pos} runs past the end of its chunk";
                return DecompressError.CorruptData;
            }

            CopyMatch(output, pos, (int)rep0 + 1, length);
            pos += length;
        }

        _state = state;
        _rep0 = rep0;
        _rep1 = rep1;
        _rep2 = rep2;
        _rep3 = rep3;
        position = pos;
        detail = "";
        return DecompressError.None;
    }

    /// <summary>Decodes a match distance minus one: a 6-bit slot, then modelled, direct and aligned low bits.</summary>
    private uint DecodeDistance(ref RangeDecoder rc, int length)
    {
        int lengthState = Math.Min(length - MinMatchLength, LengthToPositionStates - 1);
        int slot = rc.DecodeTree(_positionSlot.AsSpan(lengthState << PositionSlotBits, 1 << PositionSlotBits), PositionSlotBits);
        if (slot < FirstModelledSlot)
        {
            return (uint)slot;
        }

        int directBits = (slot >> 1) - 1;
        uint distance = (uint)(2 | (slot & 1)) << directBits;
        if (slot < EndModelledSlot)
        {
            return distance + (uint)rc.DecodeReverseTree(_specialPositions.AsSpan((int)distance - slot), directBits);
        }

        distance += rc.DecodeDirect(directBits - AlignBits) << AlignBits;
        return distance + (uint)rc.DecodeReverseTree(_align, AlignBits);
    }

    private static void CopyMatch(byte[] output, int pos, int distance, int length)
    {
        int from = pos - distance;
        if (distance >= length)
        {
            Buffer.BlockCopy(output, from, output, pos, length);
            return;
        }

        for (int i = 0; i < length; i++)
        {
            output[pos + i] = output[from + i];
        }
    }

    /// <summary>Match lengths 2..273: a choice between 8 low, 8 middle (per position state) and 256 high values.</summary>
    private sealed class LengthDecoder
    {
        private const int LowBits = 3;
        private const int MidBits = 3;
        private const int HighBits = 8;
        private readonly ushort[] _choice = new ushort[2];
        private readonly ushort[] _low = new ushort[MaxPositionStates << LowBits];
        private readonly ushort[] _mid = new ushort[MaxPositionStates << MidBits];
        private readonly ushort[] _high = new ushort[1 << HighBits];

        public void Reset()
        {
            Array.Fill(_choice, RangeDecoder.InitialProbability);
            Array.Fill(_low, RangeDecoder.InitialProbability);
            Array.Fill(_mid, RangeDecoder.InitialProbability);
            Array.Fill(_high, RangeDecoder.InitialProbability);
        }

        public int Decode(ref RangeDecoder rc, int posState)
        {
            if (rc.DecodeBit(ref _choice[0]) == 0)
            {
                return MinMatchLength + rc.DecodeTree(_low.AsSpan(posState << LowBits, 1 << LowBits), LowBits);
            }

            if (rc.DecodeBit(ref _choice[1]) == 0)
            {
                return MinMatchLength + (1 << LowBits) + rc.DecodeTree(_mid.AsSpan(posState << MidBits, 1 << MidBits), MidBits);
            }

            return MinMatchLength + (1 << LowBits) + (1 << MidBits) + rc.DecodeTree(_high, HighBits);
        }
    }
}
