using System.CommandLine;
using System.Globalization;
using ActorVisor.Host.Boot;

namespace ActorVisor.Cli;

/// <summary>
/// <c>actorvisor boot KERNEL</c>: boots one PV domain, prints its console and exits with the
/// guest's status (poweroff 0, crash 1, other shutdowns 2, timeout 124, hang 125, refused 126).
/// </summary>
public static class BootCommand
{
    public static Command Create()
    {
        var kernel = new Argument<FileInfo>("KERNEL") { Description = "A Xen PV kernel image (ELF with Xen notes, or a bzImage around one)." };
        var memory = new Option<string>("--memory") { Description = "Domain memory, e.g. 64M or 1G.", DefaultValueFactory = _ => "64M" };
        var vcpus = new Option<int>("--vcpus") { Description = "Number of vCPUs (vCPU 0 starts; the guest brings up the others).", DefaultValueFactory = _ => 1 };
        var cmdline = new Option<string>("--cmdline") { Description = "Kernel command line.", DefaultValueFactory = _ => "" };
        var timeout = new Option<string>("--timeout") { Description = "Give up after this long, in guest virtual time and in host time, e.g. 10s or 500ms.", DefaultValueFactory = _ => "10s" };
        var seed = new Option<ulong>("--seed") { Description = "Seed for the host's free choices (the wall clock at boot).", DefaultValueFactory = _ => 0 };
        var trace = new Option<bool>("--trace") { Description = "Print each hypercall with its arguments and result." };
        var initrd = new Option<FileInfo?>("--initrd") { Description = "A boot module (initrd / initramfs) placed after the kernel." };
        var command = new Command("boot", "Boot a Xen PV kernel and print its console.") { kernel, memory, vcpus, cmdline, timeout, seed, trace, initrd };
        command.SetAction(parseResult =>
        {
            var file = parseResult.GetValue(kernel)!;
            if (!TryParseSize(parseResult.GetValue(memory)!, out int memoryMiB))
            {
                Console.Error.WriteLine($"--memory: cannot read '{parseResult.GetValue(memory)}' (use e.g. 64M or 1G)");
                return (int)BootStatus.Refused;
            }

            if (!TryParseDuration(parseResult.GetValue(timeout)!, out var limit))
            {
                Console.Error.WriteLine($"--timeout: cannot read '{parseResult.GetValue(timeout)}' (use e.g. 10s or 500ms)");
                return (int)BootStatus.Refused;
            }

            if (!file.Exists)
            {
                Console.Error.WriteLine($"{file.FullName}: no such file");
                return (int)BootStatus.Refused;
            }

            var module = parseResult.GetValue(initrd);
            if (module is { Exists: false })
            {
                Console.Error.WriteLine($"{module.FullName}: no such file");
                return (int)BootStatus.Refused;
            }

            var options = new BootOptions(
                File.ReadAllBytes(file.FullName),
                memoryMiB,
                parseResult.GetValue(vcpus),
                parseResult.GetValue(cmdline)!,
                VirtualTimeout: limit,
                WallClockTimeout: limit,
                Seed: parseResult.GetValue(seed),
                Initrd: module is null ? null : File.ReadAllBytes(module.FullName));
            Action<string>? traceOut = parseResult.GetValue(trace) ? line => Console.Error.WriteLine($"(XEN) {line}") : null;
            var result = PvBootRunner.Run(options, Console.WriteLine, traceOut);
            Console.Error.WriteLine($"actorvisor: {result.Status}: {result.Detail} ({result.InstructionsRetired} instructions, {result.VirtualTimeNs / 1000} us virtual)");
            foreach (var (number, count) in result.UnimplementedHypercalls)
            {
                Console.Error.WriteLine($"actorvisor: unimplemented hypercall {FormatNumber(number)} made {count} times");
            }

            return result.ExitCode;
        });
        return command;
    }

    private static string FormatNumber(int key) => key < 256 ? key.ToString(CultureInfo.InvariantCulture) : $"{key >> 8} sub-command {key & 0xFF}";

    /// <summary>Reads 64M, 1G, 512K (KiB, rounded up to MiB) or a plain number of MiB.</summary>
    public static bool TryParseSize(string text, out int mebibytes)
    {
        mebibytes = 0;
        text = text.Trim();
        if (text.Length == 0)
        {
            return false;
        }

        char unit = char.ToUpperInvariant(text[^1]);
        string digits = char.IsLetter(unit) ? text[..^1] : text;
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value <= 0)
        {
            return false;
        }

        long mib = unit switch
        {
            'G' => value * 1024,
            'K' => (value + 1023) / 1024,
            'M' => value,
            _ when char.IsDigit(unit) => value,
            _ => -1,
        };
        if (mib <= 0 || mib > 64 * 1024)
        {
            return false;
        }

        mebibytes = (int)mib;
        return true;
    }

    /// <summary>Reads 10s, 500ms, 2m or a plain number of seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        text = text.Trim();
        (string digits, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value <= 0)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * scale);
        return true;
    }
}
