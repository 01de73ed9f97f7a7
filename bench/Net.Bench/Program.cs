using System.Diagnostics;
using System.Globalization;
using ActorVisor.Devices.Net;

namespace ActorVisor.Net.Bench;

/// <summary>
/// Frames per second and MB/s from one vif's tx ring through the virtual switch into another
/// vif's rx ring (two NetBackends on TestGrants, one thread), against a plain memory copy of the
/// same bytes page to page in the same run. Host wall-clock time, so a benchmark, not a test.
/// Usage: ActorVisor.Net.Bench [seconds per measurement] [runs].
/// </summary>
public static class Program
{
    private const int Batch = 128;

    public static int Main(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 2.0;
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} CPUs, load {Load()}, {seconds}s per measurement, median of {runs}");
        Console.WriteLine("| frame bytes | vif→switch→vif frames/s | MB/s | memcpy frames/s | MB/s | memcpy / vif |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var size in new[] { 64, 1500 })
        {
            Measure(size, 0.3); // warm-up: the JIT reaches its final tier
            Memcpy(size, 0.3);
            var vif = Enumerable.Range(0, runs).Select(_ => Measure(size, seconds)).Order().ToList()[runs / 2];
            var copy = Enumerable.Range(0, runs).Select(_ => Memcpy(size, seconds)).Order().ToList()[runs / 2];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {size} | {vif:N0} | {vif * size / 1e6:N1} | {copy:N0} | {copy * size / 1e6:N1} | {copy / vif:N1}× |"));
        }
        return 0;
    }

    /// <summary>Frames per second from A's tx ring to B's rx ring.</summary>
    private static double Measure(int size, double seconds)
    {
        var bridge = new VirtualSwitch("bench");
        var macA = MacAddress.ForVif(1, 0);
        var macB = MacAddress.ForVif(2, 0);
        var toB = Frame(macB, macA, size);
        var feA = new BenchFrontend(toB, Batch);
        var feB = new BenchFrontend(Frame(macA, macB, size), Batch);
        var a = new NetBackend(macA);
        var b = new NetBackend(macB);
        Check(a.Connect(feA.Link));
        Check(b.Connect(feB.Link));
        a.Plug(bridge);
        b.Plug(bridge);
        // B announces itself once, so A's frames are switched to B alone, not flooded.
        feB.SendBatch();
        b.Service();
        feB.TakeTxResponses();
        a.Service();
        feA.TakeRx();

        long frames = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            feA.SendBatch();
            a.Service();
            b.Service();
            if (feA.TakeTxResponses() != Batch || feB.TakeRx() != (long)Batch * size)
            {
                throw new InvalidOperationException("a frame was lost");
            }
            frames += Batch;
        }
        return frames / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Frames per second of copying the same bytes from a source page to a destination page.</summary>
    private static double Memcpy(int size, double seconds)
    {
        var source = Enumerable.Range(0, Batch).Select(_ => Frame(default, default, 4096)).ToArray();
        var destination = Enumerable.Range(0, 256).Select(_ => new byte[4096]).ToArray();
        long frames = 0;
        var slot = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < Batch; i++)
            {
                source[i].AsSpan(0, size).CopyTo(destination[slot++ & 255]);
            }
            frames += Batch;
        }
        return frames / clock.Elapsed.TotalSeconds;
    }

    private static byte[] Frame(MacAddress to, MacAddress from, int size)
    {
        var f = new byte[size];
        to.Write(f);
        from.Write(f.AsSpan(6));
        f[12] = 0x88;
        f[13] = 0xB5;
        for (var i = 14; i < size; i++)
        {
            f[i] = (byte)i;
        }
        return f;
    }

    private static void Check(string? refusal)
    {
        if (refusal is not null)
        {
            throw new InvalidOperationException(refusal);
        }
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
