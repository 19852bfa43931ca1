using FnzChain.Node.Rpc;

namespace FnzChain.Node.Tests.Rpc;

/// <summary>What a status detail may carry: request text made printable and bounded.</summary>
public sealed class RpcErrorInterceptorTests
{
    [Test]
    public void A_printable_detail_is_sent_as_it_is() =>
        Assert.That(RpcErrorInterceptor.Printable("channel \"funds\" is not joined by this peer"), Is.EqualTo("channel \"funds\" is not joined by this peer"));

    [Test]
    public void Control_characters_and_lone_surrogates_are_escaped_and_pairs_kept() =>
        Assert.That(RpcErrorInterceptor.Printable("key \u0000a\nb\ud800 fund \U0001F4B6"), Is.EqualTo("key \\u0000a\\u000ab\\ud800 fund \U0001F4B6"));

    [Test]
    public void A_long_detail_is_cut_and_says_so()
    {
        var printable = RpcErrorInterceptor.Printable(new string('x', 5000));

        Assert.That(printable, Has.Length.EqualTo(RpcErrorInterceptor.MaxDetailLength + " …(truncated)".Length));
        Assert.That(printable, Does.EndWith(" …(truncated)"));
    }

    [Test]
    public void A_detail_of_exactly_the_limit_is_not_marked() =>
        Assert.That(RpcErrorInterceptor.Printable(new string('x', RpcErrorInterceptor.MaxDetailLength)), Has.Length.EqualTo(RpcErrorInterceptor.MaxDetailLength));

    [Test]
    public void Grpc_message_encoding_escapes_only_what_the_spec_requires() =>
        Assert.That(LargeRequestLimiter.PercentEncode("/m: 4 requests; 100% é"), Is.EqualTo("/m: 4 requests; 100%25 %C3%A9"));
}
