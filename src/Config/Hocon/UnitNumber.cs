using System.Globalization;

namespace ActorVisor.Config.Hocon;

/// <summary>Splits <c>"10 s"</c> or <c>"1.5GiB"</c> into a number and a unit name (empty when there is none).</summary>
internal static class UnitNumber
{
    public static bool TrySplit(string text, out decimal number, out string unit)
    {
        number = 0;
        unit = "";
        var trimmed = text.Trim();
        var end = 0;
        while (end < trimmed.Length && (char.IsAsciiDigit(trimmed[end]) || trimmed[end] is '.' or '-' or '+' or 'e' or 'E'))
        {
            // An 'e' only belongs to the number when a digit follows (1e3), not in "1 exabyte" or "2EiB".
            if (trimmed[end] is 'e' or 'E' && (end + 1 >= trimmed.Length || !(char.IsAsciiDigit(trimmed[end + 1]) || trimmed[end + 1] is '-' or '+')))
            {
                break;
            }
            end++;
        }
        if (end == 0)
        {
            return false;
        }
        if (!decimal.TryParse(trimmed.AsSpan(0, end), NumberStyles.Float, CultureInfo.InvariantCulture, out number))
        {
            return false;
        }
        unit = trimmed[end..].TrimStart();
        return unit.All(char.IsAsciiLetter);
    }
}
