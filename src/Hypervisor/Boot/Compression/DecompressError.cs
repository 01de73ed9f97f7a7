namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>Why a compressed kernel payload could not be decompressed; every case is a property of the input file.</summary>
public enum DecompressError
{
    None = 0,

    /// <summary>The data does not start with the magic of any compression format this loader knows.</summary>
    UnknownFormat,

    /// <summary>The format is recognised (bzip2, lzma, lzo, lz4, zstd) but this loader does not decode it.</summary>
    UnsupportedFormat,

    /// <summary>The input ends before the format says it should.</summary>
    Truncated,

    /// <summary>A stream header, block header, index or footer does not follow the .xz format.</summary>
    BadContainer,

    /// <summary>The .xz stream uses a filter, check or option this decoder does not implement.</summary>
    UnsupportedOption,

    /// <summary>The compressed data is inconsistent (an impossible chunk, distance or range-coder state).</summary>
    CorruptData,

    /// <summary>A CRC32, CRC64 or SHA-256 over a header, the index or the data does not match.</summary>
    ChecksumMismatch,

    /// <summary>The sizes recorded in block headers or the index disagree with the data actually decoded.</summary>
    SizeMismatch,

    /// <summary>The decompressed data would exceed the caller's output limit.</summary>
    OutputTooLarge,

    /// <summary>Non-zero bytes follow the last stream where only stream padding may be.</summary>
    TrailingGarbage,
}
