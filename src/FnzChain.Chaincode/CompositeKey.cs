using System.Text;

namespace FnzChain.Chaincode;

/// <summary>
/// Fabric composite keys, <c>U+0000 objectType U+0000 attr1 U+0000 …</c>, for indexing state by several
/// attributes and querying by a leading subset (<see cref="IChaincodeStub.GetStateByPartialCompositeKeyAsync"/>).
/// </summary>
/// <example><code>var key = CompositeKey.Create("holding", investorId, fundId);</code></example>
public static class CompositeKey
{
    private const char Separator = '\u0000';
    private const string MaxUnicodeRune = "\U0010FFFF";

    /// <summary>Builds a composite key from an object type and attributes.</summary>
    public static string Create(string objectType, params IReadOnlyList<string> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var builder = new StringBuilder().Append(Separator).Append(Checked(objectType, "object type")).Append(Separator);
        foreach (var attribute in attributes)
        {
            builder.Append(Checked(attribute, "attribute")).Append(Separator);
        }

        return builder.ToString();
    }

    /// <summary>Splits a composite key into its object type and attributes.</summary>
    public static (string ObjectType, IReadOnlyList<string> Attributes) Split(string compositeKey)
    {
        ArgumentNullException.ThrowIfNull(compositeKey);
        if (compositeKey.Length < 2 || compositeKey[0] != Separator || compositeKey[^1] != Separator)
        {
            throw new ArgumentException("not a composite key: it must start and end with U+0000", nameof(compositeKey));
        }

        var parts = compositeKey[1..^1].Split(Separator);
        return (parts[0], parts[1..]);
    }

    /// <summary>The exclusive end of the range of keys that extend <paramref name="partialKey"/>.</summary>
    public static string RangeEnd(string partialKey) => partialKey + MaxUnicodeRune;

    private static string Checked(string component, string what)
    {
        ArgumentNullException.ThrowIfNull(component);
        return component.Contains(Separator, StringComparison.Ordinal) || component.Contains(MaxUnicodeRune, StringComparison.Ordinal)
            ? throw new ArgumentException($"composite key {what} \"{component.Replace("\0", "\\u0000", StringComparison.Ordinal)}\" must not contain U+0000 or U+10FFFF")
            : component;
    }
}
