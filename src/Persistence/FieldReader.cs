using System.Buffers.Binary;
using System.Text;
using ActorVisor.Hypervisor.Snapshots;

namespace ActorVisor.Persistence;

/// <summary>
/// Reads the little-endian fields of a length-checked buffer (a registry event, a record of an
/// export file). Every read checks that the bytes are there and every length against its bound
/// before anything is allocated; a failure is a <see cref="SnapshotFormatException"/> naming
/// <see cref="What"/>, the field and its offset (<see cref="BaseOffset"/> plus the position).
/// </summary>
internal ref struct FieldReader(ReadOnlySpan<byte> buffer, string what, long baseOffset = 0)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;

    public int Position { get; private set; }

    public readonly string What => what;

    public readonly long BaseOffset => baseOffset;

    public readonly int Remaining => _buffer.Length - Position;

    public byte U8(string field) => Take(1, field)[0];

    public ushort U16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));

    public uint U32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));

    public int I32(string field) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, field));

    public long I64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, field));

    /// <summary>An i64 that must lie in 0..<paramref name="max"/>.</summary>
    public long Bounded(string field, long max)
    {
        var at = Position;
        var value = I64(field);
        if (value < 0 || value > max)
        {
            throw Fail(at, $"{field} {value} is outside 0..{max}");
        }
        return value;
    }

    /// <summary>A u16 byte count and that many bytes of UTF-8, at most <paramref name="maxBytes"/>.</summary>
    public string Text(string field, int maxBytes)
    {
        var at = Position;
        var length = U16(field);
        if (length > maxBytes)
        {
            throw Fail(at, $"{field} is {length} bytes long, more than the {maxBytes} allowed");
        }
        var bytes = Take(length, field);
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Fail(at, $"{field} is not valid UTF-8");
        }
    }

    /// <summary>A u32 byte count and that many bytes, at most <paramref name="maxBytes"/>.</summary>
    public byte[] Blob(string field, int maxBytes)
    {
        var at = Position;
        var length = U32(field);
        if (length > maxBytes)
        {
            throw Fail(at, $"{field} claims {length} bytes, more than the {maxBytes} allowed");
        }
        return Take((int)length, field).ToArray();
    }

    /// <summary>The next <paramref name="count"/> bytes.</summary>
    public ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count < 0 || count > Remaining)
        {
            throw Fail(Position, $"truncated: {field} needs {count} bytes, {Remaining} left");
        }
        var span = _buffer.Slice(Position, count);
        Position += count;
        return span;
    }

    public readonly void End()
    {
        if (Remaining != 0)
        {
            throw Fail(Position, $"{Remaining} unexpected bytes after the last field");
        }
    }

    public readonly SnapshotFormatException Fail(int position, string message) =>
        new($"{what}, offset {baseOffset + position}: {message}");
}

/// <summary>Writes the fields <see cref="FieldReader"/> reads.</summary>
internal sealed class FieldWriter
{
    private readonly MemoryStream _stream = new();

    public long Length => _stream.Length;

    public FieldWriter U8(byte value)
    {
        _stream.WriteByte(value);
        return this;
    }

    public FieldWriter U16(ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        _stream.Write(b);
        return this;
    }

    public FieldWriter U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        _stream.Write(b);
        return this;
    }

    public FieldWriter I32(int value) => U32((uint)value);

    public FieldWriter I64(long value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, value);
        _stream.Write(b);
        return this;
    }

    public FieldWriter Text(string value, int maxBytes)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > maxBytes)
        {
            throw new ArgumentException($"'{value}' is {bytes.Length} bytes of UTF-8, more than the {maxBytes} allowed");
        }
        U16((ushort)bytes.Length);
        _stream.Write(bytes);
        return this;
    }

    public FieldWriter Blob(ReadOnlySpan<byte> value)
    {
        U32((uint)value.Length);
        _stream.Write(value);
        return this;
    }

    public FieldWriter Raw(ReadOnlySpan<byte> value)
    {
        _stream.Write(value);
        return this;
    }

    public byte[] ToArray() => _stream.ToArray();

    public void Clear() => _stream.SetLength(0);
}
