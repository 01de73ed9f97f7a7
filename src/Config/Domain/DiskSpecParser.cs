using ActorVisor.Config.Schema;

namespace ActorVisor.Config.Domain;

/// <summary>
/// Parses xl's disk spec strings (xl-disk-configuration): comma-separated <c>key=value</c> pairs,
/// flags (<c>cdrom</c>, <c>discard</c>, <c>no-discard</c>, <c>direct-io-safe</c>) and positional
/// parameters in the order target, format, vdev, access, where an empty positional means "the
/// default". <c>target=</c> takes the rest of the string, commas included. The legacy form with a
/// prefixed target (<c>phy:/dev/vg/lv,xvda,w</c>, <c>raw:/img,hdc:cdrom,ro</c>) is accepted too.
/// </summary>
public static class DiskSpecParser
{
    private static readonly string[] Keys = ["target", "format", "vdev", "access", "devtype", "backend", "backendtype", "script"];
    private static readonly string[] Flags = ["cdrom", "discard", "no-discard", "direct-io-safe"];
    private static readonly string[] LegacyPrefixes = ["phy:", "file:", "tap:aio:", "tap:qcow2:", "tap:vhd:", "tap:", "aio:", "raw:", "qcow2:", "qcow:", "vhd:", "qed:"];

    public static IReadOnlyDictionary<string, DiskFormat> Formats { get; } = new Dictionary<string, DiskFormat>(StringComparer.Ordinal)
    {
        ["raw"] = DiskFormat.Raw,
        ["qcow"] = DiskFormat.Qcow,
        ["qcow2"] = DiskFormat.Qcow2,
        ["vhd"] = DiskFormat.Vhd,
        ["qed"] = DiskFormat.Qed,
    };

    /// <summary>A failed parse: what the spec needed and what it had, for a located <see cref="ConfigError"/>.</summary>
    public sealed record Problem(string Expected, string Found, string? Hint = null);

    public static bool TryParse(string spec, out DiskSpec disk, out Problem? problem)
    {
        disk = new DiskSpec("", DiskFormat.Raw, "", DiskAccess.ReadWrite, DiskDeviceType.Disk, null);
        problem = null;
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        var positional = new List<string>();
        var flags = new HashSet<string>(StringComparer.Ordinal);
        var rest = spec;
        while (true)
        {
            var trimmed = rest.TrimStart();
            if (trimmed.StartsWith("target=", StringComparison.Ordinal))
            {
                named["target"] = trimmed["target=".Length..].Trim();
                break;
            }
            var comma = rest.IndexOf(',', StringComparison.Ordinal);
            var part = (comma < 0 ? rest : rest[..comma]).Trim();
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                var key = part[..eq].Trim();
                if (!Keys.Contains(key))
                {
                    problem = new Problem("a disk parameter (" + string.Join(", ", Keys) + ")", $"'{key}'", Suggestions.Hint(key, Keys));
                    return false;
                }
                if (!named.TryAdd(key, part[(eq + 1)..].Trim()))
                {
                    problem = new Problem($"'{key}' at most once", $"'{key}' given twice");
                    return false;
                }
            }
            else if (Flags.Contains(part))
            {
                flags.Add(part);
            }
            else
            {
                positional.Add(part);
            }
            if (comma < 0)
            {
                break;
            }
            rest = rest[(comma + 1)..];
        }

        var legacy = positional.Count > 0 && LegacyPrefixes.Any(p => positional[0].StartsWith(p, StringComparison.Ordinal));
        string[] order = legacy ? ["target", "vdev", "access"] : ["target", "format", "vdev", "access"];
        var slot = 0;
        foreach (var value in positional)
        {
            while (slot < order.Length && named.ContainsKey(order[slot]))
            {
                slot++;
            }
            if (slot >= order.Length)
            {
                problem = new Problem("at most target, format, vdev and access as positional parameters", $"'{value}'");
                return false;
            }
            if (value.Length > 0)
            {
                named[order[slot]] = value;
            }
            slot++;
        }

        var format = DiskFormat.Raw;
        var target = named.GetValueOrDefault("target", "");
        if (legacy)
        {
            foreach (var prefix in LegacyPrefixes)
            {
                if (target.StartsWith(prefix, StringComparison.Ordinal))
                {
                    var word = prefix.TrimEnd(':');
                    word = word.Contains(':', StringComparison.Ordinal) ? word[(word.LastIndexOf(':') + 1)..] : word;
                    if (Formats.TryGetValue(word, out var legacyFormat))
                    {
                        format = legacyFormat;
                    }
                    target = target[prefix.Length..];
                    break;
                }
            }
        }
        if (named.TryGetValue("format", out var formatText) && !Formats.TryGetValue(formatText, out format))
        {
            problem = new Problem("a disk format (raw, qcow, qcow2, vhd, qed)", $"'{formatText}'", Suggestions.Hint(formatText, Formats.Keys));
            return false;
        }
        var deviceType = flags.Contains("cdrom") ? DiskDeviceType.Cdrom : DiskDeviceType.Disk;
        var vdev = named.GetValueOrDefault("vdev", "");
        if (vdev.EndsWith(":cdrom", StringComparison.Ordinal))
        {
            vdev = vdev[..^":cdrom".Length];
            deviceType = DiskDeviceType.Cdrom;
        }
        if (named.TryGetValue("devtype", out var devtype))
        {
            if (devtype is not ("cdrom" or "disk"))
            {
                problem = new Problem("devtype disk or cdrom", $"'{devtype}'");
                return false;
            }
            deviceType = devtype == "cdrom" ? DiskDeviceType.Cdrom : DiskDeviceType.Disk;
        }
        var access = deviceType == DiskDeviceType.Cdrom ? DiskAccess.ReadOnly : DiskAccess.ReadWrite;
        if (named.TryGetValue("access", out var accessText))
        {
            switch (accessText)
            {
                case "rw" or "w":
                    access = DiskAccess.ReadWrite;
                    break;
                case "ro" or "r":
                    access = DiskAccess.ReadOnly;
                    break;
                default:
                    problem = new Problem("access rw or ro", $"'{accessText}'");
                    return false;
            }
        }
        if (vdev.Length == 0)
        {
            problem = new Problem("a virtual device name (vdev) such as xvda", $"'{spec}' without one");
            return false;
        }
        if (target.Length == 0 && deviceType != DiskDeviceType.Cdrom)
        {
            problem = new Problem("a target (the disk image or device)", $"'{spec}' without one");
            return false;
        }
        disk = new DiskSpec(target, format, vdev, access, deviceType, named.GetValueOrDefault("backend"));
        return true;
    }
}
