using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Tests.Boot;

namespace ActorVisor.Hypervisor.Tests.Hypercalls;

/// <summary>grant_table_op through the runtime vCPU: the argument structures of both guest widths.</summary>
public sealed class GrantTableOpTests : IDisposable
{
    private readonly Machine _machine = Machine.WithMegabytes(96);
    private readonly TestDomainHost _host = new();

    public void Dispose() => _machine.Dispose();

    private PvDomain Build(string arch, DomId id)
    {
        var image = XenElfLoader.Parse(GuestImages.Load(arch, "hello")).Image!;
        var built = DomainBuilder.Build(_machine, image, DomainConfig.WithMegabytes(id, 16)).Domain!;
        var domain = new PvDomain(_machine, built, _host);
        _host.Add(domain);
        return domain;
    }

    private static ulong Scratch(PvDomain d) => d.Built.Layout.StackVa + 4096;

    private static ulong MfnOf(PvDomain d, ulong va) => d.Built.P2m[(int)d.Built.Layout.PfnOf(va)];

    private static void Write(PvDomain d, ulong va, ReadOnlySpan<byte> bytes) => Assert.True(d.Vcpus[0].GuestMemory.TryWrite(va, bytes));

    private static byte[] Read(PvDomain d, ulong va, int length)
    {
        var bytes = new byte[length];
        Assert.True(d.Vcpus[0].GuestMemory.TryRead(va, bytes));
        return bytes;
    }

    private static long GrantOp(PvDomain d, GrantTableOp op, ulong args, uint count) =>
        d.Vcpus[0].InvokeHypercall(HypercallNumber.GrantTableOp, (ulong)op, args, count);

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void Setup_table_writes_the_frame_list_and_query_size_reports_it(string arch)
    {
        var d = Build(arch, new DomId(1));
        bool is64 = arch == "x86_64";
        ulong op = Scratch(d), list = op + 256;
        var setup = new byte[is64 ? 24 : 16];
        BinaryPrimitives.WriteUInt16LittleEndian(setup, DomId.Self.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(setup.AsSpan(4), 2);
        if (is64)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(setup.AsSpan(16), list);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(setup.AsSpan(12), (uint)list);
        }

        Write(d, op, setup);

        Assert.Equal(0, GrantOp(d, GrantTableOp.SetupTable, op, 1));

        Assert.Equal(0, BinaryPrimitives.ReadInt16LittleEndian(Read(d, op + 8, 2)));
        var frames = Read(d, list, is64 ? 16 : 8);
        ulong[] written = is64
            ? [BinaryPrimitives.ReadUInt64LittleEndian(frames), BinaryPrimitives.ReadUInt64LittleEndian(frames.AsSpan(8))]
            : [BinaryPrimitives.ReadUInt32LittleEndian(frames), BinaryPrimitives.ReadUInt32LittleEndian(frames.AsSpan(4))];
        Assert.Equal(d.Grants.Frames, written);

        Write(d, op + 64, new byte[16]);
        Assert.Equal(0, GrantOp(d, GrantTableOp.QuerySize, op + 64, 1));
        var size = Read(d, op + 64, 16);
        Assert.Equal((2u, (uint)d.Grants.MaxFrames), (BinaryPrimitives.ReadUInt32LittleEndian(size.AsSpan(4)), BinaryPrimitives.ReadUInt32LittleEndian(size.AsSpan(8))));
    }

    [Fact]
    public void Setup_table_refuses_another_domain_and_too_many_frames_and_version_2_is_not_offered()
    {
        var d = Build("x86_64", new DomId(1));
        ulong op = Scratch(d);
        var setup = new byte[24];
        BinaryPrimitives.WriteUInt16LittleEndian(setup, 5);
        BinaryPrimitives.WriteUInt32LittleEndian(setup.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(setup.AsSpan(16), op + 256);
        Write(d, op, setup);

        Assert.Equal(0, GrantOp(d, GrantTableOp.SetupTable, op, 1));
        Assert.Equal((short)GrantStatus.BadDomain, BinaryPrimitives.ReadInt16LittleEndian(Read(d, op + 8, 2)));

        BinaryPrimitives.WriteUInt16LittleEndian(setup, DomId.Self.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(setup.AsSpan(4), (uint)d.Grants.MaxFrames + 1);
        Write(d, op, setup);
        Assert.Equal(0, GrantOp(d, GrantTableOp.SetupTable, op, 1));
        Assert.Equal((short)GrantStatus.GeneralError, BinaryPrimitives.ReadInt16LittleEndian(Read(d, op + 8, 2)));
        Assert.Empty(d.Grants.Frames);

        Assert.Equal(-22, GrantOp(d, GrantTableOp.SetupTable, op, 2));
        Write(d, op + 64, [2, 0, 0, 0]);
        Assert.Equal(-38, GrantOp(d, GrantTableOp.SetVersion, op + 64, 1));
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void Copy_from_a_grant_into_an_own_frame_moves_the_bytes_and_reports_each_status(string arch)
    {
        var granter = Build("x86_64", new DomId(1));
        var grantee = Build(arch, new DomId(2));
        bool is64 = arch == "x86_64";
        Assert.Equal(GrantStatus.Okay, granter.Grants.SetupTable(1, out var grantFrames));
        ulong source = MfnOf(granter, Scratch(granter));
        _machine.Memory.Frame(source)[100] = 0x5A;
        _machine.Memory.Frame(source)[101] = 0xA5;
        var entry = _machine.Memory.Frame(grantFrames[0]).Slice(3 * 8, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], grantee.Id.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], (uint)source);
        BinaryPrimitives.WriteUInt16LittleEndian(entry, GrantFlags.PermitAccess | GrantFlags.ReadOnly);

        ulong op = Scratch(grantee);
        ulong destination = MfnOf(grantee, op + (4 * 4096));
        int size = is64 ? 40 : 24, dest = is64 ? 16 : 8, length = is64 ? 32 : 16, dom = is64 ? 8 : 4;
        var copies = new byte[2 * size];
        for (int i = 0; i < 2; i++)
        {
            var c = copies.AsSpan(i * size, size);
            BinaryPrimitives.WriteUInt32LittleEndian(c, 3);
            BinaryPrimitives.WriteUInt16LittleEndian(c[dom..], granter.Id.Value);
            BinaryPrimitives.WriteUInt16LittleEndian(c[(dom + 2)..], 100);
            BinaryPrimitives.WriteUInt32LittleEndian(c[dest..], (uint)destination);
            BinaryPrimitives.WriteUInt16LittleEndian(c[(dest + dom)..], DomId.Self.Value);
            BinaryPrimitives.WriteUInt16LittleEndian(c[(dest + dom + 2)..], 8);
            BinaryPrimitives.WriteUInt16LittleEndian(c[length..], 2);
            BinaryPrimitives.WriteUInt16LittleEndian(c[(length + 2)..], GrantCopyFlags.SourceGref);
        }

        // The second copy names a grant reference of a domain that does not exist.
        BinaryPrimitives.WriteUInt16LittleEndian(copies.AsSpan(size + dom), 9);
        Write(grantee, op, copies);

        Assert.Equal(0, GrantOp(grantee, GrantTableOp.Copy, op, 2));

        Assert.Equal(0, BinaryPrimitives.ReadInt16LittleEndian(Read(grantee, op + (ulong)length + 4, 2)));
        Assert.Equal((short)GrantStatus.BadDomain, BinaryPrimitives.ReadInt16LittleEndian(Read(grantee, op + (ulong)(size + length + 4), 2)));
        Assert.Equal([0x5A, 0xA5], _machine.Memory.Frame(destination).Slice(8, 2).ToArray());
    }
}
