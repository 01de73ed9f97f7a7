namespace ActorVisor.Abi;

/// <summary>physdev_op commands (PHYSDEVOP_* in physdev.h) that PV kernels commonly issue.</summary>
public enum PhysdevOp
{
    IrqStatusQuery = 5,
    SetIopl = 6,
    SetIobitmap = 7,
    Eoi = 12,
    MapPirq = 13,
    UnmapPirq = 14,
    PirqEoiGmfnV1 = 17,
    GetFreePirq = 23,
    PirqEoiGmfnV2 = 28,
}
