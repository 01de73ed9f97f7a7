namespace ActorVisor.Actors.Bench;

/// <summary>Benchmark harness entry point; benchmarks are registered here as they are written.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: dotnet run -c Release --project bench/Actors.Bench -- <benchmark>");
        return args.Length == 0 ? 2 : 0;
    }
}
