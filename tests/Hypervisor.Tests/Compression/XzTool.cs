using System.Diagnostics;

namespace ActorVisor.Hypervisor.Tests.Compression;

/// <summary>Runs the system's xz or gzip on bytes, the reference our decoders are compared with.</summary>
internal static class XzTool
{
    public static byte[] Run(string tool, string arguments, byte[] input)
    {
        var start = new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var writer = Task.Run(() =>
        {
            process.StandardInput.BaseStream.Write(input);
            process.StandardInput.Close();
        });
        var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        writer.Wait();
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {arguments} exited with {process.ExitCode}: {errors}");
        }

        return output.ToArray();
    }

    public static byte[] Xz(string arguments, byte[] input) => Run("xz", "--stdout --compress " + arguments, input);

    public static byte[] Gzip(byte[] input) => Run("gzip", "--stdout -9 -n", input);

    /// <summary>Text-like bytes (words from a small vocabulary with numbers) that compress well and exercise matches.</summary>
    public static byte[] TextLike(int length, int seed)
    {
        string[] words = ["domain", "vcpu", "event", "channel", "grant", "page", "table", "xen", "store", "ring", "\n", "    ", "0x", "{", "}"];
        var random = new Random(seed);
        var bytes = new List<byte>(length + 16);
        while (bytes.Count < length)
        {
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(words[random.Next(words.Length)]));
            if (random.Next(4) == 0)
            {
                bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(random.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            bytes.Add((byte)' ');
        }

        return bytes.GetRange(0, length).ToArray();
    }

    /// <summary>Random bytes, which LZMA2 has to store uncompressed.</summary>
    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Code-like bytes dense in E8/E9 opcodes followed by small relative operands, so the x86 BCJ filter has work.</summary>
    public static byte[] CallHeavy(int length, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[length];
        int i = 0;
        while (i < length)
        {
            int kind = random.Next(6);
            if (kind < 2 && i + 5 <= length)
            {
                bytes[i] = kind == 0 ? (byte)0xE8 : (byte)0xE9;
                int target = random.Next(-0x8000, 0x8000) * 16;
                BitConverter.TryWriteBytes(bytes.AsSpan(i + 1, 4), target);
                i += 5;
            }
            else
            {
                bytes[i++] = (byte)random.Next(kind == 5 ? 256 : 16);
            }
        }

        return bytes;
    }
}
