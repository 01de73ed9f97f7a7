using ActorVisor.Hypervisor.Boot.Compression;

namespace ActorVisor.Hypervisor.Boot;

/// <summary>Why a bzImage could not be unwrapped; each case is a property of the file.</summary>
public enum BzImageError
{
    None = 0,

    /// <summary>The file has no boot sector signature and setup header, so it is not a bzImage.</summary>
    NotBzImage,

    /// <summary>The boot protocol is older than 2.08 and does not say where the payload is.</summary>
    ProtocolTooOld,

    /// <summary>The payload offset and length point outside the file.</summary>
    PayloadOutsideFile,

    /// <summary>The payload could not be decompressed; <see cref="BzImageResult.Compression"/> says why.</summary>
    DecompressionFailed,

    /// <summary>The payload decompressed, but not to an ELF image.</summary>
    PayloadNotElf,
}

/// <summary>Outcome of unwrapping a bzImage: the ELF bytes and the payload's format, or the refusal.</summary>
public readonly record struct BzImageResult(byte[]? Elf, CompressionFormat Format, BzImageError Error, DecompressError Compression, string Detail)
{
    public bool Succeeded => Elf is not null;

    public static BzImageResult Fail(BzImageError error, DecompressError compression, string detail) => new(null, CompressionFormat.Unknown, error, compression, detail);
}
