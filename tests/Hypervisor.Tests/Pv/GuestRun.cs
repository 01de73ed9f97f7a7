using System.Text;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Tests.Boot;

namespace ActorVisor.Hypervisor.Tests.Pv;

/// <summary>Boots a built test guest on a fresh machine and runs vCPU 0 until the domain ends or a virtual-time limit passes.</summary>
internal sealed class GuestRun : IDisposable
{
    public GuestRun(string arch, string name, int megabytes = 16, PvDomainOptions? options = null, Action<HypercallTraceEntry>? trace = null)
    {
        var image = XenElfLoader.Parse(GuestImages.Load(arch, name)).Image!;
        Machine = Machine.WithMegabytes(megabytes + 4);
        var built = DomainBuilder.Build(Machine, image, DomainConfig.WithMegabytes(new DomId(1), megabytes));
        Assert.True(built.Succeeded, built.Detail);
        Host = new TestDomainHost(trace);
        Domain = new PvDomain(Machine, built.Domain!, Host, options);
        Host.Add(Domain);
    }

    public Machine Machine { get; }

    /// <summary>The host the domain reports to.</summary>
    public TestDomainHost Host { get; }

    public PvDomain Domain { get; }

    public PvVcpu Vcpu => Domain.Vcpus[0];

    /// <summary>Everything written with console_io so far.</summary>
    public string Console => Host.Console;

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

    /// <summary>
    /// Runs every vCPU in turn, one slice each, until the domain ends, every vCPU is offline or
    /// blocked with nothing to wake it, or <paramref name="limitNs"/> of virtual time passes.
    /// </summary>
    public SliceResult RunAllToEnd(long limitNs = 2_000_000_000, long slice = 20_000)
    {
        var last = new SliceResult(SliceOutcome.Offline, 0);
        while (Domain.Clock.NowNs < limitNs)
        {
            bool progressed = false;
            foreach (var vcpu in Domain.Vcpus)
            {
                last = vcpu.RunSlice(slice);
                if (last.Outcome is SliceOutcome.ShutDown or SliceOutcome.Crashed)
                {
                    return last;
                }

                progressed |= last.Retired > 0;
            }

            if (!progressed)
            {
                var sleeper = Domain.Vcpus.Where(v => v.IsOnline && v.IsBlocked && v.NextTimerDeadlineNs is not null).MinBy(v => v.NextTimerDeadlineNs);
                if (sleeper is null || !sleeper.IdleToNextDeadline())
                {
                    return last;
                }
            }
        }

        return last;
    }

    public void Dispose() => Machine.Dispose();
}
