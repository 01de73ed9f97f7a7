namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>
/// The CRC-64 of ECMA-182 in its reflected form (polynomial 0xC96C5795D7870F42, initial and final
/// value all ones), the .xz CRC64 check. Slicing by 8 bytes.
/// </summary>
public static class Crc64
{
    private const ulong Polynomial = 0xC96C5795D7870F42;
    private static readonly ulong[] Table = CrcTables.Build64(Polynomial);

    public static ulong Compute(ReadOnlySpan<byte> data) => Update(0, data);

    /// <summary>Continues a CRC from the value returned for the preceding bytes (0 for none).</summary>
    public static ulong Update(ulong crc, ReadOnlySpan<byte> data)
    {
        var t = Table;
        crc = ~crc;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            ulong v = crc ^ BitConverter.ToUInt64(data.Slice(i, 8));
            crc = t[(7 * 256) + (int)(v & 0xFF)] ^ t[(6 * 256) + (int)((v >> 8) & 0xFF)] ^ t[(5 * 256) + (int)((v >> 16) & 0xFF)] ^ t[(4 * 256) + (int)((v >> 24) & 0xFF)]
                ^ t[(3 * 256) + (int)((v >> 32) & 0xFF)] ^ t[(2 * 256) + (int)((v >> 40) & 0xFF)] ^ t[256 + (int)((v >> 48) & 0xFF)] ^ t[(int)(v >> 56)];
        }

        for (; i < data.Length; i++)
        {
            crc = t[(int)((crc ^ data[i]) & 0xFF)] ^ (crc >> 8);
        }

        return ~crc;
    }
}
