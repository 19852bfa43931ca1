using Google.Protobuf.WellKnownTypes;

namespace FnzChain.Identity.Channels;

/// <summary>
/// Reads a <c>google.protobuf.Timestamp</c> that came from the network. Protobuf's own conversion throws for
/// seconds outside years 1–9999 or nanos outside 0–999,999,999 — a value any signer can put in a header — so every
/// timestamp from a request or a block is read through here.
/// </summary>
public static class HeaderTime
{
    // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, protobuf's valid range.
    private const long MinSeconds = -62_135_596_800;
    private const long MaxSeconds = 253_402_300_799;

    /// <summary>The time, or null when <paramref name="timestamp"/> is missing or outside protobuf's valid range.</summary>
    public static DateTimeOffset? Read(Timestamp? timestamp) =>
        timestamp is { Seconds: >= MinSeconds and <= MaxSeconds, Nanos: >= 0 and <= 999_999_999 } ? timestamp.ToDateTimeOffset() : null;

    /// <summary>True when <paramref name="timestamp"/> is missing or a valid time; false for values protobuf refuses.</summary>
    public static bool IsValidOrMissing(Timestamp? timestamp) => timestamp is null || Read(timestamp) is not null;
}
