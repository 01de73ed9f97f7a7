using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Tests.Hypercalls;

/// <summary>
/// The steps of guests/tests/pt_attack.c replayed through the dispatcher on a built domain, so
/// that the guest's expectations are known to match the hypervisor before a CPU runs it.
/// </summary>
public class AttackScenarioTests
{
    private const ulong Ro = PteFlags.Present | PteFlags.Accessed;
    private const ulong Rw = Ro | PteFlags.ReadWrite;

    [Theory]
    [InlineData("x86_64", MmuextCommand.PinL4Table, HypervisorLayout.VirtStart64)]
    [InlineData("x86_32", MmuextCommand.PinL3Table, HypervisorLayout.CompatVirtStart32)]
    public void The_page_table_attacks_are_refused_and_leave_counts_unchanged(string arch, MmuextCommand rootPin, ulong hypervisorVa)
    {
        using var f = new HypercallFixture(arch);
        bool is32 = arch == "x86_32";
        long Uvm(ulong va, ulong pte) => is32
            ? f.Call(HypercallNumber.UpdateVaMapping, va, pte & 0xFFFF_FFFF, pte >> 32, UpdateVaMappingFlags.Invlpg)
            : f.Call(HypercallNumber.UpdateVaMapping, va, pte, UpdateVaMappingFlags.Invlpg);
        ulong opArea = f.Scratch + (8 * 4096);
        long Ext(MmuextCommand cmd, ulong mfn)
        {
            f.WriteU32(opArea, (uint)cmd);
            if (is32)
            {
                f.WriteU32(opArea + 4, (uint)mfn);
            }
            else
            {
                f.WriteU64(opArea + 8, mfn);
            }

            return f.Call(HypercallNumber.MmuextOp, opArea, 1, 0, DomId.Self.Value);
        }

        var layout = f.Domain.Built.Layout;
        ulong root = f.MfnOf(layout.PageTablesVa);
        ulong table = f.Scratch, data = f.Scratch + 4096;
        ulong tableMfn = f.MfnOf(table), dataMfn = f.MfnOf(data);

        Assert.Equal(-16, Uvm(layout.PageTablesVa, (root << 12) | Rw));
        Assert.Equal(0, Uvm(layout.PageTablesVa, (root << 12) | Ro));
        Assert.Equal(-16, Uvm(table, 0 | Ro));
        Assert.Equal(-22, Uvm(hypervisorVa, (tableMfn << 12) | Ro));

        f.Write(table, new byte[4096]);
        f.WriteU64(table, (dataMfn << 12) | Ro);
        f.WriteU64(table + 8, (dataMfn << 12) | Ro | PteFlags.CacheDisable);
        var before = (f.Machine.Frames[dataMfn], f.Machine.Frames[tableMfn].RefCount);
        Assert.Equal(0, Uvm(table, (tableMfn << 12) | Ro));
        Assert.Equal(-22, Ext(MmuextCommand.PinL1Table, tableMfn));
        Assert.Equal(before.Item1, f.Machine.Frames[dataMfn]);
        Assert.Equal(0, Uvm(table, (tableMfn << 12) | Rw));
        f.WriteU64(table + 8, 0);
        Assert.Equal(0, Uvm(table, (tableMfn << 12) | Ro));
        Assert.Equal(0, Ext(MmuextCommand.PinL1Table, tableMfn));
        Assert.Equal(-16, Uvm(table, (tableMfn << 12) | Rw));
        Assert.Equal(-22, Ext(MmuextCommand.PinL1Table, tableMfn));
        Assert.Equal(0, Ext(MmuextCommand.UnpinTable, tableMfn));
        Assert.Equal(-22, Ext(MmuextCommand.UnpinTable, tableMfn));
        Assert.Equal(-22, Ext(rootPin, root));
        Assert.Equal(before.RefCount, f.Machine.Frames[tableMfn].RefCount);
    }
}
