using System.Buffers.Binary;
using ActorVisor.Hypervisor.Boot.Compression;

namespace ActorVisor.Hypervisor.Boot;

/// <summary>
/// Unwraps a Linux bzImage the way Xen's domain builder does: the x86 boot sector and setup
/// code are skipped and the compressed kernel (an ELF image) named by the boot protocol's
/// payload_offset and payload_length is decompressed.
///
/// Facts of the boot protocol used here: setup_sects (u8 at 0x1F1, 0 meaning 4) counts the
/// 512-byte setup sectors after the boot sector; the boot-sector signature 0xAA55 is at 0x1FE;
/// "HdrS" at 0x202 and the protocol version (u16 at 0x206) follow; from version 2.08 on,
/// payload_offset (u32 at 0x248, relative to the protected-mode code) and payload_length (u32
/// at 0x24C) locate the payload. The payload's format is told by its magic (Linux's build writes
/// no other marker); Linux appends the decompressed size as the payload's last four bytes
/// (little-endian, its size_append) for every format except gzip, and the decoded kernel must
/// have exactly that size. zstd, lz4, bzip2 and lzop decoders are given the payload without
/// those four bytes, so that they can refuse anything after the end of their stream.
/// </summary>
public static class BzImage
{
    private const int SetupSectorsOffset = 0x1F1;
    private const int BootFlagOffset = 0x1FE;
    private const int HeaderMagicOffset = 0x202;
    private const int VersionOffset = 0x206;
    private const int PayloadOffsetOffset = 0x248;
    private const int PayloadLengthOffset = 0x24C;
    private const int SectorBytes = 512;
    private const ushort BootFlag = 0xAA55;
    private const ushort MinimumVersion = 0x0208;

    private static ReadOnlySpan<byte> ElfMagic => [0x7F, (byte)'E', (byte)'L', (byte)'F'];

    /// <summary>True if the file has a boot sector signature and the "HdrS" setup header; such a file is never an ELF.</summary>
    public static bool IsBzImage(ReadOnlySpan<byte> file) =>
        file.Length >= PayloadLengthOffset + 4
        && BinaryPrimitives.ReadUInt16LittleEndian(file[BootFlagOffset..]) == BootFlag
        && file.Slice(HeaderMagicOffset, 4).SequenceEqual("HdrS"u8);

    /// <summary>Finds, decompresses and returns the ELF kernel inside a bzImage, or why that failed.</summary>
    public static BzImageResult Unwrap(ReadOnlySpan<byte> file, long maxOutputBytes = XzDecoder.DefaultMaxOutputBytes)
    {
        if (!IsBzImage(file))
        {
            return BzImageResult.Fail(BzImageError.NotBzImage, DecompressError.None, "no 0xAA55 boot signature and \"HdrS\" setup header");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(file[VersionOffset..]);
        if (version < MinimumVersion)
        {
            return BzImageResult.Fail(BzImageError.ProtocolTooOld, DecompressError.None, $"boot protocol {version >> 8}.{version & 0xFF:d2} has no payload fields (2.08 or later needed)");
        }

        int setupSectors = file[SetupSectorsOffset] == 0 ? 4 : file[SetupSectorsOffset];
        long start = ((setupSectors + 1L) * SectorBytes) + BinaryPrimitives.ReadUInt32LittleEndian(file[PayloadOffsetOffset..]);
        long length = BinaryPrimitives.ReadUInt32LittleEndian(file[PayloadLengthOffset..]);
        if (length == 0 || start + length > file.Length)
        {
            return BzImageResult.Fail(BzImageError.PayloadOutsideFile, DecompressError.None, $"payload [{start}, {start + length}) is empty or lies beyond the {file.Length}-byte file");
        }

        var payload = file.Slice((int)start, (int)length);
        var format = PayloadDecompressor.Detect(payload);
        bool sizeAppended = format is not (CompressionFormat.Gzip or CompressionFormat.Unknown);
        if (sizeAppended && payload.Length < 8)
        {
            return BzImageResult.Fail(BzImageError.DecompressionFailed, DecompressError.Truncated, $"{format} payload: {payload.Length} bytes hold no stream and appended size");
        }

        long expected = sizeAppended ? BinaryPrimitives.ReadUInt32LittleEndian(payload[^4..]) : 0;
        var stream = format is CompressionFormat.Zstd or CompressionFormat.Lz4 or CompressionFormat.Bzip2 or CompressionFormat.Lzo
            ? payload[..^4]
            : payload;
        var decompressed = PayloadDecompressor.Decompress(stream, maxOutputBytes, Math.Min(expected, maxOutputBytes));
        if (!decompressed.Succeeded)
        {
            return BzImageResult.Fail(BzImageError.DecompressionFailed, decompressed.Error, $"{format} payload: {decompressed.Detail}");
        }

        if (sizeAppended && decompressed.Data!.Length != expected)
        {
            return BzImageResult.Fail(BzImageError.DecompressionFailed, DecompressError.SizeMismatch, $"{format} payload: decoded to {decompressed.Data.Length} bytes, the size appended to it says {expected}");
        }

        var elf = decompressed.Data!;
        if (!elf.AsSpan().StartsWith(ElfMagic))
        {
            return BzImageResult.Fail(BzImageError.PayloadNotElf, DecompressError.None, $"the decompressed {format} payload is not an ELF image");
        }

        return new BzImageResult(elf, format, BzImageError.None, DecompressError.None, "");
    }
}
