using System.Globalization;
using System.Text;

namespace ActorVisor.Config.Hocon;

/// <summary>Text helpers shared by the lexer and the renderers: JSON string quoting and number recognition.</summary>
internal static class HoconText
{
    public static string Quote(string text)
    {
        var sb = new StringBuilder(text.Length + 2);
        sb.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (char.IsControl(c))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        sb.Append('"');
        return sb.ToString();
    }

    /// <summary>True when the text is a JSON number: an optional minus, digits, an optional fraction and exponent.</summary>
    public static bool IsNumber(string text)
    {
        var i = 0;
        var n = text.Length;
        if (i < n && text[i] == '-')
        {
            i++;
        }
        var digits = i;
        while (i < n && char.IsAsciiDigit(text[i]))
        {
            i++;
        }
        if (i == digits)
        {
            return false;
        }
        if (i < n && text[i] == '.')
        {
            i++;
            var fraction = i;
            while (i < n && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
            if (i == fraction)
            {
                return false;
            }
        }
        if (i < n && (text[i] == 'e' || text[i] == 'E'))
        {
            i++;
            if (i < n && (text[i] == '+' || text[i] == '-'))
            {
                i++;
            }
            var exponent = i;
            while (i < n && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
            if (i == exponent)
            {
                return false;
            }
        }
        return i == n;
    }
}
