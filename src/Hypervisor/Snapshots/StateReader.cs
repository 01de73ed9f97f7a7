using System.Buffers.Binary;
using System.Text;

namespace ActorVisor.Hypervisor.Snapshots;

/// <summary>
/// Reads a payload written by <see cref="StateWriter"/>, checking every read against what is left:
/// a count or a length is checked against the bytes that remain (and a caller's limit) before
/// anything is allocated for it, so a corrupt length can neither read past the end nor make a
/// huge allocation. Every failure is a <see cref="SnapshotFormatException"/> naming the section,
/// the byte offset and what was expected there.
/// </summary>
public sealed class StateReader
{
    private readonly byte[] _payload;
    private int _offset;

    public StateReader(StateSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        Section = section.Name;
        Version = section.Version;
        _payload = section.Payload ?? throw new SnapshotFormatException($"section '{section.Name}' has no payload");
    }

    /// <summary>The name of the section being read, for messages.</summary>
    public string Section { get; }

    /// <summary>The state version the section was written with.</summary>
    public int Version { get; }

    public int Remaining => _payload.Length - _offset;

    public byte Byte(string what) => Take(1, what)[0];

    public bool Bool(string what)
    {
        int at = _offset;
        byte b = Byte(what);
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw Fail(at, $"{what}: a boolean (0 or 1), found {b}"),
        };
    }

    public ushort UInt16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, what));

    public uint UInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));

    public int Int32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, what));

    public ulong UInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));

    public long Int64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, what));

    public double Double(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, what));

    /// <summary>
    /// A count of elements that each take at least <paramref name="minElementBytes"/> bytes: it must
    /// be at most <paramref name="max"/> and fit in what is left, so a corrupt count fails here.
    /// </summary>
    public int Count(string what, int max, int minElementBytes = 1)
    {
        int at = _offset;
        int count = Int32(what + " count");
        if (count < 0 || count > max)
        {
            throw Fail(at, $"{what}: a count between 0 and {max}, found {count}");
        }

        if ((long)count * Math.Max(minElementBytes, 0) > Remaining)
        {
            throw Fail(at, $"{what}: {count} elements of at least {minElementBytes} bytes, but only {Remaining} bytes are left");
        }

        return count;
    }

    /// <summary>A length-prefixed byte string of at most <paramref name="maxLength"/> bytes.</summary>
    public byte[] Bytes(string what, int maxLength)
    {
        int length = Count(what, maxLength);
        return Take(length, what).ToArray();
    }

    /// <summary>Exactly <paramref name="length"/> bytes without a prefix (a page).</summary>
    public ReadOnlySpan<byte> Fixed(int length, string what) => Take(length, what);

    /// <summary>A length-prefixed UTF-8 string of at most <paramref name="maxBytes"/> bytes.</summary>
    public string String(string what, int maxBytes = 4096)
    {
        int at = _offset;
        var bytes = Bytes(what, maxBytes);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Fail(at, $"{what}: UTF-8 text");
        }
    }

    public string? OptionalString(string what, int maxBytes = 4096) => Bool(what + " present") ? String(what, maxBytes) : null;

    /// <summary>A 32-bit value that must be one of an enum's defined values.</summary>
    public TEnum Enum<TEnum>(string what)
        where TEnum : struct, System.Enum
    {
        int at = _offset;
        int raw = Int32(what);
        var value = (TEnum)(object)raw;
        if (!System.Enum.IsDefined(value))
        {
            throw Fail(at, $"{what}: one of {string.Join(", ", System.Enum.GetNames<TEnum>())}, found {raw}");
        }

        return value;
    }

    /// <summary>Refuses a value that breaks a rule of the state, naming where it was read.</summary>
    public SnapshotFormatException Invalid(string what) => Fail(_offset, what);

    /// <summary>Checks that the whole payload was read.</summary>
    public void End()
    {
        if (Remaining != 0)
        {
            throw Fail(_offset, $"the end of the section, found {Remaining} more bytes");
        }
    }

    private ReadOnlySpan<byte> Take(int bytes, string what)
    {
        if (bytes > Remaining)
        {
            throw Fail(_offset, $"{what} ({bytes} bytes), but only {Remaining} bytes are left");
        }

        var span = _payload.AsSpan(_offset, bytes);
        _offset += bytes;
        return span;
    }

    private SnapshotFormatException Fail(int at, string expected) =>
        new($"section '{Section}' (version {Version}) at byte {at}: expected {expected}");
}
