namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>Why a compressed kernel payload could not be decompressed; every case is a property of the input file.</summary>
public enum DecompressError
{
    None = 0,

    /// <summary>The data does not start with the magic of any compression format this loader knows.</summary>
    UnknownFormat,

    /// <summary>The input ends before the format says it should.</summary>
    Truncated,

    /// <summary>A stream, frame or file header, block header, index or footer does not follow its format.</summary>
    BadContainer,

    /// <summary>The stream uses a filter, check, method or option this decoder does not implement.</summary>
    UnsupportedOption,

    /// <summary>The compressed data is inconsistent (an impossible chunk, distance or range-coder state).</summary>
    CorruptData,

    /// <summary>A CRC32, CRC64, SHA-256, Adler-32 or XXH64 over a header, the index or the data does not match.</summary>
    ChecksumMismatch,

    /// <summary>The sizes recorded in block headers or the index disagree with the data actually decoded.</summary>
    SizeMismatch,

    /// <summary>The decompressed data would exceed the caller's output limit.</summary>
    OutputTooLarge,

    /// <summary>Bytes follow the end of the last stream where none (or only stream padding) may be.</summary>
    TrailingGarbage,
}
