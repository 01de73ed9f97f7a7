using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;

namespace ActorVisor.Hypervisor.Tests.Boot;

/// <summary>The boot module (an initrd): placed after the kernel, mapped, and described by start_info's mod_start and mod_len.</summary>
public class BootModuleTests
{
    private static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)((i * 7) + 3);
        }

        return bytes;
    }

    [Theory]
    [InlineData("x86_64", 8)]
    [InlineData("x86_32", 4)]
    public void A_module_follows_the_kernel_and_start_info_names_its_address_and_length(string arch, int longSize)
    {
        var module = Pattern(10_000);
        var image = XenElfLoader.Parse(GuestImages.Load(arch, "hello")).Image!;
        using var machine = Machine.WithMegabytes(64);
        var config = DomainConfig.WithMegabytes(new DomId(1), 16) with { Module = module };

        var result = DomainBuilder.Build(machine, image, config);

        Assert.True(result.Succeeded, result.Detail);
        var d = result.Domain!;
        var l = d.Layout;
        Assert.Equal((l.KernelEnd + 0xFFF) & ~0xFFFul, l.ModuleVa);
        Assert.Equal(l.ModuleVa + 3 * 4096ul, l.P2mVa);
        var si = machine.Memory.Frame(d.StartInfoMfn).ToArray();
        var layout = StartInfoLayout.For(d.Image.Width);
        ulong Long(int offset) => longSize == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(si.AsSpan(offset)) : BinaryPrimitives.ReadUInt32LittleEndian(si.AsSpan(offset));
        Assert.Equal(l.ModuleVa, Long(layout.ModStart));
        Assert.Equal(10_000ul, Long(layout.ModLen));
        var copy = new byte[module.Length];
        for (int offset = 0; offset < module.Length; offset += 4096)
        {
            ulong va = l.ModuleVa + (ulong)offset;
            int chunk = Math.Min(4096, module.Length - offset);
            machine.Memory.Frame(d.P2m[(int)l.PfnOf(va)])[..chunk].CopyTo(copy.AsSpan(offset));
        }

        Assert.Equal(module, copy);
    }

    [Fact]
    public void Without_a_module_mod_start_and_mod_len_are_zero()
    {
        var image = XenElfLoader.Parse(GuestImages.Load("x86_64", "hello")).Image!;
        using var machine = Machine.WithMegabytes(64);

        var d = DomainBuilder.Build(machine, image, DomainConfig.WithMegabytes(new DomId(1), 16)).Domain!;

        var si = machine.Memory.Frame(d.StartInfoMfn);
        Assert.Equal(0ul, BinaryPrimitives.ReadUInt64LittleEndian(si[StartInfoLayout.Bits64.ModStart..]));
        Assert.Equal(0ul, BinaryPrimitives.ReadUInt64LittleEndian(si[StartInfoLayout.Bits64.ModLen..]));
        Assert.Equal(0ul, d.Layout.ModuleVa);
    }

    [Fact]
    public void A_module_that_does_not_fit_in_the_domains_memory_is_refused()
    {
        var image = XenElfLoader.Parse(GuestImages.Load("x86_64", "hello")).Image!;
        using var machine = Machine.WithMegabytes(64);
        var config = DomainConfig.WithMegabytes(new DomId(1), 4) with { Module = new byte[5 << 20] };

        var result = DomainBuilder.Build(machine, image, config);

        Assert.Equal(DomainBuildError.LargerThanMemory, result.Error);
        Assert.Contains("module", result.Detail, StringComparison.Ordinal);
        Assert.Null(machine.Find(new DomId(1)));
    }
}
