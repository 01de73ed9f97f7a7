using System.Buffers.Binary;
using System.Text;

namespace ActorVisor.Hypervisor.Snapshots;

/// <summary>
/// Builds the payload of one <see cref="StateSection"/>: fixed-width little-endian integers, and
/// counts and byte strings prefixed with their 32-bit length. <see cref="StateReader"/> reads the
/// same encoding back. The encoding carries no field names or types: a component's state version
/// says what the bytes mean, and the component's persist file writes and reads them in one order.
/// </summary>
public sealed class StateWriter
{
    private byte[] _buffer = new byte[256];
    private int _length;

    public int Length => _length;

    public void Byte(byte value) => Reserve(1)[0] = value;

    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    public void UInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);

    public void UInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    public void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    public void UInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    public void Int64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    public void Double(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);

    /// <summary>The number of elements that follow (a list, a dictionary).</summary>
    public void Count(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Int32(count);
    }

    /// <summary>A length-prefixed byte string.</summary>
    public void Bytes(ReadOnlySpan<byte> value)
    {
        Count(value.Length);
        value.CopyTo(Reserve(value.Length));
    }

    /// <summary>Bytes of a length both sides know (a page), without a prefix.</summary>
    public void Fixed(ReadOnlySpan<byte> value) => value.CopyTo(Reserve(value.Length));

    /// <summary>A length-prefixed UTF-8 string.</summary>
    public void String(string value) => Bytes(Encoding.UTF8.GetBytes(value));

    /// <summary>A string that may be null: a presence byte, then the string.</summary>
    public void OptionalString(string? value)
    {
        Bool(value is not null);
        if (value is not null)
        {
            String(value);
        }
    }

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    /// <summary>The finished payload as a section named <paramref name="name"/> at <paramref name="version"/>.</summary>
    public StateSection ToSection(string name, int version) => new(name, version, ToArray());

    private Span<byte> Reserve(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }

        var span = _buffer.AsSpan(_length, bytes);
        _length += bytes;
        return span;
    }
}
