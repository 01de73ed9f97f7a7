using System.Text;

namespace ActorVisor.Config.Hocon;

/// <summary>Writes a resolved tree as HOCON: one field per line, nested objects in braces, strings always quoted.</summary>
internal static class HoconRenderer
{
    public static string Render(HoconObject root, bool originComments)
    {
        var sb = new StringBuilder();
        WriteFields(sb, root, 0, originComments);
        return sb.ToString();
    }

    private static void WriteFields(StringBuilder sb, HoconObject obj, int depth, bool originComments)
    {
        foreach (var pair in obj.Fields)
        {
            if (originComments && pair.Value is not HoconObject)
            {
                Indent(sb, depth).Append("# ").Append(pair.Value.Origin).Append('\n');
            }
            Indent(sb, depth).Append(ConfigPath.RenderKey(pair.Key));
            if (pair.Value is HoconObject nested)
            {
                if (nested.Count == 0)
                {
                    sb.Append(" {}\n");
                    continue;
                }
                sb.Append(" {\n");
                WriteFields(sb, nested, depth + 1, originComments);
                Indent(sb, depth).Append("}\n");
            }
            else
            {
                sb.Append(" = ");
                WriteValue(sb, pair.Value, depth, originComments);
                sb.Append('\n');
            }
        }
    }

    private static void WriteValue(StringBuilder sb, HoconValue value, int depth, bool originComments)
    {
        switch (value)
        {
            case HoconScalar scalar:
                sb.Append(scalar.Kind == HoconScalarKind.String ? HoconText.Quote(scalar.Text) : scalar.Text);
                break;
            case HoconArray array when array.Items.All(i => i is HoconScalar):
                sb.Append('[');
                for (var i = 0; i < array.Items.Count; i++)
                {
                    sb.Append(i == 0 ? "" : ", ");
                    WriteValue(sb, array.Items[i], depth, originComments);
                }
                sb.Append(']');
                break;
            case HoconArray array:
                sb.Append("[\n");
                foreach (var item in array.Items)
                {
                    Indent(sb, depth + 1);
                    WriteValue(sb, item, depth + 1, originComments);
                    sb.Append('\n');
                }
                Indent(sb, depth).Append(']');
                break;
            case HoconObject obj when obj.Count == 0:
                sb.Append("{}");
                break;
            case HoconObject obj:
                sb.Append("{\n");
                WriteFields(sb, obj, depth + 1, originComments);
                Indent(sb, depth).Append('}');
                break;
            default:
                throw new InvalidOperationException($"cannot render an unresolved value ({value.Describe()})");
        }
    }

    private static StringBuilder Indent(StringBuilder sb, int depth) => sb.Append(' ', depth * 4);
}
