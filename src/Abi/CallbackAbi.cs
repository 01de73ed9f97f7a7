namespace ActorVisor.Abi;

/// <summary>Callback types (CALLBACKTYPE_* in callback.h).</summary>
public enum CallbackType
{
    Event = 0,
    Failsafe = 1,
    Syscall = 2,
    SysenterDeprecated = 3,
    Nmi = 4,
    Sysenter = 5,
    Syscall32 = 7,
}

/// <summary>callback_op commands and flags.</summary>
public static class CallbackOp
{
    public const int Register = 0;
    public const int Unregister = 1;

    /// <summary>CALLBACKF_mask_events: mask events on entry to the callback.</summary>
    public const ushort MaskEvents = 1;
}

/// <summary>set_segment_base selectors (SEGBASE_*), 64-bit guests only.</summary>
public enum SegmentBaseKind
{
    Fs = 0,
    GsUser = 1,
    GsKernel = 2,
    GsUserSel = 3,
}

/// <summary>vm_assist commands and types (VMASST_*).</summary>
public static class VmAssist
{
    public const uint CmdEnable = 0;
    public const uint CmdDisable = 1;
    public const int Type4GbSegments = 0;
    public const int Type4GbSegmentsNotify = 1;
    public const int TypeWritablePagetables = 2;
    public const int TypePaeExtendedCr3 = 3;
    public const int TypeArchitecturalIopl = 4;
    public const int TypeRunstateUpdateFlag = 5;
    public const int TypeM2pStrict = 32;
}
