using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Hypervisor.Tests.Compression;

/// <summary>Builds bzImages around payloads and boots what is inside them.</summary>
internal static class BzImageFixture
{
    /// <summary>
    /// Builds a bzImage the way Linux lays one out: boot sector and setup sectors with the setup
    /// header, then the protected-mode part, inside which the payload sits at payload_offset.
    /// </summary>
    public static byte[] Wrap(byte[] payload, ushort version = 0x020F, byte setupSectors = 3, int stubBytes = 0x180, uint? lengthOverride = null)
    {
        int sectors = setupSectors == 0 ? 4 : setupSectors;
        int protectedStart = (sectors + 1) * 512;
        var image = new byte[protectedStart + stubBytes + payload.Length + 64];
        image[0x1F1] = setupSectors;
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x1FE), 0xAA55);
        "HdrS"u8.CopyTo(image.AsSpan(0x202));
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x206), version);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x248), (uint)stubBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x24C), lengthOverride ?? (uint)payload.Length);
        image.AsSpan(protectedStart, stubBytes).Fill(0x90);
        payload.CopyTo(image, protectedStart + stubBytes);
        return image;
    }

    /// <summary>Parses <paramref name="image"/> as the domain builder does, builds a 16 MiB domain from it and runs it until the guest powers off.</summary>
    public static void AssertBootsToPoweroff(byte[] image)
    {
        var parsed = XenElfLoader.Parse(image);
        Assert.True(parsed.Succeeded, parsed.Detail);
        using var machine = Machine.WithMegabytes(20);
        var built = DomainBuilder.Build(machine, parsed.Image!, DomainConfig.WithMegabytes(new DomId(1), 16));
        Assert.True(built.Succeeded, built.Detail);
        var console = new System.Text.StringBuilder();
        var domain = new PvDomain(machine, built.Domain!, new StandaloneHost(console: text => console.Append(text)));

        SliceResult result;
        do
        {
            result = domain.Vcpus[0].RunSlice(100_000);
        }
        while (result.Outcome is SliceOutcome.BudgetSpent or SliceOutcome.Yielded && domain.Clock.NowNs < 1_000_000_000);

        Assert.Equal(SliceOutcome.ShutDown, result.Outcome);
        Assert.Equal(ShutdownReason.Poweroff, result.Reason);
        Assert.Contains("PASS ", console.ToString());
    }
}
