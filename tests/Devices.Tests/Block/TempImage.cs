using Xunit;

namespace ActorVisor.Devices.Tests.Block;

/// <summary>A sparse raw image file in the temp folder, deleted when disposed.</summary>
public sealed class TempImage : IDisposable
{
    public TempImage(long sizeBytes)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"actorvisor-blk-{Guid.NewGuid():N}.img");
        using var file = new FileStream(Path, FileMode.CreateNew, FileAccess.Write);
        file.SetLength(sizeBytes);
    }

    public string Path { get; }

    public byte[] ReadBytes(long offset, int count)
    {
        using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[count];
        file.Position = offset;
        file.ReadExactly(bytes);
        return bytes;
    }

    public void WriteBytes(long offset, byte[] bytes)
    {
        using var file = new FileStream(Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        file.Position = offset;
        file.Write(bytes);
    }

    public void Dispose() => File.Delete(Path);
}
