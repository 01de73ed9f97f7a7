namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>Outcome of a decompression: the decoded bytes, or the error with a detail for humans.</summary>
public readonly record struct DecompressResult(byte[]? Data, DecompressError Error, string Detail)
{
    public bool Succeeded => Data is not null;

    public static DecompressResult Ok(byte[] data) => new(data, DecompressError.None, "");

    public static DecompressResult Fail(DecompressError error, string detail) => new(null, error, detail);
}
