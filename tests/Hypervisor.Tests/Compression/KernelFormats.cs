using ActorVisor.Hypervisor.Boot.Compression;

namespace ActorVisor.Hypervisor.Tests.Compression;

/// <summary>Compresses bytes in a payload format with the tool and level Linux's kernel build uses for it.</summary>
internal static class KernelFormats
{
    public static byte[] Compress(CompressionFormat format, byte[] data) => format switch
    {
        CompressionFormat.Zstd => KernelCompressors.Zstd(data),
        CompressionFormat.Lz4 => KernelCompressors.Lz4Legacy(data),
        CompressionFormat.Bzip2 => KernelCompressors.Bzip2(data),
        CompressionFormat.Lzo => KernelCompressors.Lzop(data),
        CompressionFormat.Xz => XzTool.Xz("--check=crc32 --x86 --lzma2=dict=1MiB", data),
        CompressionFormat.Lzma => XzTool.Xz("--format=lzma -9", data),
        CompressionFormat.Gzip => XzTool.Gzip(data),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "no tool for this format"),
    };

    /// <summary>The payload as it sits in a bzImage: the stream, then (for all but gzip) the decompressed size.</summary>
    public static byte[] Payload(CompressionFormat format, byte[] data)
    {
        var stream = Compress(format, data);
        return format == CompressionFormat.Gzip ? stream : KernelCompressors.WithSize(stream, data.Length);
    }
}
