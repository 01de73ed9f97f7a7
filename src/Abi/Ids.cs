namespace ActorVisor.Abi;

/// <summary>A domain identifier (domid_t, 16 bits).</summary>
public readonly record struct DomId(ushort Value)
{
    /// <summary>The control domain.</summary>
    public static readonly DomId Dom0 = new(0);

    /// <summary>DOMID_SELF: the calling domain, as a hypercall argument.</summary>
    public static readonly DomId Self = new(0x7FF0);

    /// <summary>DOMID_IO: owner of I/O memory.</summary>
    public static readonly DomId Io = new(0x7FF1);

    /// <summary>DOMID_XEN: owner of hypervisor pages shared with guests.</summary>
    public static readonly DomId Xen = new(0x7FF2);

    /// <summary>DOMID_COW: owner of shared copy-on-write pages.</summary>
    public static readonly DomId Cow = new(0x7FF3);

    /// <summary>DOMID_INVALID: no domain; also the owner of free frames here.</summary>
    public static readonly DomId Invalid = new(0x7FF4);

    /// <summary>DOMID_IDLE.</summary>
    public static readonly DomId Idle = new(0x7FFF);

    /// <summary>The first reserved value; real domains are numbered below it.</summary>
    public const ushort FirstReserved = 0x7FF0;

    /// <summary>True for identifiers that name an ordinary domain.</summary>
    public bool IsRealDomain => Value < FirstReserved;

    public override string ToString() => $"d{Value}";
}

/// <summary>A machine frame number: an index of a 4 KiB host frame.</summary>
public readonly record struct Mfn(ulong Value)
{
    /// <summary>INVALID_MFN (all ones).</summary>
    public static readonly Mfn Invalid = new(ulong.MaxValue);

    /// <summary>The machine address of the first byte of this frame.</summary>
    public ulong MachineAddress => Value << PageGeometry.PageShift;

    public override string ToString() => $"mfn {Value:x}";
}

/// <summary>A guest pseudo-physical frame number.</summary>
public readonly record struct Pfn(ulong Value)
{
    /// <summary>INVALID_P2M_ENTRY (all ones).</summary>
    public static readonly Pfn Invalid = new(ulong.MaxValue);

    public override string ToString() => $"pfn {Value:x}";
}

/// <summary>A grant reference: an index into a domain's grant table.</summary>
public readonly record struct GrantRef(uint Value)
{
    public override string ToString() => $"gref {Value}";
}

/// <summary>An event channel port number (evtchn_port_t).</summary>
public readonly record struct EvtchnPort(uint Value)
{
    public override string ToString() => $"port {Value}";
}
