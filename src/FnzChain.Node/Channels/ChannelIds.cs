using System.Text.RegularExpressions;

namespace FnzChain.Node.Channels;

/// <summary>Channel names as Fabric allows them (also safe as folder names): lower-case letter first, then [a-z0-9.-], at most 249.</summary>
public static partial class ChannelIds
{
    public static string? Problem(string channelId) =>
        string.IsNullOrEmpty(channelId) ? "channel id is empty"
        : channelId.Length > 249 ? $"channel id {channelId[..32]}… is longer than 249 characters"
        : Pattern().IsMatch(channelId) ? null
        : $"channel id \"{channelId}\" must start with a lower-case letter and contain only a-z, 0-9, '.' and '-'";

    [GeneratedRegex("^[a-z][a-z0-9.-]*$")]
    private static partial Regex Pattern();
}
