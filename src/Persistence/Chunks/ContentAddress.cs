using System.Security.Cryptography;

namespace ActorVisor.Persistence.Chunks;

/// <summary>
/// The name of a chunk: the SHA-256 of its uncompressed content, as 64 lower-case hex digits. A
/// cryptographic hash, so that a guest cannot craft two pages with one address and make a restore
/// read the wrong one.
/// </summary>
internal static class ContentAddress
{
    public const int HexLength = SHA256.HashSizeInBytes * 2;

    public static string Of(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(content, hash);
        return Convert.ToHexStringLower(hash);
    }

    public static bool Matches(string address, ReadOnlySpan<byte> content) => string.Equals(address, Of(content), StringComparison.Ordinal);

    public static bool IsWellFormed(string address) =>
        address.Length == HexLength && address.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
