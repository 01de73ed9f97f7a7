using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Grants;

/// <summary>One side of a GNTTABOP_copy: a grant reference of <see cref="Domain"/>, or (PV) a frame of the caller's own.</summary>
public readonly record struct GrantCopySide(bool IsGrantRef, uint RefOrFrame, DomId Domain, ushort Offset);
