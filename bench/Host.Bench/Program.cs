using System.Globalization;

namespace ActorVisor.Host.Bench;

/// <summary>
/// Host benchmarks (host wall-clock and memory figures, so they are not tests): interdomain
/// event round trips, the overhead of a hundred idle domains, and aggregate guest MIPS of 1 to
/// 64 CPU-bound domains on two physical CPUs.
/// Usage: ActorVisor.Host.Bench [guests/build directory] [events|idle|busy ...].
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string guests = args.Length > 0 ? args[0] : Path.Combine("guests", "build");
        var which = args.Skip(1).ToHashSet(StringComparer.Ordinal);
        bool all = which.Count == 0;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (all || which.Contains("events"))
        {
            EventLatency.Run(guests);
        }

        if (all || which.Contains("idle"))
        {
            IdleOverhead.Run(guests);
        }

        if (all || which.Contains("busy"))
        {
            BusyScaling.Run(guests);
        }

        return 0;
    }
}
