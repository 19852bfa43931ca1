using System.Text.Json;

namespace FnzChain.Ledger.State.Query;

/// <summary>
/// Orders JSON values as CouchDB's view collation does across types: null, false, true, numbers, strings, arrays
/// (element by element, then by length), objects (member by member, then by count). Strings compare by Unicode code
/// point — pouchdb's order; CouchDB 3.x compares strings with ICU's collation (case-insensitive first, lower case
/// before upper case), so <c>sort</c> and <c>$gt</c>/<c>$lt</c> on mixed-case text can differ from a CouchDB server's.
/// </summary>
public static class JsonCollation
{
    public static int Compare(JsonElement left, JsonElement right)
    {
        var (l, r) = (Rank(left), Rank(right));
        if (l != r)
        {
            return l.CompareTo(r);
        }

        switch (left.ValueKind)
        {
            case JsonValueKind.Number:
                return left.GetDouble().CompareTo(right.GetDouble());
            case JsonValueKind.String:
                return CompareCodePoints(left.GetString()!, right.GetString()!);
            case JsonValueKind.Array:
            {
                using var a = left.EnumerateArray();
                using var b = right.EnumerateArray();
                while (true)
                {
                    var (hasA, hasB) = (a.MoveNext(), b.MoveNext());
                    if (!hasA || !hasB)
                    {
                        return hasA.CompareTo(hasB);
                    }

                    var byElement = Compare(a.Current, b.Current);
                    if (byElement != 0)
                    {
                        return byElement;
                    }
                }
            }

            case JsonValueKind.Object:
            {
                using var a = left.EnumerateObject();
                using var b = right.EnumerateObject();
                while (true)
                {
                    var (hasA, hasB) = (a.MoveNext(), b.MoveNext());
                    if (!hasA || !hasB)
                    {
                        return hasA.CompareTo(hasB);
                    }

                    var byName = CompareCodePoints(a.Current.Name, b.Current.Name);
                    if (byName != 0)
                    {
                        return byName;
                    }

                    var byValue = Compare(a.Current.Value, b.Current.Value);
                    if (byValue != 0)
                    {
                        return byValue;
                    }
                }
            }

            default:
                return 0; // null, true, false: equal to themselves
        }
    }

    /// <summary>Equality as Mango's <c>$eq</c>: same collation position (1 equals 1.0).</summary>
    public static bool Equal(JsonElement left, JsonElement right) => Compare(left, right) == 0;

    /// <summary>Unicode code point order (UTF-16 ordinal order differs from it only around surrogate pairs).</summary>
    public static int CompareCodePoints(string left, string right)
    {
        var (i, j) = (0, 0);
        while (i < left.Length && j < right.Length)
        {
            var a = NextCodePoint(left, ref i);
            var b = NextCodePoint(right, ref j);
            if (a != b)
            {
                return a.CompareTo(b);
            }
        }

        return (left.Length - i).CompareTo(right.Length - j);
    }

    private static int NextCodePoint(string text, ref int index)
    {
        var c = text[index];
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            index += 2;
            return char.ConvertToUtf32(c, text[index - 1]);
        }

        index++;
        return c;
    }

    private static int Rank(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => 0,
        JsonValueKind.False => 1,
        JsonValueKind.True => 2,
        JsonValueKind.Number => 3,
        JsonValueKind.String => 4,
        JsonValueKind.Array => 5,
        JsonValueKind.Object => 6,
        _ => 7,
    };
}
