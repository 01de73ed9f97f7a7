namespace ActorVisor.Abi;

/// <summary>Hypercall numbers (__HYPERVISOR_* in xen.h); slot n of the hypercall page calls number n.</summary>
public enum HypercallNumber
{
    SetTrapTable = 0,
    MmuUpdate = 1,
    SetGdt = 2,
    StackSwitch = 3,
    SetCallbacks = 4,
    FpuTaskswitch = 5,
    SchedOpCompat = 6,
    PlatformOp = 7,
    SetDebugreg = 8,
    GetDebugreg = 9,
    UpdateDescriptor = 10,
    MemoryOp = 12,
    Multicall = 13,
    UpdateVaMapping = 14,
    SetTimerOp = 15,
    EventChannelOpCompat = 16,
    XenVersion = 17,
    ConsoleIo = 18,
    PhysdevOpCompat = 19,
    GrantTableOp = 20,
    VmAssist = 21,
    UpdateVaMappingOtherdomain = 22,
    Iret = 23,
    VcpuOp = 24,
    SetSegmentBase = 25,
    MmuextOp = 26,
    XsmOp = 27,
    NmiOp = 28,
    SchedOp = 29,
    CallbackOp = 30,
    XenoprofOp = 31,
    EventChannelOp = 32,
    PhysdevOp = 33,
    HvmOp = 34,
    Sysctl = 35,
    Domctl = 36,
    KexecOp = 37,
    TmemOp = 38,
    ArgoOp = 39,
    XenpmuOp = 40,
    DmOp = 41,
    HypfsOp = 42,
    Arch0 = 48,
    Arch1 = 49,
}

/// <summary>Geometry of the hypercall page.</summary>
public static class HypercallPage
{
    /// <summary>Bytes per stub slot; slot n starts at n * 32.</summary>
    public const int SlotSize = 32;

    /// <summary>Number of slots in the 4 KiB page.</summary>
    public const int SlotCount = PageGeometry.PageSize / SlotSize;
}
