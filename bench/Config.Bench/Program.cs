using System.Diagnostics;
using System.Globalization;
using ActorVisor.Config;
using ActorVisor.Config.Tests;

// Measures parsing (lex, parse, merge, resolve) of a generated 1 MB HOCON document.
// Usage: dotnet run -c Release --project bench/Config.Bench [-- SIZE_BYTES [ITERATIONS]]
// Wall time depends on machine load; process CPU time and allocated bytes are reported beside it.
var size = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1 << 20;
var iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
var (text, domains) = LargeConfigGenerator.Generate(size);
Func<string, string?> noEnvironment = _ => null;

for (var i = 0; i < 10; i++)
{
    ConfigFactory.ParseString(text, "bench.conf", noEnvironment);
}

var wall = new List<double>();
var cpu = new List<double>();
long allocated = 0;
var process = Process.GetCurrentProcess();
for (var i = 0; i < iterations; i++)
{
    var cpuBefore = process.TotalProcessorTime;
    var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
    var watch = Stopwatch.StartNew();
    var config = ConfigFactory.ParseString(text, "bench.conf", noEnvironment);
    watch.Stop();
    allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
    process.Refresh();
    cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
    wall.Add(watch.Elapsed.TotalMilliseconds);
    if (config.GetConfig("domains").Keys.Count() != domains)
    {
        throw new InvalidOperationException("the benchmark document did not parse completely");
    }
}
wall.Sort();
cpu.Sort();

// A yardstick measured under the same machine load: System.Text.Json reading the same tree as JSON.
var json = ConfigFactory.ParseString(text, "bench.conf", noEnvironment).ToJson();
var jsonWall = new List<double>();
for (var i = 0; i < iterations + 10; i++)
{
    var watch = Stopwatch.StartNew();
    using var document = System.Text.Json.JsonDocument.Parse(json);
    watch.Stop();
    if (i >= 10)
    {
        jsonWall.Add(watch.Elapsed.TotalMilliseconds);
    }
}
jsonWall.Sort();
Console.WriteLine(FormattableString.Invariant($"document: {text.Length} chars, {domains} domains, {allocated / (1024.0 * 1024.0):F1} MiB allocated per parse"));
Console.WriteLine(FormattableString.Invariant($"wall time over {iterations} runs: min {wall[0]:F1} ms, median {wall[wall.Count / 2]:F1} ms"));
Console.WriteLine(FormattableString.Invariant($"process CPU time:      min {cpu[0]:F1} ms, median {cpu[cpu.Count / 2]:F1} ms"));
Console.WriteLine(FormattableString.Invariant($"yardstick, System.Text.Json on the same tree as JSON ({json.Length} chars): wall min {jsonWall[0]:F1} ms, median {jsonWall[jsonWall.Count / 2]:F1} ms"));
