using System.Text;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Tests.Boot;

namespace ActorVisor.Hypervisor.Tests.Pv;

/// <summary>Boots a built test guest on a fresh machine and runs vCPU 0 until the domain ends or a virtual-time limit passes.</summary>
internal sealed class GuestRun : IDisposable
{
    private readonly StringBuilder _console = new();

    public GuestRun(string arch, string name, int megabytes = 16, PvDomainOptions? options = null)
    {
        var image = XenElfLoader.Parse(GuestImages.Load(arch, name)).Image!;
        Machine = Machine.WithMegabytes(megabytes + 4);
        var built = DomainBuilder.Build(Machine, image, DomainConfig.WithMegabytes(new DomId(1), megabytes));
        Assert.True(built.Succeeded, built.Detail);
        Domain = new PvDomain(Machine, built.Domain!, options);
        Domain.ConsoleWrite = text => _console.Append(text);
    }

    public Machine Machine { get; }

    public PvDomain Domain { get; }

    public PvVcpu Vcpu => Domain.Vcpus[0];

    /// <summary>Everything written with console_io so far.</summary>
    public string Console => _console.ToString();

    public IReadOnlyList<string> Lines => Console.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Runs slices until shutdown, crash, a hang, or <paramref name="limitNs"/> of virtual time; returns the last slice.</summary>
    public SliceResult RunToEnd(long limitNs = 2_000_000_000, long slice = 100_000)
    {
        while (true)
        {
            var result = Vcpu.RunSlice(slice);
            switch (result.Outcome)
            {
                case SliceOutcome.ShutDown:
                case SliceOutcome.Crashed:
                case SliceOutcome.Offline:
                    return result;
                case SliceOutcome.Blocked when Vcpu.IsBlocked:
                    if (!Vcpu.IdleToNextDeadline())
                    {
                        return result;
                    }

                    break;
            }

            if (Domain.Clock.NowNs >= limitNs)
            {
                return result;
            }
        }
    }

    public void Dispose() => Machine.Dispose();
}
