using System.Runtime.CompilerServices;

namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>
/// The LZMA range decoder over one LZMA2 chunk's compressed bytes. Probabilities are 11-bit
/// estimates of a zero bit, adapted by 1/32 of the distance to the bound after each bit.
/// Reading past the chunk yields zero bytes and sets <see cref="Overrun"/>, which the chunk
/// decoder turns into an error; so corrupt input cannot index outside the buffer.
/// </summary>
internal ref struct RangeDecoder
{
    public const int ProbabilityBits = 11;
    public const ushort InitialProbability = 1 << (ProbabilityBits - 1);
    private const int AdaptShift = 5;
    private const uint TopValue = 1u << 24;

    private readonly ReadOnlySpan<byte> _input;
    private int _position;
    private uint _range;
    private uint _code;

    /// <summary>Starts on a chunk: the first byte must be zero, the next four are the initial code.</summary>
    public RangeDecoder(ReadOnlySpan<byte> input)
    {
        _input = input;
        _range = 0xFFFFFFFF;
        Overrun = input.Length < 5;
        if (!Overrun)
        {
            BadStart = input[0] != 0;
            _code = (uint)(input[1] << 24 | input[2] << 16 | input[3] << 8 | input[4]);
            _position = 5;
        }
    }

    public bool Overrun { get; private set; }

    /// <summary>The first byte of the chunk was not zero, which no encoder writes.</summary>
    public bool BadStart { get; }

    /// <summary>Compressed bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>True when the code is zero, as a correct encoder's flush leaves it at the end of the data.</summary>
    public readonly bool CodeIsZero => _code == 0;

    /// <summary>True when every byte was consumed and the code came back to zero, as a correct encoder's flush leaves it.</summary>
    public readonly bool FinishedCleanly => !Overrun && _position == _input.Length && _code == 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int DecodeBit(ref ushort probability)
    {
        uint p = probability;
        uint bound = (_range >> ProbabilityBits) * p;
        int bit;
        if (_code < bound)
        {
            _range = bound;
            probability = (ushort)(p + (((1u << ProbabilityBits) - p) >> AdaptShift));
            bit = 0;
        }
        else
        {
            _range -= bound;
            _code -= bound;
            probability = (ushort)(p - (p >> AdaptShift));
            bit = 1;
        }

        if (_range < TopValue)
        {
            Shift();
        }

        return bit;
    }

    /// <summary>Decodes <paramref name="bits"/> bits most significant first through a binary tree of probabilities.</summary>
    public int DecodeTree(Span<ushort> probabilities, int bits)
    {
        // The hot loop of literal decoding: the coder's state is kept in locals so it stays in registers.
        uint range = _range;
        uint code = _code;
        int position = _position;
        var input = _input;
        int symbol = 1;
        int end = 1 << bits;
        while (symbol < end)
        {
            ref ushort probability = ref probabilities[symbol];
            uint p = probability;
            uint bound = (range >> ProbabilityBits) * p;
            if (code < bound)
            {
                range = bound;
                probability = (ushort)(p + (((1u << ProbabilityBits) - p) >> AdaptShift));
                symbol <<= 1;
            }
            else
            {
                range -= bound;
                code -= bound;
                probability = (ushort)(p - (p >> AdaptShift));
                symbol = (symbol << 1) | 1;
            }

            if (range < TopValue)
            {
                ShiftLocal(ref range, ref code, ref position, input);
            }
        }

        _range = range;
        _code = code;
        _position = position;
        return symbol - end;
    }

    /// <summary>
    /// Decodes a literal after a match: while its bits agree with <paramref name="matchByte"/>
    /// the probabilities are chosen by the match byte's bit too, after the first difference by
    /// the plain tree.
    /// </summary>
    public int DecodeMatchedLiteral(Span<ushort> coder, int matchByte)
    {
        uint range = _range;
        uint code = _code;
        int position = _position;
        var input = _input;
        int symbol = 1;
        int offset = 0x100;
        while (symbol < 0x100)
        {
            matchByte <<= 1;
            int matchBit = matchByte & offset;
            ref ushort probability = ref coder[offset + matchBit + symbol];
            uint p = probability;
            uint bound = (range >> ProbabilityBits) * p;
            if (code < bound)
            {
                range = bound;
                probability = (ushort)(p + (((1u << ProbabilityBits) - p) >> AdaptShift));
                symbol <<= 1;
                offset &= ~matchBit;
            }
            else
            {
                range -= bound;
                code -= bound;
                probability = (ushort)(p - (p >> AdaptShift));
                symbol = (symbol << 1) | 1;
                offset &= matchBit;
            }

            if (range < TopValue)
            {
                ShiftLocal(ref range, ref code, ref position, input);
            }
        }

        _range = range;
        _code = code;
        _position = position;
        return symbol & 0xFF;
    }

    /// <summary>Decodes <paramref name="bits"/> bits least significant first through a binary tree of probabilities.</summary>
    public int DecodeReverseTree(Span<ushort> probabilities, int bits)
    {
        int symbol = 1;
        int result = 0;
        for (int i = 0; i < bits; i++)
        {
            int bit = DecodeBit(ref probabilities[symbol]);
            symbol = (symbol << 1) | bit;
            result |= bit << i;
        }

        return result;
    }

    /// <summary>Decodes bits of probability one half, most significant first.</summary>
    public uint DecodeDirect(int bits)
    {
        uint result = 0;
        for (int i = 0; i < bits; i++)
        {
            _range >>= 1;
            uint bit = _code >= _range ? 1u : 0u;
            _code -= _range & (0u - bit);
            result = (result << 1) | bit;
            if (_range < TopValue)
            {
                Shift();
            }
        }

        return result;
    }

    /// <summary>The same as <see cref="Shift"/> on a copy of the state held in locals by a hot loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ShiftLocal(ref uint range, ref uint code, ref int position, ReadOnlySpan<byte> input)
    {
        range <<= 8;
        if ((uint)position < (uint)input.Length)
        {
            code = (code << 8) | input[position++];
        }
        else
        {
            code <<= 8;
            Overrun = true;
        }
    }

    private void Shift()
    {
        _range <<= 8;
        if (_position < _input.Length)
        {
            _code = (_code << 8) | _input[_position++];
        }
        else
        {
            _code <<= 8;
            Overrun = true;
        }
    }
}
