using System.Globalization;
using System.Text;

namespace ActorVisor.Config.Tests;

/// <summary>
/// Writes a large, realistic HOCON document: many domain-like objects using path expressions,
/// lists, sizes, durations, comments, quoted strings, substitutions and object concatenation.
/// Shared by the correctness test and bench/Config.Bench (which links this file).
/// </summary>
public static class LargeConfigGenerator
{
    /// <summary>A document of at least <paramref name="minimumBytes"/> characters; returns it and how many domains it defines.</summary>
    public static (string Text, int Domains) Generate(int minimumBytes)
    {
        var sb = new StringBuilder(minimumBytes + 4096);
        sb.Append("# generated benchmark configuration\n");
        sb.Append("templates.guest { kernel = \"guests/build/hello.elf\", memory = 64M, vcpus = 1, cmdline = \"console=hvc0\" }\n");
        var i = 0;
        while (sb.Length < minimumBytes)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            sb.Append("// domain ").Append(n).Append('\n');
            sb.Append("domains.d").Append(n).Append(" = ${templates.guest} {\n");
            sb.Append("  memory = ").Append(32 + (i % 8) * 16).Append("M\n");
            sb.Append("  vcpus = ").Append(1 + (i % 4)).Append('\n');
            sb.Append("  weight : ").Append(128 + i % 512).Append(", cap = ").Append(i % 100).Append('\n');
            sb.Append("  disks = [ \"format=raw, vdev=xvda, access=rw, target=disk").Append(n).Append(".img\" ]\n");
            sb.Append("  vifs += { mac = \"00:16:3e:00:").Append((i / 256 % 256).ToString("x2", CultureInfo.InvariantCulture)).Append(':').Append((i % 256).ToString("x2", CultureInfo.InvariantCulture)).Append("\", bridge = xenbr0 }\n");
            sb.Append("  timeslice = ").Append(1 + i % 30).Append(" ms\n");
            sb.Append("  \"quoted.key\" = \"value with \\\"escapes\\\" and unicode \\u00e9\"\n");
            sb.Append("  description = \"\"\"multi\nline ").Append(n).Append("\"\"\"\n");
            sb.Append("}\n");
            i++;
        }
        return (sb.ToString(), i);
    }
}
