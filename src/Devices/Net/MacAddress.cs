using System.Buffers.Binary;
using System.Globalization;

namespace ActorVisor.Devices.Net;

/// <summary>
/// A 48-bit Ethernet address, held in the low 48 bits of a ulong in wire order (the first octet
/// most significant). Parses and prints the <c>xx:xx:xx:xx:xx:xx</c> form XenStore's <c>mac</c>
/// key uses.
/// </summary>
public readonly record struct MacAddress(ulong Value)
{
    public const int Bytes = 6;

    /// <summary>Xen's organisationally unique identifier, which the toolstack uses for the MACs it chooses.</summary>
    public const uint XenOui = 0x00163E;

    public static readonly MacAddress Broadcast = new(0xFFFF_FFFF_FFFFUL);

    /// <summary>The group bit (bit 0 of the first octet): broadcast and multicast destinations.</summary>
    public bool IsMulticast => (Value >> 40 & 1) != 0;

    public bool IsBroadcast => Value == Broadcast.Value;

    public bool IsZero => Value == 0;

    /// <summary>An address a station may send from: not group, not all zeros.</summary>
    public bool IsValidSource => !IsMulticast && !IsZero;

    public static MacAddress Read(ReadOnlySpan<byte> six) =>
        new((ulong)BinaryPrimitives.ReadUInt16BigEndian(six) << 32 | BinaryPrimitives.ReadUInt32BigEndian(six[2..]));

    public void Write(Span<byte> six)
    {
        BinaryPrimitives.WriteUInt16BigEndian(six, (ushort)(Value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(six[2..], (uint)Value);
    }

    /// <summary>
    /// The MAC the toolstack gives vif <paramref name="vifIndex"/> of domain <paramref name="domainId"/>
    /// when its spec names none: Xen's OUI, then the domain id (two octets) and the vif index
    /// (one octet). A pure function, so a domain gets the same MACs on every run; unicast by
    /// construction (the OUI's first octet is 00).
    /// </summary>
    public static MacAddress ForVif(int domainId, int vifIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(domainId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(domainId, 0xFFFF);
        ArgumentOutOfRangeException.ThrowIfNegative(vifIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(vifIndex, 0xFF);
        return new((ulong)XenOui << 24 | (ulong)domainId << 8 | (uint)vifIndex);
    }

    /// <summary>
    /// The MAC of vif <paramref name="vifIndex"/>: the spec's own (already checked by the config
    /// loader) or, when the spec names none, <see cref="ForVif"/>'s choice.
    /// </summary>
    public static MacAddress FromSpecOrDefault(string? specMac, int domainId, int vifIndex)
    {
        if (specMac is null)
        {
            return ForVif(domainId, vifIndex);
        }
        return TryParse(specMac, out var mac) ? mac : throw new ArgumentException($"'{specMac}' is not a MAC address (the config loader should have refused it)", nameof(specMac));
    }

    /// <summary>Parses <c>xx:xx:xx:xx:xx:xx</c> (hex digits, either case).</summary>
    public static bool TryParse(string? text, out MacAddress mac)
    {
        mac = default;
        if (text is null || text.Length != 17)
        {
            return false;
        }
        ulong value = 0;
        for (var i = 0; i < Bytes; i++)
        {
            if (i > 0 && text[i * 3 - 1] != ':')
            {
                return false;
            }
            if (!byte.TryParse(text.AsSpan(i * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var octet))
            {
                return false;
            }
            value = value << 8 | octet;
        }
        mac = new MacAddress(value);
        return true;
    }

    public override string ToString()
    {
        Span<byte> b = stackalloc byte[Bytes];
        Write(b);
        return string.Create(CultureInfo.InvariantCulture, $"{b[0]:x2}:{b[1]:x2}:{b[2]:x2}:{b[3]:x2}:{b[4]:x2}:{b[5]:x2}");
    }
}
