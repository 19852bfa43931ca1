using FnzChain.Identity.Admin;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Node.Audit;
using FnzChain.Protos.Admin;
using FnzChain.Protos.Common;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace FnzChain.Node;

/// <summary>Channel participation for operators: join a channel from its genesis block, list channels. Admins of the node's organisation only.</summary>
public sealed class NodeAdminService(
    INodeChannels channels, LocalIdentity local, IChaincodeInstaller? installer = null, IPrivateDataInspector? inspector = null) : NodeAdmin.NodeAdminBase
{
    public override async Task<ChannelInfo> JoinChannel(SignedAdminRequest request, ServerCallContext context)
    {
        var command = Authorize(request, context);
        if (command.CommandCase != AdminRequest.CommandOneofCase.JoinChannel)
        {
            throw Fail(context, StatusCode.InvalidArgument, "JoinChannel needs a join_channel request");
        }

        Block genesis;
        try
        {
            genesis = Block.Parser.ParseFrom(command.JoinChannel.GenesisBlock);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw Fail(context, StatusCode.InvalidArgument, $"genesis_block does not parse: {e.Message}");
        }

        try
        {
            var (channelId, height) = await channels.JoinAsync(genesis, context.CancellationToken).ConfigureAwait(false);
            AuditEntry.Of(context)?.Describe(channelId);
            return new ChannelInfo { ChannelId = channelId, Height = height };
        }
        catch (Exception e) when (e is ChannelConfigException or FormatException)
        {
            throw Fail(context, StatusCode.InvalidArgument, e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw Fail(context, StatusCode.AlreadyExists, e.Message);
        }
    }

    public override Task<ChannelList> ListChannels(SignedAdminRequest request, ServerCallContext context)
    {
        _ = Authorize(request, context);
        var list = new ChannelList();
        list.Channels.AddRange(channels.List().Select(c => new ChannelInfo { ChannelId = c.ChannelId, Height = c.Height }));
        return Task.FromResult(list);
    }

    public override Task<InstalledChaincode> InstallChaincode(SignedAdminRequest request, ServerCallContext context)
    {
        var command = Authorize(request, context);
        if (command.CommandCase != AdminRequest.CommandOneofCase.InstallChaincode)
        {
            throw Fail(context, StatusCode.InvalidArgument, "InstallChaincode needs an install_chaincode request");
        }

        if (installer is null)
        {
            throw Fail(context, StatusCode.Unimplemented, "this node does not run chaincode");
        }

        try
        {
            return Task.FromResult(new InstalledChaincode { PackageId = installer.Install(command.InstallChaincode.Package.ToByteArray()) });
        }
        catch (ChaincodePackageException e)
        {
            throw Fail(context, StatusCode.InvalidArgument, e.Message);
        }
    }

    public override async Task<PrivateDataStatus> GetPrivateDataStatus(SignedAdminRequest request, ServerCallContext context)
    {
        var command = Authorize(request, context);
        if (command.CommandCase != AdminRequest.CommandOneofCase.PrivateDataStatus)
        {
            throw Fail(context, StatusCode.InvalidArgument, "GetPrivateDataStatus needs a private_data_status request");
        }

        if (inspector is null)
        {
            throw Fail(context, StatusCode.Unimplemented, "this node holds no private data (orderers never receive it)");
        }

        try
        {
            return await inspector.InspectAsync(command.PrivateDataStatus, context.CancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw Fail(context, StatusCode.NotFound, e.Message);
        }
    }

    private AdminRequest Authorize(SignedAdminRequest request, ServerCallContext context)
    {
        var audit = AuditEntry.Of(context);
        if (audit?.IdentityLockout(request.Creator.Span) is { } locked)
        {
            throw locked;
        }

        var (command, error) = AdminRequests.Authorize(request, local.Msp, out var signer, out var rejection);
        if (signer is not null)
        {
            audit?.Authenticated(signer);
        }
        else if (rejection != IdentityRejection.None)
        {
            audit?.AuthenticationFailed(rejection, request.Creator.Span);
        }

        return command ?? throw Fail(context, StatusCode.PermissionDenied, error!);
    }

    private RpcException Fail(ServerCallContext context, StatusCode code, string message)
    {
        return new RpcException(new Grpc.Core.Status(code, message));
    }
}
