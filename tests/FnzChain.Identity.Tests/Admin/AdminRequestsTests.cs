using FnzChain.Identity.Admin;
using FnzChain.Protos.Admin;
using Google.Protobuf;

namespace FnzChain.Identity.Tests.Admin;

public sealed class AdminRequestsTests
{
    private readonly TestPki _pki = new("OrdererMSP", "Org1MSP");

    private static AdminRequest List() => new() { ListChannels = new ListChannelsRequest() };

    [Test]
    public void Admin_of_the_nodes_organisation_is_authorized()
    {
        var time = new ManualTime(TestPki.Epoch.AddDays(1));
        var admin = _pki.Issue("OrdererMSP", "admin");

        var (request, error) = AdminRequests.Authorize(AdminRequests.Sign(List(), admin.Serialized, admin.Signer, time), _pki.Registry(time, "OrdererMSP"));

        Assert.That(error, Is.Null);
        Assert.That(request!.CommandCase, Is.EqualTo(AdminRequest.CommandOneofCase.ListChannels));
    }

    [Test]
    public void Member_who_is_not_an_admin_is_refused()
    {
        var time = new ManualTime(TestPki.Epoch.AddDays(1));
        var client = _pki.Issue("OrdererMSP", "client");

        var (request, error) = AdminRequests.Authorize(AdminRequests.Sign(List(), client.Serialized, client.Signer, time), _pki.Registry(time, "OrdererMSP"));

        Assert.That(request, Is.Null);
        Assert.That(error, Does.Contain("is not an admin of OrdererMSP"));
    }

    [Test]
    public void Admin_of_another_organisation_is_refused()
    {
        var time = new ManualTime(TestPki.Epoch.AddDays(1));
        var other = _pki.Issue("Org1MSP", "admin");

        var (_, error) = AdminRequests.Authorize(AdminRequests.Sign(List(), other.Serialized, other.Signer, time), _pki.Registry(time, "OrdererMSP"));

        Assert.That(error, Does.StartWith("the request's signer is not a member of this node's organisation"));
    }

    [Test]
    public void Altered_request_is_refused()
    {
        var time = new ManualTime(TestPki.Epoch.AddDays(1));
        var admin = _pki.Issue("OrdererMSP", "admin");
        var signed = AdminRequests.Sign(List(), admin.Serialized, admin.Signer, time);
        signed.Request = new AdminRequest { JoinChannel = new JoinChannelRequest { GenesisBlock = ByteString.CopyFromUtf8("x") }, Timestamp = AdminRequest.Parser.ParseFrom(signed.Request).Timestamp }.ToByteString();

        var (_, error) = AdminRequests.Authorize(signed, _pki.Registry(time, "OrdererMSP"));

        Assert.That(error, Does.StartWith("the request's signature does not verify"));
    }

    [Test]
    public void Request_signed_long_ago_is_refused()
    {
        var time = new ManualTime(TestPki.Epoch.AddDays(1));
        var admin = _pki.Issue("OrdererMSP", "admin");
        var signed = AdminRequests.Sign(List(), admin.Serialized, admin.Signer, time);
        time.Now = time.Now.AddHours(1);

        var (_, error) = AdminRequests.Authorize(signed, _pki.Registry(time, "OrdererMSP"));

        Assert.That(error, Does.Contain("timestamp"));
    }
}
