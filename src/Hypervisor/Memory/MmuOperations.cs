using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Memory;

/// <summary>
/// mmu_update and mmuext_op as pure operations over a domain's memory state. Requests are
/// processed in order and processing stops at the first refusal; the result carries the number
/// completed (the guest's "done"). TLB maintenance is returned as requests the caller carries out.
/// </summary>
public sealed class MmuOperations
{
    private readonly Machine _machine;
    private readonly PageTables _tables;

    public MmuOperations(Machine machine)
    {
        _machine = machine;
        _tables = machine.PageTables;
    }

    /// <summary>mmu_update(reqs, count, done, foreigndom).</summary>
    public BatchResult MmuUpdate(PvDomainMemory caller, ReadOnlySpan<MmuUpdateRequest> requests, uint foreignDom, TlbFlushRequests flush)
    {
        var error = ResolveForeign(caller, foreignDom, out var pageOwner, out var tableOwner);
        if (error != PageTableError.None)
        {
            return new BatchResult(0, error);
        }

        for (int i = 0; i < requests.Length; i++)
        {
            error = MmuUpdateOne(tableOwner!, pageOwner!, requests[i], flush);
            if (error != PageTableError.None)
            {
                return new BatchResult(i, error);
            }
        }

        return new BatchResult(requests.Length, PageTableError.None);
    }

    private PageTableError MmuUpdateOne(PvDomainMemory tableOwner, PvDomainMemory pageOwner, MmuUpdateRequest request, TlbFlushRequests flush)
    {
        ulong mfn = request.Ptr >> PageGeometry.PageShift;
        var command = (MmuUpdateCommand)(request.Ptr & 7);
        switch (command)
        {
            case MmuUpdateCommand.NormalPtUpdate:
            case MmuUpdateCommand.PtUpdatePreserveAd:
            case MmuUpdateCommand.PtUpdateNoTranslate:
                return NormalUpdate(tableOwner, pageOwner, mfn, (int)((request.Ptr & 0xFF8) >> 3), request.Val, command == MmuUpdateCommand.PtUpdatePreserveAd, flush);
            case MmuUpdateCommand.MachphysUpdate:
                if (!_machine.Frames.TryGetPage(mfn, pageOwner.Id))
                {
                    return PageTableError.NotOwner;
                }

                _machine.MachineToPhys[mfn] = request.Val;
                _machine.Frames.PutPage(mfn);
                return PageTableError.None;
            default:
                return PageTableError.UnknownCommand;
        }
    }

    private PageTableError NormalUpdate(PvDomainMemory tableOwner, PvDomainMemory pageOwner, ulong mfn, int slot, ulong value, bool preserveAd, TlbFlushRequests flush)
    {
        var frames = _machine.Frames;
        if (!frames.TryGetPage(mfn, tableOwner.Id))
        {
            return PageTableError.NotOwner;
        }

        try
        {
            ref var f = ref frames[mfn];
            if (f.Type.IsPageTable() && f.TypeCount > 0)
            {
                return _tables.UpdateEntry(mfn, slot, value, tableOwner, pageOwner.Id, preserveAd, flush);
            }

            // Not a page table: an ordinary page, written if it can be writable (not a GDT/LDT page).
            if (_tables.GetPageType(mfn, tableOwner, PageType.Writable) != PageTableError.None)
            {
                return PageTableError.TypeConflict;
            }

            _machine.Memory.WriteEntry(mfn, slot, value);
            _tables.PutPageType(mfn);
            return PageTableError.None;
        }
        finally
        {
            frames.PutPage(mfn);
        }
    }

    /// <summary>mmuext_op(ops, count, done, foreigndom) for the calling vCPU.</summary>
    public BatchResult MmuextOp(PvDomainMemory caller, PvVcpuMmu vcpu, ReadOnlySpan<MmuextRequest> ops, uint foreignDom, TlbFlushRequests flush)
    {
        var error = ResolveForeign(caller, foreignDom & 0xFFFF, out var pageOwner, out _);
        if (error != PageTableError.None)
        {
            return new BatchResult(0, error);
        }

        for (int i = 0; i < ops.Length; i++)
        {
            error = MmuextOne(caller, pageOwner!, vcpu, ops[i], flush);
            if (error != PageTableError.None)
            {
                return new BatchResult(i, error);
            }
        }

        return new BatchResult(ops.Length, PageTableError.None);
    }

    private PageTableError MmuextOne(PvDomainMemory caller, PvDomainMemory pageOwner, PvVcpuMmu vcpu, MmuextRequest op, TlbFlushRequests flush)
    {
        bool foreign = pageOwner.Id != caller.Id;
        switch ((MmuextCommand)op.Cmd)
        {
            case MmuextCommand.PinL1Table:
                return _tables.Pin(op.Arg1, PageType.L1, pageOwner);
            case MmuextCommand.PinL2Table:
                return _tables.Pin(op.Arg1, PageType.L2, pageOwner);
            case MmuextCommand.PinL3Table:
                return _tables.Pin(op.Arg1, PageType.L3, pageOwner);
            case MmuextCommand.PinL4Table:
                return _tables.Pin(op.Arg1, PageType.L4, pageOwner);
            case MmuextCommand.UnpinTable:
                return _tables.Unpin(op.Arg1, pageOwner);
            case MmuextCommand.NewBaseptr:
                return foreign ? PageTableError.NotPermitted : _tables.NewBaseptr(caller, vcpu, op.Arg1, flush);
            case MmuextCommand.NewUserBaseptr:
                return foreign ? PageTableError.NotPermitted : _tables.NewUserBaseptr(caller, vcpu, op.Arg1, flush);
            case MmuextCommand.TlbFlushLocal:
                flush.RequestFlushLocal();
                return PageTableError.None;
            case MmuextCommand.TlbFlushMulti:
            case MmuextCommand.TlbFlushAll:
                flush.RequestFlushAll();
                return PageTableError.None;
            case MmuextCommand.InvlpgLocal:
                flush.RequestInvlpgLocal(op.Arg1);
                return PageTableError.None;
            case MmuextCommand.InvlpgMulti:
            case MmuextCommand.InvlpgAll:
                flush.RequestInvlpgAll(op.Arg1);
                return PageTableError.None;
            case MmuextCommand.FlushCache:
            case MmuextCommand.FlushCacheGlobal:
                return caller.IsPrivileged ? PageTableError.None : PageTableError.NoAccess;
            case MmuextCommand.SetLdt:
                return SetLdt(caller, vcpu, op.Arg1, op.Arg2, flush);
            case MmuextCommand.ClearPage:
                return ClearPage(pageOwner, op.Arg1);
            case MmuextCommand.CopyPage:
                return CopyPage(pageOwner, op.Arg1, op.Arg2);
            case MmuextCommand.MarkSuper:
            case MmuextCommand.UnmarkSuper:
                return PageTableError.NotSupported;
            default:
                return PageTableError.UnknownCommand;
        }
    }

    private static PageTableError SetLdt(PvDomainMemory caller, PvVcpuMmu vcpu, ulong linearAddress, ulong entries, TlbFlushRequests flush)
    {
        bool aligned = (linearAddress & 0xFFF) == 0;
        bool endsInGuestSpace = entries == 0
            || GuestPageWalk.IsGuestAddress(caller.Width, linearAddress + (entries * 8) - 1);
        if (!aligned || entries > UpdateVaMappingFlags.MaxLdtEntries || !GuestPageWalk.IsGuestAddress(caller.Width, linearAddress) || !endsInGuestSpace)
        {
            return PageTableError.BadArgument;
        }

        vcpu.LdtBase = linearAddress;
        vcpu.LdtEntries = (uint)entries;
        flush.RequestFlushLocal();
        return PageTableError.None;
    }

    private PageTableError ClearPage(PvDomainMemory owner, ulong mfn)
    {
        if (!_machine.Frames.Contains(mfn))
        {
            return PageTableError.NotOwner;
        }

        var error = _tables.GetPageAndType(mfn, owner, PageType.Writable);
        if (error != PageTableError.None)
        {
            return error == PageTableError.TypeConflict ? PageTableError.BadArgument : error;
        }

        _machine.Memory.ClearFrame(mfn);
        _tables.PutPageAndType(mfn);
        return PageTableError.None;
    }

    private PageTableError CopyPage(PvDomainMemory owner, ulong destination, ulong source)
    {
        if (!_machine.Frames.Contains(destination) || !_machine.Frames.TryGetPage(source, owner.Id))
        {
            return PageTableError.NotOwner;
        }

        var error = _tables.GetPageAndType(destination, owner, PageType.Writable);
        if (error == PageTableError.None)
        {
            _machine.Memory.Frame(source).CopyTo(_machine.Memory.Frame(destination));
            _tables.PutPageAndType(destination);
        }

        _machine.Frames.PutPage(source);
        return error == PageTableError.TypeConflict ? PageTableError.BadArgument : error;
    }

    /// <summary>
    /// Resolves the foreigndom argument: bits 0-15 name the owner of mapped frames (DOMID_SELF or
    /// the caller's own id mean the caller), bits 16-31 hold the page-table owner plus one (0 = caller).
    /// Naming another domain needs privilege.
    /// </summary>
    private PageTableError ResolveForeign(PvDomainMemory caller, uint foreignDom, out PvDomainMemory? pageOwner, out PvDomainMemory? tableOwner)
    {
        tableOwner = caller;
        var error = Resolve(caller, new DomId((ushort)(foreignDom & 0xFFFF)), out pageOwner);
        if (error != PageTableError.None)
        {
            return error;
        }

        uint tableField = foreignDom >> 16;
        return tableField == 0 ? PageTableError.None : Resolve(caller, new DomId((ushort)(tableField - 1)), out tableOwner);
    }

    private PageTableError Resolve(PvDomainMemory caller, DomId id, out PvDomainMemory? domain)
    {
        domain = caller;
        if (id == DomId.Self || id == caller.Id)
        {
            return PageTableError.None;
        }

        domain = _machine.Find(id);
        if (domain is null)
        {
            return PageTableError.NoSuchDomain;
        }

        return caller.IsPrivileged ? PageTableError.None : PageTableError.NotPermitted;
    }
}
