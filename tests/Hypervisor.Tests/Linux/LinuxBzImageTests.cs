using ActorVisor.Hypervisor.Boot;

namespace ActorVisor.Hypervisor.Tests.Linux;

/// <summary>Debian's bzImage, parsed through our XZ decoder, is the same Xen PV image as the ELF that fetch.sh unpacked with xz.</summary>
public class LinuxBzImageTests
{
    [LinuxKernelFact]
    public void The_shipped_bzImage_parses_to_the_same_image_as_the_unpacked_elf()
    {
        Assert.True(File.Exists(LinuxKernel.BzImagePath), $"{LinuxKernel.BzImagePath} is missing: rerun `make -C guests linux`");
        var fromElf = XenElfLoader.Parse(File.ReadAllBytes(LinuxKernel.Path));
        var fromBzImage = XenElfLoader.Parse(File.ReadAllBytes(LinuxKernel.BzImagePath));

        Assert.True(fromBzImage.Succeeded, fromBzImage.Detail);
        var a = fromElf.Image!;
        var b = fromBzImage.Image!;
        Assert.Equal((a.Width, a.Entry, a.VirtBase, a.KernelStart, a.KernelEnd, a.HypercallPage), (b.Width, b.Entry, b.VirtBase, b.KernelStart, b.KernelEnd, b.HypercallPage));
        Assert.Equal(a.Segments, b.Segments);
        Assert.True(a.File.Span.SequenceEqual(b.File.Span), "the decompressed ELF differs from the one xz produced");
    }
}
