namespace ActorVisor.Abi;

/// <summary>XENFEAT_* bit numbers (features.h) as used in FEATURES notes and XENVER_get_features.</summary>
public enum XenFeature
{
    WritablePageTables = 0,
    WritableDescriptorTables = 1,
    AutoTranslatedPhysmap = 2,
    SupervisorModeKernel = 3,
    PaePgdirAbove4Gb = 4,
    MmuPtUpdatePreserveAd = 5,
    HighmemAssist = 6,
    GnttabMapAvailBits = 7,
    HvmCallbackVector = 8,
    Dom0 = 11,
}
