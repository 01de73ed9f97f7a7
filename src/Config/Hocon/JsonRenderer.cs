using System.Text;

namespace ActorVisor.Config.Hocon;

/// <summary>Writes a resolved tree as indented JSON. Numbers keep the text they were written with.</summary>
internal static class JsonRenderer
{
    public static string Render(HoconValue root)
    {
        var sb = new StringBuilder();
        Write(sb, root, 0);
        sb.Append('\n');
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, HoconValue value, int depth)
    {
        switch (value)
        {
            case HoconScalar scalar:
                sb.Append(scalar.Kind == HoconScalarKind.String ? HoconText.Quote(scalar.Text) : scalar.Text);
                break;
            case HoconArray array:
                if (array.Items.Count == 0)
                {
                    sb.Append("[]");
                    break;
                }
                sb.Append("[\n");
                for (var i = 0; i < array.Items.Count; i++)
                {
                    Indent(sb, depth + 1);
                    Write(sb, array.Items[i], depth + 1);
                    sb.Append(i + 1 < array.Items.Count ? ",\n" : "\n");
                }
                Indent(sb, depth).Append(']');
                break;
            case HoconObject obj:
                if (obj.Count == 0)
                {
                    sb.Append("{}");
                    break;
                }
                sb.Append("{\n");
                var index = 0;
                foreach (var pair in obj.Fields)
                {
                    Indent(sb, depth + 1).Append(HoconText.Quote(pair.Key)).Append(": ");
                    Write(sb, pair.Value, depth + 1);
                    sb.Append(++index < obj.Count ? ",\n" : "\n");
                }
                Indent(sb, depth).Append('}');
                break;
            default:
                throw new InvalidOperationException($"cannot render an unresolved value ({value.Describe()})");
        }
    }

    private static StringBuilder Indent(StringBuilder sb, int depth) => sb.Append(' ', depth * 2);
}
