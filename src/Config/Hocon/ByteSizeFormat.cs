namespace ActorVisor.Config.Hocon;

/// <summary>
/// Byte sizes as HOCON writes them: a number, optional whitespace and a unit. Powers of ten use
/// kB, MB, GB, TB, PB, EB (and kilobyte(s), megabyte(s), ...); powers of two use K/k/Ki/KiB,
/// M/m/Mi/MiB, G/g/Gi/GiB, T/t/Ti/TiB, P/p/Pi/PiB, E/e/Ei/EiB (and kibibyte(s), mebibyte(s), ...).
/// B, b, byte and bytes mean bytes, and a bare number means bytes.
/// </summary>
public static class ByteSizeFormat
{
    private static readonly Dictionary<string, decimal> BytesPerUnit = Build();

    public const string Example = "a size such as 128M, 1 GiB or 512KiB";

    private static Dictionary<string, decimal> Build()
    {
        var table = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var name in new[] { "B", "b", "byte", "bytes" })
        {
            table[name] = 1m;
        }
        var decimalNames = new[] { ("k", "kilo"), ("M", "mega"), ("G", "giga"), ("T", "tera"), ("P", "peta"), ("E", "exa") };
        var binaryNames = new[] { ("K", "kibi"), ("M", "mebi"), ("G", "gibi"), ("T", "tebi"), ("P", "pebi"), ("E", "exbi") };
        decimal power10 = 1m;
        decimal power2 = 1m;
        for (var i = 0; i < decimalNames.Length; i++)
        {
            power10 *= 1000m;
            power2 *= 1024m;
            var (letter10, word10) = decimalNames[i];
            table[letter10 + "B"] = power10;
            table[word10 + "byte"] = power10;
            table[word10 + "bytes"] = power10;
            var (letter2, word2) = binaryNames[i];
            table[letter2] = power2;
            table[letter2.ToLowerInvariant()] = power2;
            table[letter2 + "i"] = power2;
            table[letter2 + "iB"] = power2;
            table[word2 + "byte"] = power2;
            table[word2 + "bytes"] = power2;
        }
        return table;
    }

    /// <summary>Parses a byte size; false when the text is not a size, is negative, or does not fit in a long.</summary>
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        if (!UnitNumber.TrySplit(text, out var number, out var unit) || number < 0)
        {
            return false;
        }
        var scale = 1m;
        if (unit.Length > 0 && !BytesPerUnit.TryGetValue(unit, out scale))
        {
            return false;
        }
        try
        {
            var total = decimal.Truncate(number * scale);
            if (total > long.MaxValue)
            {
                return false;
            }
            bytes = (long)total;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }
}
