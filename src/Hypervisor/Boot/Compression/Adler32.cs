namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>Adler-32 (RFC 1950): two sums modulo 65521, started at 1 and 0, as lzop checks its headers and blocks.</summary>
internal static class Adler32
{
    private const uint Modulus = 65521;

    // The largest run of bytes whose sums cannot overflow 32 bits before the modulo is taken.
    private const int RunBytes = 5552;

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint a = 1;
        uint b = 0;
        while (!data.IsEmpty)
        {
            var run = data[..Math.Min(RunBytes, data.Length)];
            foreach (byte value in run)
            {
                a += value;
                b += a;
            }

            a %= Modulus;
            b %= Modulus;
            data = data[run.Length..];
        }

        return (b << 16) | a;
    }
}
