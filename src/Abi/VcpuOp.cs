namespace ActorVisor.Abi;

/// <summary>vcpu_op commands (VCPUOP_* in vcpu.h).</summary>
public enum VcpuOp
{
    Initialise = 0,
    Up = 1,
    Down = 2,
    IsUp = 3,
    GetRunstateInfo = 4,
    RegisterRunstateMemoryArea = 5,
    SetPeriodicTimer = 6,
    StopPeriodicTimer = 7,
    SetSingleshotTimer = 8,
    StopSingleshotTimer = 9,
    RegisterVcpuInfo = 10,
    SendNmi = 11,
    GetPhysid = 12,
    RegisterVcpuTimeMemoryArea = 13,
    RegisterRunstatePhysArea = 14,
    RegisterVcpuTimePhysArea = 15,
}

/// <summary>vCPU runstates (RUNSTATE_*).</summary>
public enum RunstateKind
{
    Running = 0,
    Runnable = 1,
    Blocked = 2,
    Offline = 3,
}
