using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ActorVisor.Devices.Block;

/// <summary>
/// Deallocates a byte range of a file on Linux with fallocate(FALLOC_FL_PUNCH_HOLE |
/// FALLOC_FL_KEEP_SIZE): the size stays, the range reads as zeros and takes no space. Elsewhere, or
/// on a file system that cannot (EOPNOTSUPP), it reports false and the caller writes zeros instead.
/// </summary>
internal static class HolePunch
{
    private const int FallocKeepSize = 0x01;
    private const int FallocPunchHole = 0x02;

    private static bool _unavailable = !OperatingSystem.IsLinux();

    public static bool TryPunch(SafeFileHandle handle, long offset, long length)
    {
        if (_unavailable)
        {
            return false;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            return Fallocate(fd, FallocPunchHole | FallocKeepSize, offset, length) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
            return false;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [DllImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fallocate(int fd, int mode, long offset, long length);
}
