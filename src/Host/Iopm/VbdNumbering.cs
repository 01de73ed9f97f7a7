using System.Globalization;

namespace ActorVisor.Host.Iopm;

/// <summary>
/// The virtual-device number of a vbd from its name, as Xen's vbd-interface document and Linux's
/// xen-blkfront number them: xvd disks 0 to 15 (xvda to xvdp) are <c>202 &lt;&lt; 8 | disk &lt;&lt; 4 | partition</c>
/// (xvda = 51712); later disks, and partitions past 15, use the extended form
/// <c>1 &lt;&lt; 28 | disk &lt;&lt; 8 | partition</c>. Disk letters go on past z as aa, ab, ... (a
/// bijective base-26 number: xvdaa is disk 26). hd and sd names are the emulated majors (3, 22;
/// 8 for sd) with their own limits. A plain decimal number is taken as it is.
/// </summary>
public static class VbdNumbering
{
    /// <summary>Largest disk index the extended form holds (its 20 bits of disk above 8 bits of partition).</summary>
    private const int MaxExtendedDisk = (1 << 20) - 1;

    /// <summary>The device id of <paramref name="vdev"/>, or null when it is not a vbd name.</summary>
    public static int? DevId(string vdev)
    {
        ArgumentNullException.ThrowIfNull(vdev);
        if (vdev.Length > 0 && vdev.All(char.IsAsciiDigit))
        {
            return int.TryParse(vdev, NumberStyles.None, CultureInfo.InvariantCulture, out int number) ? number : null;
        }

        string prefix = vdev.StartsWith("xvd", StringComparison.Ordinal) ? "xvd"
            : vdev.StartsWith("hd", StringComparison.Ordinal) ? "hd"
            : vdev.StartsWith("sd", StringComparison.Ordinal) ? "sd"
            : "";
        if (prefix.Length == 0)
        {
            return null;
        }

        int at = prefix.Length;
        long disk = 0;
        int letters = 0;
        while (at < vdev.Length && vdev[at] is >= 'a' and <= 'z')
        {
            disk = (disk * 26) + (vdev[at] - 'a' + 1);
            at++;
            letters++;
            if (disk > MaxExtendedDisk + 1)
            {
                return null;
            }
        }

        if (letters == 0)
        {
            return null;
        }

        disk--;
        int partition = 0;
        if (at < vdev.Length)
        {
            if (!int.TryParse(vdev.AsSpan(at), NumberStyles.None, CultureInfo.InvariantCulture, out partition) || vdev[at] == '0' || partition > 255)
            {
                return null;
            }
        }

        return prefix switch
        {
            "xvd" when disk < 16 && partition < 16 => (202 << 8) | ((int)disk << 4) | partition,
            "xvd" when disk <= MaxExtendedDisk => (1 << 28) | ((int)disk << 8) | partition,
            "hd" when disk < 4 && partition < 64 => ((disk < 2 ? 3 : 22) << 8) | ((int)(disk % 2) << 6) | partition,
            "sd" when disk < 16 && partition < 16 => (8 << 8) | ((int)disk << 4) | partition,
            _ => null,
        };
    }
}
