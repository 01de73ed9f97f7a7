namespace ActorVisor.Abi;

/// <summary>memory_op commands (XENMEM_* in memory.h).</summary>
public enum MemoryOp
{
    IncreaseReservation = 0,
    DecreaseReservation = 1,
    MaximumRamPage = 2,
    CurrentReservation = 3,
    MaximumReservation = 4,
    MachphysMfnList = 5,
    PopulatePhysmap = 6,
    AddToPhysmap = 7,
    MemoryMap = 9,
    MachineMemoryMap = 10,
    Exchange = 11,
    MachphysMapping = 12,
    SetMemoryMap = 13,
    MaximumGpfn = 14,
}

/// <summary>Offsets of xen_memory_reservation (32 bytes on 64-bit, 20 bytes on 32-bit).</summary>
public sealed record MemoryReservationLayout(int Size, int ExtentStart, int NrExtents, int ExtentOrder, int MemFlags, int DomId)
{
    public static readonly MemoryReservationLayout Bits64 = new(32, 0, 8, 16, 20, 24);
    public static readonly MemoryReservationLayout Bits32 = new(20, 0, 4, 8, 12, 16);

    public static MemoryReservationLayout For(GuestWidth width) => width == GuestWidth.Bits64 ? Bits64 : Bits32;
}

/// <summary>E820 entry as XENMEM_memory_map returns it: addr u64 @0, size u64 @8, type u32 @16, packed.</summary>
public static class E820Entry
{
    public const int Size = 20;
    public const uint TypeRam = 1;
}
