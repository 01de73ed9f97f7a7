using System.Reflection;

namespace ActorVisor.Hypervisor.Tests.Boot;

/// <summary>Finds the guest kernels that the test project's build produced with `make -C guests`.</summary>
internal static class GuestImages
{
    public static string Directory { get; } = typeof(GuestImages).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "GuestsBuildDirectory").Value!;

    public static byte[] Load(string arch, string name) => File.ReadAllBytes(Path.Combine(Directory, arch, name + ".elf"));
}
