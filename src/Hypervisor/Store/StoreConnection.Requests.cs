using System.Globalization;
using System.Text;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Store;

/// <summary>
/// Decoding of request payloads and encoding of replies. Arguments are NUL-terminated strings
/// (WRITE: the path, then the raw value up to the end); a payload that does not have the
/// arguments its type needs is answered with EINVAL. Replies have the request's type (ERROR
/// with the errno name on failure) and echo req_id and tx_id.
/// </summary>
public sealed partial class StoreConnection
{
    private static readonly byte[] Ok = XsHeader.Strings("OK");

    private byte[] Dispatch(XsHeader header, ReadOnlySpan<byte> payload)
    {
        var type = (XsMessageType)header.Type;
        uint tx = header.TransactionId;
        var args = SplitArguments(payload);
        StoreError error;
        byte[] reply = Ok;
        switch (type)
        {
            case XsMessageType.Read when args.Count == 1:
                error = _store.Read(Domain, tx, args[0], out reply);
                break;
            case XsMessageType.Write when SplitWrite(payload, out var path, out var value):
                error = _store.Write(Domain, tx, path, value);
                break;
            case XsMessageType.Mkdir when args.Count == 1:
                error = _store.Mkdir(Domain, tx, args[0]);
                break;
            case XsMessageType.Rm when args.Count == 1:
                error = _store.Remove(Domain, tx, args[0]);
                break;
            case XsMessageType.Directory when args.Count == 1:
                error = _store.Directory(Domain, tx, args[0], out var names);
                reply = XsHeader.Strings([.. names]);
                break;
            case XsMessageType.GetPerms when args.Count == 1:
                error = _store.GetPermissions(Domain, tx, args[0], out var permissions);
                reply = XsHeader.Strings([.. permissions.Select(p => p.ToWire())]);
                break;
            case XsMessageType.SetPerms when args.Count >= 2:
                error = SetPermissions(tx, args);
                break;
            case XsMessageType.Watch when args.Count == 2:
                error = _store.Watch(Domain, args[0], args[1]);
                break;
            case XsMessageType.Unwatch when args.Count == 2:
                error = _store.Unwatch(Domain, args[0], args[1]);
                break;
            case XsMessageType.ResetWatches:
                _store.ResetWatches(Domain);
                error = StoreError.None;
                break;
            case XsMessageType.TransactionStart when tx != 0:
                error = StoreError.Busy;
                break;
            case XsMessageType.TransactionStart:
                error = _store.StartTransaction(Domain, out uint id);
                reply = XsHeader.Strings(id.ToString(CultureInfo.InvariantCulture));
                break;
            case XsMessageType.TransactionEnd when args.Count == 1 && args[0] is "T" or "F":
                error = _store.EndTransaction(Domain, tx, args[0] == "T");
                break;
            case XsMessageType.GetDomainPath when args.Count == 1 && TryDomain(args[0], out var domain):
                error = StoreError.None;
                reply = XsHeader.Strings(StorePath.DomainPath(domain));
                break;
            case XsMessageType.IsDomainIntroduced when args.Count == 1 && TryDomain(args[0], out var domain):
                error = StoreError.None;
                reply = XsHeader.Strings(_store.IsIntroduced(domain) ? "T" : "F");
                break;
            case XsMessageType.Introduce when args.Count == 3 && TryDomain(args[0], out var domain):
                error = _store.IntroduceDomain(Domain, domain);
                break;
            case XsMessageType.Release when args.Count == 1 && TryDomain(args[0], out var domain):
                error = _store.ReleaseDomain(Domain, domain);
                break;
            case XsMessageType.Control or XsMessageType.Resume or XsMessageType.SetTarget or XsMessageType.DirectoryPart
                or XsMessageType.GetFeature or XsMessageType.SetFeature or XsMessageType.GetQuota or XsMessageType.SetQuota:
                error = StoreError.NotImplemented;
                break;
            default:
                error = StoreError.Invalid;
                break;
        }

        if (error == StoreError.None && reply.Length > StoreRing.MaxPayloadBytes)
        {
            error = StoreError.TooBig;
        }

        return error == StoreError.None
            ? XsHeader.Message(type, header.RequestId, tx, reply)
            : XsHeader.Message(XsMessageType.Error, header.RequestId, tx, XsHeader.Strings(error.WireName()));
    }

    private StoreError SetPermissions(uint tx, List<string> args)
    {
        var permissions = new List<StorePermission>();
        foreach (var text in args.Skip(1))
        {
            if (!StorePermission.TryParse(text, out var permission))
            {
                return StoreError.Invalid;
            }

            permissions.Add(permission);
        }

        return _store.SetPermissions(Domain, tx, args[0], permissions);
    }

    /// <summary>Splits a payload of NUL-terminated strings; an unterminated last string makes the payload malformed (an empty list).</summary>
    private static List<string> SplitArguments(ReadOnlySpan<byte> payload)
    {
        var args = new List<string>();
        while (payload.Length > 0)
        {
            int nul = payload.IndexOf((byte)0);
            if (nul < 0)
            {
                return [];
            }

            args.Add(Encoding.UTF8.GetString(payload[..nul]));
            payload = payload[(nul + 1)..];
        }

        return args;
    }

    private static bool SplitWrite(ReadOnlySpan<byte> payload, out string path, out byte[] value)
    {
        int nul = payload.IndexOf((byte)0);
        path = nul < 0 ? "" : Encoding.UTF8.GetString(payload[..nul]);
        value = nul < 0 ? [] : payload[(nul + 1)..].ToArray();
        return nul > 0;
    }

    private static bool TryDomain(string text, out DomId domain)
    {
        bool ok = ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ushort value) && value < DomId.FirstReserved;
        domain = new DomId(value);
        return ok;
    }
}
