using System.Buffers.Binary;

namespace ActorVisor.Devices.Net;

/// <summary>
/// Writes a classic libpcap capture (the tcpdump format: a 24-byte global header, then a 16-byte
/// record header before each packet) of Ethernet frames (LINKTYPE_ETHERNET), one file per vif.
/// Timestamps come from the clock it is given (the host's virtual clock), in microseconds since
/// the Unix epoch. Each packet is written when it passes, so the file grows as the vif runs;
/// <see cref="Flush"/> pushes it to the file system. Thread-safe.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    /// <summary>The magic number of a microsecond-resolution capture, written little-endian.</summary>
    public const uint Magic = 0xA1B2C3D4;

    public const ushort VersionMajor = 2;
    public const ushort VersionMinor = 4;

    /// <summary>LINKTYPE_ETHERNET: frames begin with destination and source MAC.</summary>
    public const uint LinkTypeEthernet = 1;

    public const int GlobalHeaderBytes = 24;
    public const int RecordHeaderBytes = 16;

    private readonly Lock _lock = new();
    private readonly Stream _stream;
    private readonly TimeProvider _clock;
    private readonly bool _leaveOpen;
    private readonly byte[] _recordHeader = new byte[RecordHeaderBytes];
    private bool _disposed;

    /// <param name="stream">Where the capture goes (writable; positioned at its start).</param>
    /// <param name="clock">Source of the packet timestamps.</param>
    /// <param name="snapLength">Most bytes kept of each packet; longer packets are cut, their real length recorded.</param>
    public PcapWriter(Stream stream, TimeProvider clock, int snapLength = 65535, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfLessThan(snapLength, 1);
        _stream = stream;
        _clock = clock;
        _leaveOpen = leaveOpen;
        SnapLength = snapLength;
        Span<byte> header = stackalloc byte[GlobalHeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], VersionMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], VersionMinor);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0); // thiszone: timestamps are UTC
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0); // sigfigs
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], LinkTypeEthernet);
        _stream.Write(header);
    }

    /// <summary>Creates (or truncates) the capture file at <paramref name="path"/>.</summary>
    public static PcapWriter Create(string path, TimeProvider clock, int snapLength = 65535) =>
        new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read), clock, snapLength);

    public int SnapLength { get; }

    public long PacketsWritten { get; private set; }

    /// <summary>Appends one frame, stamped with the clock's time now (nothing once disposed: a vif may outlive its capture).</summary>
    public void Write(ReadOnlySpan<byte> frame)
    {
        var micros = (_clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
        if (micros < 0)
        {
            micros = 0;
        }
        var kept = Math.Min(frame.Length, SnapLength);
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            BinaryPrimitives.WriteUInt32LittleEndian(_recordHeader, (uint)(micros / 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(_recordHeader.AsSpan(4), (uint)(micros % 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(_recordHeader.AsSpan(8), (uint)kept);
            BinaryPrimitives.WriteUInt32LittleEndian(_recordHeader.AsSpan(12), (uint)frame.Length);
            _stream.Write(_recordHeader);
            _stream.Write(frame[..kept]);
            PacketsWritten++;
        }
    }

    public void Flush()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _stream.Flush();
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _stream.Flush();
            if (!_leaveOpen)
            {
                _stream.Dispose();
            }
        }
    }
}
