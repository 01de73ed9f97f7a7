using System.Buffers.Binary;
using System.Diagnostics;
using System.Reflection;
using ActorVisor.Config.Scenario;
using ActorVisor.Config.Xl;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>
/// `actorvisor boot` and `actorvisor create` (an xl.cfg's kernel=, run as a scenario) load a
/// bzImage through the same loader: a guest in a zstd bzImage, as distributions now ship
/// kernels, boots to poweroff from both.
/// </summary>
public sealed class ZstdBzImageEntryPointTests
{
    private static readonly string Cli = typeof(ZstdBzImageEntryPointTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "CliAssembly").Value!;

    [ZstdFact]
    public void Actorvisor_boot_boots_a_zstd_bzImage_to_poweroff()
    {
        string folder = Directory.CreateTempSubdirectory("zstd-bzimage").FullName;
        try
        {
            string image = Path.Combine(folder, "vmlinuz");
            File.WriteAllBytes(image, ZstdBzImage(Repository.ReadKernel("x86_64", "hello")));

            var (exitCode, output, errors) = RunCli("boot", image, "--memory", "16M");

            Assert.True(exitCode == 0, $"exit {exitCode}: {errors}");
            Assert.Contains("PASS hello", output);
            Assert.Contains("PoweredOff", errors);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [ZstdFact]
    public void An_xl_cfg_whose_kernel_is_a_zstd_bzImage_boots_to_poweroff()
    {
        string folder = Directory.CreateTempSubdirectory("zstd-bzimage").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "vmlinuz"), ZstdBzImage(Repository.ReadKernel("x86_32", "hello")));
            string path = Path.Combine(folder, "hello.cfg");
            File.WriteAllText(path, "name = \"hello\"\nkernel = \"vmlinuz\"\nmemory = 16\n");
            var loaded = XlConfigLoader.LoadFile(path);
            Assert.True(loaded.IsSuccess, loaded.ErrorText);

            var outcome = ScenarioRunner.Run(SingleDomainScenario.Create(loaded.Value!.Domain, path, 1_000_000_000, seed: 0));

            Assert.Null(outcome.Error);
            var domain = Assert.Single(outcome.Domains);
            Assert.Equal("poweroff", domain.ExitReason);
            Assert.Contains(outcome.Console, line => line.Domain == "hello" && line.Text == "PASS hello");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// A bzImage as Linux lays one out (boot sector, three setup sectors with the setup header,
    /// protected-mode part) whose payload is <c>zstd -22 --ultra</c> output followed by the size.
    /// </summary>
    private static byte[] ZstdBzImage(byte[] elf)
    {
        var stream = Run("zstd", ["-22", "--ultra", "-q", "-c"], elf);
        const int ProtectedStart = 4 * 512;
        const int StubBytes = 0x100;
        var image = new byte[ProtectedStart + StubBytes + stream.Length + 4];
        image[0x1F1] = 3;
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x1FE), 0xAA55);
        "HdrS"u8.CopyTo(image.AsSpan(0x202));
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x206), 0x020F);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x248), StubBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x24C), (uint)stream.Length + 4);
        stream.CopyTo(image, ProtectedStart + StubBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(ProtectedStart + StubBytes + stream.Length), (uint)elf.Length);
        return image;
    }

    private static byte[] Run(string tool, string[] arguments, byte[] input)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
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
        Assert.True(process.ExitCode == 0, $"{tool} exited with {process.ExitCode}: {errors}");
        return output.ToArray();
    }

    private static (int ExitCode, string Output, string Errors) RunCli(params string[] arguments)
    {
        Assert.True(File.Exists(Cli), $"the command is not built: {Cli}");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Cli);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, errors.Result);
    }
}

/// <summary>
/// A fact that needs Debian's zstd: it fails when zstd is missing (.ci/run installs it) unless
/// ACTORVISOR_OFFLINE=1 allows the skip.
/// </summary>
internal sealed class ZstdFactAttribute : FactAttribute
{
    public ZstdFactAttribute()
    {
        bool installed = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, "zstd")));
        if (!installed && Environment.GetEnvironmentVariable("ACTORVISOR_OFFLINE") == "1")
        {
            Skip = "zstd is not installed (apt-get install zstd) and ACTORVISOR_OFFLINE=1 allows the skip";
        }
    }
}
