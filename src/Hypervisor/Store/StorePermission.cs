using System.Globalization;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Store;

/// <summary>What a domain may do with a node.</summary>
[Flags]
public enum StoreAccess
{
    None = 0,
    Read = 1,
    Write = 2,
    Both = Read | Write,
}

/// <summary>
/// One entry of a node's permission list. The first entry names the owner (who may do
/// everything) and, in <see cref="Access"/>, what every unlisted domain may do; later entries
/// grant particular domains. On the wire an entry is a letter (n, r, w, b) and a domid: "r5".
/// </summary>
public readonly record struct StorePermission(DomId Domain, StoreAccess Access)
{
    public string ToWire() => (Access switch
    {
        StoreAccess.Read => "r",
        StoreAccess.Write => "w",
        StoreAccess.Both => "b",
        _ => "n",
    }) + Domain.Value.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out StorePermission permission)
    {
        permission = default;
        if (text.Length < 2)
        {
            return false;
        }

        StoreAccess? access = text[0] switch
        {
            'n' => StoreAccess.None,
            'r' => StoreAccess.Read,
            'w' => StoreAccess.Write,
            'b' => StoreAccess.Both,
            _ => null,
        };
        if (access is null || !ushort.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out ushort domid))
        {
            return false;
        }

        permission = new StorePermission(new DomId(domid), access.Value);
        return true;
    }

    /// <summary>
    /// What <paramref name="caller"/> may do on a node with <paramref name="permissions"/>: the
    /// control domain and the owner everything, a listed domain its entry, anyone else the
    /// first entry's access.
    /// </summary>
    public static StoreAccess AccessFor(DomId caller, IReadOnlyList<StorePermission> permissions)
    {
        if (caller == DomId.Dom0 || caller == permissions[0].Domain)
        {
            return StoreAccess.Both;
        }

        for (int i = 1; i < permissions.Count; i++)
        {
            if (permissions[i].Domain == caller)
            {
                return permissions[i].Access;
            }
        }

        return permissions[0].Access;
    }
}
