namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>
/// Lookup tables for reflected CRCs processed eight bytes at a time: table k holds the CRC of a
/// byte followed by k zero bytes, so eight lookups replace eight byte steps.
/// </summary>
internal static class CrcTables
{
    public static uint[] Build32(uint polynomial)
    {
        var t = new uint[8 * 256];
        for (uint b = 0; b < 256; b++)
        {
            uint c = b;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ polynomial : c >> 1;
            }

            t[b] = c;
        }

        for (int k = 1; k < 8; k++)
        {
            for (int b = 0; b < 256; b++)
            {
                uint prev = t[((k - 1) * 256) + b];
                t[(k * 256) + b] = (prev >> 8) ^ t[prev & 0xFF];
            }
        }

        return t;
    }

    public static ulong[] Build64(ulong polynomial)
    {
        var t = new ulong[8 * 256];
        for (ulong b = 0; b < 256; b++)
        {
            ulong c = b;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ polynomial : c >> 1;
            }

            t[b] = c;
        }

        for (int k = 1; k < 8; k++)
        {
            for (int b = 0; b < 256; b++)
            {
                ulong prev = t[((k - 1) * 256) + b];
                t[(k * 256) + b] = (prev >> 8) ^ t[(int)(prev & 0xFF)];
            }
        }

        return t;
    }
}
