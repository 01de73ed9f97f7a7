using System.Buffers.Binary;
using System.Text;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Tests.Boot;

namespace ActorVisor.Hypervisor.Tests.Hypercalls;

/// <summary>
/// A built hello guest as a runtime PvDomain that is never run: hypercalls are made directly with
/// <see cref="PvVcpu.InvokeHypercall"/>, arguments placed in a scratch area in the free slack.
/// </summary>
internal sealed class HypercallFixture : IDisposable
{
    public HypercallFixture(string arch = "x86_64", PvDomainOptions? options = null)
    {
        Machine = Machine.WithMegabytes(64);
        var image = XenElfLoader.Parse(GuestImages.Load(arch, "hello")).Image!;
        var built = DomainBuilder.Build(Machine, image, DomainConfig.WithMegabytes(new DomId(1), 16)).Domain!;
        Domain = new PvDomain(Machine, built, Host, options);
        Host.Add(Domain);
        Vcpu = Domain.Vcpus[0];
        Scratch = built.Layout.StackVa + 4096;
    }

    public Machine Machine { get; }

    /// <summary>The host the domain reports to.</summary>
    public TestDomainHost Host { get; } = new();

    public PvDomain Domain { get; }

    public PvVcpu Vcpu { get; }

    /// <summary>A free, writable guest virtual address (the slack after the boot stack).</summary>
    public ulong Scratch { get; }

    /// <summary>Everything written with console_io so far.</summary>
    public string Console => Host.Console;

    public long Call(HypercallNumber number, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0) =>
        Vcpu.InvokeHypercall(number, a1, a2, a3, a4, a5);

    public void Write(ulong va, ReadOnlySpan<byte> bytes) => Assert.True(Vcpu.GuestMemory.TryWrite(va, bytes));

    public void WriteU32(ulong va, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        Write(va, b);
    }

    public void WriteU64(ulong va, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        Write(va, b);
    }

    public uint ReadU32(ulong va)
    {
        Assert.True(Vcpu.GuestMemory.TryReadU32(va, out var v));
        return v;
    }

    /// <summary>The MFN behind a bootstrap-mapped guest virtual address.</summary>
    public ulong MfnOf(ulong va) => Domain.Built.P2m[(int)Domain.Built.Layout.PfnOf(va)];

    public void Dispose() => Machine.Dispose();
}
