using System.Text;

namespace FnzChain.Ledger.State;

/// <summary>
/// Fabric's composite keys: <c>U+0000 objectType U+0000 attr1 U+0000 … attrN U+0000</c>. A partial key (object
/// type plus leading attributes) is a prefix of every full key that extends it, so a partial-key query is the
/// range [partialKey, partialKey + U+10FFFF). Attributes may not contain U+0000 (the separator) or U+10FFFF
/// (the range sentinel), and must be valid UTF-8.
/// </summary>
public static class CompositeKey
{
    /// <summary>Separator and prefix of every composite key.</summary>
    public const char Separator = '\u0000';

    /// <summary>The highest Unicode scalar value; appended to a partial key to form its exclusive range end.</summary>
    public const string MaxUnicodeRune = "\U0010FFFF";

    public static bool IsComposite(string key) => key.Length > 0 && key[0] == Separator;

    public static string Create(string objectType, params IReadOnlyList<string> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        Validate(objectType, "object type");
        var sb = new StringBuilder(objectType.Length + 2 + (attributes.Count * 8));
        sb.Append(Separator).Append(objectType).Append(Separator);
        foreach (var attribute in attributes)
        {
            Validate(attribute, "attribute");
            sb.Append(attribute).Append(Separator);
        }

        return sb.ToString();
    }

    /// <summary>Splits a composite key into its object type and attributes.</summary>
    public static (string ObjectType, IReadOnlyList<string> Attributes) Split(string compositeKey)
    {
        ArgumentNullException.ThrowIfNull(compositeKey);
        if (compositeKey.Length < 2 || compositeKey[0] != Separator || compositeKey[^1] != Separator)
        {
            throw new ArgumentException($"invalid composite key \"{StateLimits.Printable(compositeKey)}\": must start and end with U+0000");
        }

        var parts = compositeKey[1..^1].Split(Separator);
        return (parts[0], parts[1..]);
    }

    /// <summary>The exclusive end of the range holding every key that extends <paramref name="partialKey"/>.</summary>
    public static string RangeEnd(string partialKey) => partialKey + MaxUnicodeRune;

    private static void Validate(string component, string what)
    {
        ArgumentNullException.ThrowIfNull(component);
        if (StateLimits.Utf8Length(component) < 0)
        {
            throw new ArgumentException($"invalid composite key {what} \"{StateLimits.Printable(component)}\": not valid UTF-8 (unpaired surrogate)");
        }

        if (component.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid composite key {what} \"{StateLimits.Printable(component)}\": must not contain U+0000");
        }

        if (component.Contains(MaxUnicodeRune, StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid composite key {what} \"{StateLimits.Printable(component)}\": must not contain U+10FFFF");
        }
    }
}
