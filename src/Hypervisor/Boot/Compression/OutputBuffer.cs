namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>
/// The growing array decoders write into. It never grows past the caller's limit, so a hostile
/// size field can make decoding fail but never make the host allocate without bound.
/// </summary>
internal sealed class OutputBuffer
{
    private readonly long _limitBytes;

    public OutputBuffer(long limitBytes, long expectedBytes)
    {
        _limitBytes = limitBytes;
        Array = new byte[(int)Math.Clamp(expectedBytes, 0, Math.Min(limitBytes, 64L << 20))];
    }

    public byte[] Array { get; private set; }

    /// <summary>Bytes written so far; everything before this index is final.</summary>
    public int Length { get; set; }

    /// <summary>Makes room for <paramref name="more"/> further bytes, or returns false if that would pass the limit.</summary>
    public bool Reserve(long more)
    {
        long needed = Length + more;
        if (needed > _limitBytes || needed > System.Array.MaxLength)
        {
            return false;
        }

        if (needed > Array.Length)
        {
            long grown = Math.Min(Math.Max(needed, (long)Array.Length * 2), Math.Min(_limitBytes, System.Array.MaxLength));
            var bigger = new byte[grown];
            Array.AsSpan(0, Length).CopyTo(bigger);
            Array = bigger;
        }

        return true;
    }

    /// <summary>
    /// Free space for up to <paramref name="maxBytes"/> further bytes: what the array has left, or,
    /// only when it is full, room in a grown array (false if that would pass the limit). Writers that
    /// do not know how much comes next use it, so that an array sized to the expected output is
    /// filled exactly and never grown.
    /// </summary>
    public bool TryGetRoom(long maxBytes, out Span<byte> room)
    {
        if (Length == Array.Length && !Reserve(Math.Min(maxBytes, _limitBytes - Length)))
        {
            room = default;
            return false;
        }

        room = Array.AsSpan(Length, (int)Math.Min(maxBytes, Array.Length - Length));
        return true;
    }

    public byte[] ToArray() => Array.Length == Length ? Array : Array.AsSpan(0, Length).ToArray();
}
