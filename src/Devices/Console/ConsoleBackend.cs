using System.Buffers.Binary;
using System.Text;

namespace ActorVisor.Devices.Console;

/// <summary>
/// The back-end of a PV console: drains what the guest wrote into the out ring, assembles it
/// into lines, and puts input into the in ring. It reads and writes the shared page given to
/// each call and keeps only the partial line between calls, so a restarted back-end resumes
/// from the indices in the page.
/// </summary>
/// <remarks>
/// Invariant: the back-end advances only out_cons and in_prod, never the guest's indices. A
/// guest that publishes an out_prod more than a ring's size ahead of out_cons is misbehaving;
/// the back-end then consumes only the last ring's worth and reports it as
/// <see cref="ConsoleDrainError.ProducerOverran"/>, never reading outside the ring.
/// </remarks>
public sealed class ConsoleBackend
{
    private readonly StringBuilder _partialLine = new();

    /// <summary>Longest line kept before it is cut, so a guest that never prints a newline cannot grow memory.</summary>
    public const int MaxLineChars = 4096;

    /// <summary>Bytes consumed from the guest since creation.</summary>
    public long BytesConsumed { get; private set; }

    /// <summary>Marks the console connected (0 in the connection byte), as a servicing back-end does.</summary>
    public static void Connect(Span<byte> page) => page[ConsoleRingLayout.ConnectionOffset] = 0;

    /// <summary>
    /// Copies everything between out_cons and out_prod, advances out_cons and returns the complete
    /// lines (without their newline). Returns how many bytes were consumed in <paramref name="consumed"/>.
    /// </summary>
    public ConsoleDrainError Drain(Span<byte> page, List<string> lines, out int consumed)
    {
        ValidatePage(page);
        var cons = ReadIndex(page, ConsoleRingLayout.OutConsumerOffset);
        var prod = ReadIndex(page, ConsoleRingLayout.OutProducerOffset);
        var pending = unchecked(prod - cons);
        var error = ConsoleDrainError.None;
        if (pending > ConsoleRingLayout.OutBytes)
        {
            error = ConsoleDrainError.ProducerOverran;
            cons = unchecked(prod - ConsoleRingLayout.OutBytes);
            pending = ConsoleRingLayout.OutBytes;
        }
        var ring = page.Slice(ConsoleRingLayout.OutOffset, ConsoleRingLayout.OutBytes);
        for (uint i = 0; i < pending; i++)
        {
            Append((char)ring[(int)((cons + i) & (ConsoleRingLayout.OutBytes - 1))], lines);
        }
        WriteIndex(page, ConsoleRingLayout.OutConsumerOffset, unchecked(cons + pending));
        consumed = (int)pending;
        BytesConsumed += pending;
        return error;
    }

    /// <summary>Puts as much of <paramref name="input"/> into the in ring as fits; returns how many bytes went in.</summary>
    public static int Feed(Span<byte> page, ReadOnlySpan<byte> input)
    {
        ValidatePage(page);
        var cons = ReadIndex(page, ConsoleRingLayout.InConsumerOffset);
        var prod = ReadIndex(page, ConsoleRingLayout.InProducerOffset);
        var used = unchecked(prod - cons);
        var free = used > ConsoleRingLayout.InBytes ? 0 : ConsoleRingLayout.InBytes - (int)used;
        var count = Math.Min(free, input.Length);
        var ring = page.Slice(ConsoleRingLayout.InOffset, ConsoleRingLayout.InBytes);
        for (var i = 0; i < count; i++)
        {
            ring[(int)((prod + (uint)i) & (ConsoleRingLayout.InBytes - 1))] = input[i];
        }
        WriteIndex(page, ConsoleRingLayout.InProducerOffset, unchecked(prod + (uint)count));
        return count;
    }

    /// <summary>Hands back a line the guest has started but not ended, for example when it shuts down.</summary>
    public string? FlushPartialLine()
    {
        if (_partialLine.Length == 0)
        {
            return null;
        }
        var line = _partialLine.ToString();
        _partialLine.Clear();
        return line;
    }

    private void Append(char c, List<string> lines)
    {
        if (c == '\n')
        {
            lines.Add(_partialLine.ToString());
            _partialLine.Clear();
            return;
        }
        if (c == '\r')
        {
            return;
        }
        _partialLine.Append(c);
        if (_partialLine.Length >= MaxLineChars)
        {
            lines.Add(_partialLine.ToString());
            _partialLine.Clear();
        }
    }

    private static void ValidatePage(Span<byte> page)
    {
        if (page.Length < ConsoleRingLayout.PageBytes)
        {
            throw new ArgumentException($"a console page is {ConsoleRingLayout.PageBytes} bytes, got {page.Length}", nameof(page));
        }
    }

    private static uint ReadIndex(Span<byte> page, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(page[offset..]);

    private static void WriteIndex(Span<byte> page, int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(page[offset..], value);
}
