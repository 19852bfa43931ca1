using System.Text.Json;
using System.Text.Json.Serialization;

namespace FnzChain.TransferAgency.State;

/// <summary>Writes and reads enum values as kebab-case names ("soft-closed", "transfer-agent"); numbers are refused.</summary>
internal sealed class KebabCaseEnumConverter<TEnum> : JsonStringEnumConverter<TEnum>
    where TEnum : struct, Enum
{
    public KebabCaseEnumConverter()
        : base(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false)
    {
    }
}
