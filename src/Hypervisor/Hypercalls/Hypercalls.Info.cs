using System.Text;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Hypercalls;

/// <summary>console_io, xen_version and vm_assist.</summary>
public static partial class Hypercalls
{
    /// <summary>The Xen version we report: 4.19.</summary>
    public const int VersionMajor = 4;
    public const int VersionMinor = 19;

    /// <summary>Most bytes one console_io write may carry.</summary>
    private const uint MaxConsoleWrite = 1u << 16;

    /// <summary>
    /// XENVER_get_features submap 0 for a PV domU: mmu_pt_update_preserve_ad, highmem_assist,
    /// gnttab_map_avail_bits and the bits Xen sets for every PV guest (13, 17-20); bit 4 is added
    /// with the pae_extended_cr3 assist. Never auto_translated_physmap.
    /// </summary>
    private const uint PvFeatures = 0x1E20E0;

    private static long ConsoleIo(PvVcpu vcpu, int command, uint count, ulong buffer)
    {
        if (command != (int)ConsoleIoOp.Write)
        {
            return vcpu.Domain.Memory.IsPrivileged && command == (int)ConsoleIoOp.Read ? 0 : Error(XenErrno.NoSys);
        }

        if (count > MaxConsoleWrite)
        {
            return Error(XenErrno.Inval);
        }

        var bytes = new byte[count];
        if (!vcpu.Memory.TryRead(buffer, bytes))
        {
            return Fault;
        }

        vcpu.Domain.WriteConsole(bytes);
        return Ok;
    }

    private static long XenVersion(PvVcpu vcpu, int command, ulong argument)
    {
        var domain = vcpu.Domain;
        switch ((XenVersionOp)command)
        {
            case XenVersionOp.Version:
                return (VersionMajor << 16) | VersionMinor;
            case XenVersionOp.ExtraVersion:
                return WriteString(vcpu, argument, ".0-actorvisor", XenVersionSizes.ExtraVersion);
            case XenVersionOp.Capabilities:
                return WriteString(vcpu, argument, "xen-3.0-x86_64 xen-3.0-x86_32p", XenVersionSizes.Capabilities);
            case XenVersionOp.Changeset:
                return WriteString(vcpu, argument, "actorvisor", XenVersionSizes.Changeset);
            case XenVersionOp.CompileInfo:
                {
                    var info = new byte[XenVersionSizes.CompileInfo];
                    Encoding.ASCII.GetBytes("dotnet").CopyTo(info, 0);
                    Encoding.ASCII.GetBytes("actorvisor").CopyTo(info, 64);
                    return vcpu.Memory.TryWrite(argument, info) ? Ok : Fault;
                }

            case XenVersionOp.PlatformParameters:
                return vcpu.Memory.TryWriteLong(argument, domain.Width == GuestWidth.Bits64 ? HypervisorLayout.VirtStart64 : HypervisorLayout.CompatVirtStart32) ? Ok : Fault;
            case XenVersionOp.GetFeatures:
                {
                    if (!vcpu.Memory.TryReadUInt32(argument, out var index))
                    {
                        return Fault;
                    }

                    if (index != 0)
                    {
                        return Error(XenErrno.Inval);
                    }

                    uint features = PvFeatures | (domain.Memory.PaeExtendedCr3 && domain.Width == GuestWidth.Bits32Pae ? 1u << (int)XenFeature.PaePgdirAbove4Gb : 0);
                    return vcpu.Memory.TryWriteUInt32(argument + 4, features) ? Ok : Fault;
                }

            case XenVersionOp.PageSize:
                return argument == 0 ? PageGeometry.PageSize : Error(XenErrno.Inval);
            case XenVersionOp.GuestHandle:
                return vcpu.Memory.TryWrite(argument, new byte[XenVersionSizes.GuestHandle]) ? Ok : Fault;
            case XenVersionOp.CommandLine:
                return WriteString(vcpu, argument, "", XenVersionSizes.CommandLine);
            default:
                return Error(XenErrno.NoSys);
        }
    }

    private static long WriteString(PvVcpu vcpu, ulong argument, string value, int size)
    {
        var bytes = new byte[size];
        Encoding.ASCII.GetBytes(value).CopyTo(bytes, 0);
        return vcpu.Memory.TryWrite(argument, bytes) ? Ok : Fault;
    }

    private static long VmAssist(PvVcpu vcpu, uint command, uint type)
    {
        if (command > Abi.VmAssist.CmdDisable)
        {
            return Error(XenErrno.NoSys);
        }

        bool enable = command == Abi.VmAssist.CmdEnable;
        switch ((int)type)
        {
            case Abi.VmAssist.TypeWritablePagetables:
                return Ok;
            case Abi.VmAssist.TypePaeExtendedCr3 when vcpu.Domain.Width == GuestWidth.Bits32Pae:
                vcpu.Domain.Memory.PaeExtendedCr3 = enable;
                return Ok;
            default:
                return Error(XenErrno.Inval);
        }
    }
}
