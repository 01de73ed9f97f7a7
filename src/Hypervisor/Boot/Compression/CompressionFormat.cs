namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>The compression formats Linux can use for a bzImage payload, recognised by their leading magic.</summary>
public enum CompressionFormat
{
    Unknown = 0,
    Xz,
    Gzip,
    Bzip2,
    Lzma,
    Lzo,
    Lz4,
    Zstd,
}
