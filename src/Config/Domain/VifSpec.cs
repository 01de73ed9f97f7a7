namespace ActorVisor.Config.Domain;

/// <summary>
/// One virtual network interface as xl's vif spec describes it. Every field is optional; a missing
/// MAC is chosen by the toolstack, a missing bridge means the default virtual switch.
/// </summary>
public sealed record VifSpec(
    string? Mac,
    string? Bridge,
    string? Ip,
    string? Backend,
    string? VifName,
    string? Model,
    string? Rate,
    string? Script);
