using System.Text.RegularExpressions;
using ActorVisor.Config.Schema;

namespace ActorVisor.Config.Domain;

/// <summary>
/// Parses xl's vif spec strings (xl-network-configuration): comma-separated <c>key=value</c>
/// pairs such as <c>mac=00:16:3e:00:00:01, bridge=xenbr0</c>. An empty spec is a valid interface
/// with every setting left to its default.
/// </summary>
public static partial class VifSpecParser
{
    private static readonly string[] Keys = ["mac", "bridge", "ip", "backend", "vifname", "model", "rate", "script", "type", "gatewaydev", "uuid", "mtu"];

    [GeneratedRegex("^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$")]
    private static partial Regex MacPattern();

    public static bool TryParse(string spec, out VifSpec vif, out DiskSpecParser.Problem? problem)
    {
        vif = new VifSpec(null, null, null, null, null, null, null, null);
        problem = null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in spec.Split(','))
        {
            var part = raw.Trim();
            if (part.Length == 0)
            {
                continue;
            }
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                problem = Problem("key=value pairs such as mac=00:16:3e:00:00:01", $"'{part}'");
                return false;
            }
            var key = part[..eq].Trim();
            if (!Keys.Contains(key))
            {
                problem = Problem("a network parameter (" + string.Join(", ", Keys) + ")", $"'{key}'", Suggestions.Hint(key, Keys));
                return false;
            }
            if (!values.TryAdd(key, part[(eq + 1)..].Trim()))
            {
                problem = Problem($"'{key}' at most once", $"'{key}' given twice");
                return false;
            }
        }
        if (values.TryGetValue("mac", out var mac) && !MacPattern().IsMatch(mac))
        {
            problem = Problem("a MAC address such as 00:16:3e:01:02:03", $"'{mac}'");
            return false;
        }
        // Bit 0 of the first octet marks a group address: a station never sends from one.
        if (mac is not null && (Convert.ToByte(mac[..2], 16) & 1) != 0)
        {
            problem = Problem("a unicast MAC address (the first octet even), such as 00:16:3e:01:02:03", $"'{mac}', a multicast address");
            return false;
        }
        if (mac is not null && mac.Replace(":", "", StringComparison.Ordinal).All(c => c == '0'))
        {
            problem = Problem("a MAC address other than 00:00:00:00:00:00", $"'{mac}'");
            return false;
        }
        vif = new VifSpec(
            values.GetValueOrDefault("mac"),
            values.GetValueOrDefault("bridge"),
            values.GetValueOrDefault("ip"),
            values.GetValueOrDefault("backend"),
            values.GetValueOrDefault("vifname"),
            values.GetValueOrDefault("model"),
            values.GetValueOrDefault("rate"),
            values.GetValueOrDefault("script"));
        return true;
    }

    private static DiskSpecParser.Problem Problem(string expected, string found, string? hint = null) => new(expected, found, hint);
}
