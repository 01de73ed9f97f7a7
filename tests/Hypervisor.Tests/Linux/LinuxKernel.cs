using System.Reflection;

namespace ActorVisor.Hypervisor.Tests.Linux;

/// <summary>
/// Debian's Xen PV Linux kernel as guests/linux/fetch.sh unpacks it (the test project's build runs
/// `make -C guests linux`, which downloads it once with apt-get; without apt or network it is absent).
/// </summary>
internal static class LinuxKernel
{
    /// <summary>The xunit collection of the tests that boot Linux: they run one after the other, not side by side.</summary>
    public const string Collection = "Linux kernel boots";

    public static string Path { get; } = typeof(LinuxKernel).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "LinuxKernelPath").Value!;

    /// <summary>The static /init that `make -C guests linux` builds from guests/linux/init.c.</summary>
    public static string InitPath { get; } = typeof(LinuxKernel).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "LinuxInitPath").Value!;

    /// <summary>The initramfs of Debian packages that `make -C guests linux` assembles (guests/linux/userspace.sh).</summary>
    public static string UserSpacePath { get; } = typeof(LinuxKernel).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "LinuxUserSpacePath").Value!;

    public static bool IsPresent => File.Exists(Path);

    /// <summary>The bzImage as Debian ships it (fetch.sh copies it next to the unpacked ELF).</summary>
    public static string BzImagePath => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "vmlinuz-6.1.0-amd64");

    /// <summary>An initramfs holding /dev/console and /init.</summary>
    public static byte[] Initramfs() => new NewcArchive()
        .AddDirectory("dev")
        .AddCharacterDevice("dev/console", 5, 1)
        .AddFile("init", File.ReadAllBytes(InitPath))
        .ToArray();
}

/// <summary>A fact that is skipped, with the reason, when the Linux kernel could not be fetched.</summary>
internal sealed class LinuxKernelFactAttribute : FactAttribute
{
    public LinuxKernelFactAttribute()
    {
        if (!LinuxKernel.IsPresent)
        {
            Skip = $"{LinuxKernel.Path} is absent: `make -C guests linux` could not fetch Debian's kernel (needs apt-get, dpkg-deb and xz)";
        }
    }
}

/// <summary>
/// A fact that is skipped, with the reason, when the kernel or the Debian user-space initramfs could
/// not be had.
/// </summary>
internal sealed class LinuxUserSpaceFactAttribute : FactAttribute
{
    public LinuxUserSpaceFactAttribute()
    {
        if (!LinuxKernel.IsPresent)
        {
            Skip = $"{LinuxKernel.Path} is absent: `make -C guests linux` could not fetch Debian's kernel (needs apt-get, dpkg-deb and xz)";
        }
        else if (!File.Exists(LinuxKernel.UserSpacePath))
        {
            Skip = $"{LinuxKernel.UserSpacePath} is absent: `make -C guests linux-userspace` could not fetch Debian's packages (needs apt-get and dpkg-deb)";
        }
    }
}
