namespace FnzChain.Ledger.Validation;

/// <summary>
/// Orders strings as their UTF-8 bytes sort (code point order), which is how the state database orders keys.
/// UTF-16 ordinal order differs for characters above U+E000 versus surrogate pairs.
/// </summary>
internal sealed class Utf8Order : IComparer<string>
{
    public static readonly Utf8Order Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            var a = x[i];
            var b = y[i];
            if (a != b)
            {
                return Fix(a) - Fix(b);
            }
        }

        return x.Length - y.Length;
    }

    // Moves surrogates (U+D800–U+DFFF) above U+E000–U+FFFF, so code units compare in code point order.
    private static int Fix(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
}
